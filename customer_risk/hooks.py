from odoo.tools import SQL

from .models.account_move import DRAFT_INDEX
from .models.res_partner import EXPOSURE_FUNCTION_SIGNATURE


def forget_posted_demo_invoices(env, module):
    """Posted invoices are accounting records and are never deleted, demo ones included:
    forget ``module``'s demo invoices, and those of its partners and products that any
    journal entry uses (another addon's demo may invoice them too), so uninstalling leaves
    them in place as ordinary data instead of failing to delete them.

    The other addons of the suite call it from their own uninstall hooks."""
    data = env["ir.model.data"].search([("module", "=", module)])
    by_model = {
        model: data.filtered(lambda d, m=model: d.model == m)
        for model in ("account.move", "res.partner", "product.product", "product.template")
    }
    partner_ids = by_model["res.partner"].mapped("res_id")
    moves = (
        env["account.move"]
        .sudo()
        .search(
            ["|", ("partner_id", "in", partner_ids), ("commercial_partner_id", "in", partner_ids)]
        )
    )
    lines = env["account.move.line"].sudo()
    used_partners = (
        moves.partner_id
        | moves.commercial_partner_id
        | lines.search([("partner_id", "in", partner_ids)]).partner_id
    )
    used_products = lines.search(
        [("product_id", "in", by_model["product.product"].mapped("res_id"))]
    ).product_id
    used = {
        "res.partner": used_partners.ids,
        "product.product": used_products.ids,
        "product.template": used_products.product_tmpl_id.ids,
    }
    forgotten = by_model["account.move"]
    for model, ids in used.items():
        forgotten |= by_model[model].filtered(lambda d, ids=ids: d.res_id in ids)
    forgotten.unlink()


def uninstall_hook(env):
    # Alerts point at rules and customers that are deleted before the alert table is
    # dropped: they go first.
    env["customer.risk.alert"].sudo().search([]).unlink()
    forget_posted_demo_invoices(env, "customer_risk")
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(DRAFT_INDEX)))
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL(EXPOSURE_FUNCTION_SIGNATURE)))
