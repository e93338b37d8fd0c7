from odoo import fields, models
from odoo.exceptions import AccessError, ValidationError

from .. import tools

MANAGER = "customer_risk.group_risk_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    risk_release_max_amount = fields.Float(
        string="Credit Release Authority",
        company_dependent=True,
        groups=MANAGER,
        help="Largest credit release, in the company's currency, this credit manager may "
        "approve alone; above it a second manager with enough authority must approve. "
        "0 means no authority.",
    )

    def write(self, vals):
        # res.users is no mail.thread: the same check as _risk_check_amount_vals, inline.
        if not tools.valid_amount(vals.get("risk_release_max_amount")):
            raise ValidationError(
                self.env._(
                    "%(fields)s: enter an amount from 0 to %(max)s.",
                    fields=self._fields["risk_release_max_amount"]._description_string(self.env),
                    max=tools.MAX_AMOUNT_TEXT,
                )
            )
        if "risk_release_max_amount" in vals and not self.env.su:
            if not self.env.user.has_group(MANAGER):
                raise AccessError(self.env._("Only credit managers set release authorities."))
            if self.env.user in self:
                raise AccessError(self.env._("You cannot set your own release authority."))
            if set(vals) == {"risk_release_max_amount"}:
                # Credit managers keep authorities without being user administrators; the
                # checks above are the permission.
                return super(ResUsers, self.sudo()).write(vals)
        return super().write(vals)
