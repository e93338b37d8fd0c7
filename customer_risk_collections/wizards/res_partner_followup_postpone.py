from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class ResPartnerFollowupPostpone(models.TransientModel):
    _name = "res.partner.followup.postpone"
    _description = "Postpone Follow-ups"

    partner_ids = fields.Many2many(
        "res.partner",
        relation="res_partner_followup_postpone_partner_rel",
        string="Customers",
        required=True,
    )
    date = fields.Date(
        string="Postpone Until",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    note = fields.Char(string="Why")

    def action_confirm(self):
        self.ensure_one()
        self.env["res.partner"]._followup_check_collector()
        if self.date <= fields.Date.context_today(self):
            raise UserError(self.env._("Postpone the follow-ups to a date after today."))
        partners = self.partner_ids.commercial_partner_id
        partners.write({"followup_postponed_until": self.date})
        partners._followup_post(
            self.env._(
                "Follow-ups postponed until %(date)s. %(note)s",
                date=format_date(self.env, self.date),
                note=self.note or "",
            )
        )
        return {"type": "ir.actions.act_window_close"}
