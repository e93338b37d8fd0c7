from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    risk_require_qualification = fields.Boolean(
        string="Require Training and Policy to Approve",
        help="A credit manager approves credit releases and limit changes only with a valid "
        "training certificate on credit assessment and after acknowledging the current "
        "credit policy.",
    )
    risk_certificate_reminder_days = fields.Integer(
        string="Certificate Reminder (Days)",
        default=30,
        help="How many days before a training certificate expires its holder gets a To-Do to "
        "renew it.",
    )
