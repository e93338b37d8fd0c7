from odoo import api, fields, models
from odoo.exceptions import UserError

DISPUTE_FIELDS = ("followup_disputed", "followup_dispute_reason")


class AccountMove(models.Model):
    _inherit = "account.move"

    followup_disputed = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="The customer disputes this invoice: follow-ups neither remind nor escalate it.",
    )
    followup_dispute_reason = fields.Char(string="Dispute Reason", copy=False, tracking=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._followup_check_dispute_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._followup_check_dispute_vals(vals)
        res = super().write(vals)
        if set(vals) & set(DISPUTE_FIELDS):
            for company in self.company_id:
                moves = self.filtered(lambda m, c=company: m.company_id == c)
                moves.commercial_partner_id._followup_refresh(company)
        return res

    def _followup_check_dispute_vals(self, vals):
        if not set(vals) & set(DISPUTE_FIELDS):
            return
        if not self.env.su:
            self.env["res.partner"]._followup_check_team()
        if "followup_dispute_reason" in vals:
            reason = vals["followup_dispute_reason"]
        else:
            reason = self and all(m.followup_dispute_reason for m in self)
        if vals.get("followup_disputed") and not reason:
            raise UserError(self.env._("Give the reason of the dispute."))
