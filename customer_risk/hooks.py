def forget_posted_demo_invoices(env, module):
    """Posted invoices are accounting records and are never deleted, demo ones included:
    forget ``module``'s demo invoices and the partners and products they use, so
    uninstalling leaves them in place as ordinary data instead of failing to delete them.

    The other addons of the suite call it from their own uninstall hooks."""
    data = env["ir.model.data"].search([("module", "=", module), ("model", "=", "account.move")])
    moves = env["account.move"].browse(data.mapped("res_id")).exists()
    kept = {
        "res.partner": (moves.partner_id | moves.commercial_partner_id).ids,
        "product.product": moves.line_ids.product_id.ids,
        "product.template": moves.line_ids.product_id.product_tmpl_id.ids,
    }
    for model, ids in kept.items():
        data |= env["ir.model.data"].search(
            [("module", "=", module), ("model", "=", model), ("res_id", "in", ids)]
        )
    data.unlink()


def uninstall_hook(env):
    forget_posted_demo_invoices(env, "customer_risk")
