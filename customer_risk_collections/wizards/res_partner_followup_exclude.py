from odoo import fields, models


class ResPartnerFollowupExclude(models.TransientModel):
    _name = "res.partner.followup.exclude"
    _description = "Exclude from Follow-ups"

    partner_ids = fields.Many2many(
        "res.partner",
        relation="res_partner_followup_exclude_partner_rel",
        string="Customers",
        required=True,
    )
    reason = fields.Char(required=True, help="For example a dispute, a lawsuit or a settlement.")

    def action_confirm(self):
        self.ensure_one()
        self.env["res.partner"]._followup_check_collector()
        partners = self.partner_ids.commercial_partner_id
        partners.write({"followup_excluded": True, "followup_exclusion_reason": self.reason})
        partners._followup_post(
            self.env._("Excluded from follow-ups: %(reason)s", reason=self.reason)
        )
        return {"type": "ir.actions.act_window_close"}
