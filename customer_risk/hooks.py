def uninstall_hook(env):
    """Posted invoices are accounting records and are never deleted, demo ones included:
    forget the demo invoices and the partners and products they use, so uninstalling leaves
    them in place as ordinary data instead of failing to delete them."""
    # Alerts point at rules and customers that are deleted before the alert table is
    # dropped: they go first.
    env["customer.risk.alert"].sudo().search([]).unlink()
    data = env["ir.model.data"].search(
        [("module", "=", "customer_risk"), ("model", "=", "account.move")]
    )
    moves = env["account.move"].browse(data.mapped("res_id")).exists()
    kept = {
        "res.partner": (moves.partner_id | moves.commercial_partner_id).ids,
        "product.product": moves.line_ids.product_id.ids,
        "product.template": moves.line_ids.product_id.product_tmpl_id.ids,
    }
    for model, ids in kept.items():
        data |= env["ir.model.data"].search(
            [("module", "=", "customer_risk"), ("model", "=", model), ("res_id", "in", ids)]
        )
    data.unlink()
