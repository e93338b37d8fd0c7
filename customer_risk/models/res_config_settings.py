from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    risk_unassessed_policy = fields.Selection(
        related="company_id.risk_unassessed_policy", readonly=False
    )
    risk_include_open_not_due = fields.Boolean(
        related="company_id.risk_include_open_not_due", readonly=False
    )
    risk_include_overdue = fields.Boolean(related="company_id.risk_include_overdue", readonly=False)
    risk_include_draft_invoices = fields.Boolean(
        related="company_id.risk_include_draft_invoices", readonly=False
    )
    risk_include_uninvoiced_orders = fields.Boolean(
        related="company_id.risk_include_uninvoiced_orders", readonly=False
    )
    risk_release_validity_days = fields.Integer(
        related="company_id.risk_release_validity_days", readonly=False
    )
    risk_auto_apply_assessments = fields.Boolean(
        related="company_id.risk_auto_apply_assessments", readonly=False
    )
    risk_event_late_days = fields.Integer(related="company_id.risk_event_late_days", readonly=False)
    risk_event_overdue_days = fields.Integer(
        related="company_id.risk_event_overdue_days", readonly=False
    )
    risk_screening_validity_months = fields.Integer(
        related="company_id.risk_screening_validity_months", readonly=False
    )
