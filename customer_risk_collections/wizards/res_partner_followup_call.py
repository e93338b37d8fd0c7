from markupsafe import Markup

from odoo import fields, models


class ResPartnerFollowupCall(models.TransientModel):
    _name = "res.partner.followup.call"
    _description = "Log a Follow-up Call"

    partner_ids = fields.Many2many(
        "res.partner",
        relation="res_partner_followup_call_partner_rel",
        string="Customers",
        required=True,
    )
    note = fields.Text(string="Call Notes", required=True)

    def action_confirm(self):
        """Mark the customer's open call activity done with the notes (the user's own first),
        or record the call in its chatter when none was planned."""
        self.ensure_one()
        self.env["res.partner"]._followup_check_collector()
        for partner in self.partner_ids.commercial_partner_id:
            calls = partner.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id.category == "phonecall"
            )
            call = calls.filtered(lambda a: a.user_id == self.env.user)[:1] or calls[:1]
            if call:
                call.action_feedback(feedback=self.note)
            else:
                partner._followup_post(
                    Markup("%s<br/>%s") % (self.env._("Call logged."), self.note)
                )
        return {"type": "ir.actions.act_window_close"}
