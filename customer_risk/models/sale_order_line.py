from odoo import api, models
from odoo.exceptions import ValidationError

from .. import tools

# Figures of a line a client may send as text, NaN, infinity or beyond what a total and the
# credit check can add up.
LINE_NUMBERS = ("price_unit", "product_uom_qty", "discount")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Lines edited on their own (not through the order form) change the order total too:
    # releases it no longer fits are voided the same way.

    def _risk_check_number_vals(self, vals):
        bad = [n for n in LINE_NUMBERS if n in vals and not tools.valid_amount(vals[n], True)]
        if bad:
            raise ValidationError(
                self.env._(
                    "%(fields)s: enter a number between -%(max)s and %(max)s.",
                    fields=", ".join(self._fields[n]._description_string(self.env) for n in bad),
                    max=tools.MAX_AMOUNT_TEXT,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._risk_check_number_vals(vals)
        lines = super().create(vals_list)
        lines.order_id._risk_void_releases()
        return lines

    def write(self, vals):
        self._risk_check_number_vals(vals)
        res = super().write(vals)
        self.order_id._risk_void_releases()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders._risk_void_releases()
        return res
