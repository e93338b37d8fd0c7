from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    risk_require_qualification = fields.Boolean(
        related="company_id.risk_require_qualification", readonly=False
    )
    risk_certificate_reminder_days = fields.Integer(
        related="company_id.risk_certificate_reminder_days", readonly=False
    )
