from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Lines edited on their own (not through the order form) change the order total too:
    # releases it no longer fits are voided the same way.

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._risk_void_releases()
        return lines

    def write(self, vals):
        res = super().write(vals)
        self.order_id._risk_void_releases()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders._risk_void_releases()
        return res
