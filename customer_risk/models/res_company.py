from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    risk_unassessed_policy = fields.Selection(
        [("allow", "Allow"), ("warn", "Warn"), ("block", "Block")],
        string="Customers Never Assessed",
        default="warn",
        required=True,
        help="What the credit check does for a customer without a risk tier: allow the order, "
        "confirm it but show the warnings, or block it like any failed rule.",
    )
    risk_include_open_not_due = fields.Boolean(string="Open Receivables Not Due", default=True)
    risk_include_overdue = fields.Boolean(string="Overdue Receivables", default=True)
    risk_include_draft_invoices = fields.Boolean(string="Draft Invoices", default=True)
    risk_include_uninvoiced_orders = fields.Boolean(
        string="Confirmed Uninvoiced Orders", default=True
    )
    risk_release_validity_days = fields.Integer(
        string="Release Validity (Days)",
        default=7,
        help="How long an approved credit release can be used to confirm its order.",
    )
    risk_auto_apply_assessments = fields.Boolean(
        string="Apply Assessments Automatically",
        help="Assessments drafted by the credit monitoring (periodic reviews and events) are "
        "confirmed at once, applying the tier they propose; otherwise they wait for a credit "
        "officer with a To-Do. A periodic review that changes neither the tier, the credit "
        "limit nor the payment terms is confirmed at once either way.",
    )
    risk_event_late_days = fields.Integer(
        string="Late Payment Event (Days)",
        default=30,
        help="A customer invoice paid more than this many days after its due date calls for "
        "a new assessment of the customer.",
    )
    risk_event_overdue_days = fields.Integer(
        string="Overdue Item Event (Days)",
        default=30,
        help="An open customer invoice getting more than this many days overdue calls for a "
        "new assessment of the customer.",
    )

    @api.constrains("risk_event_late_days", "risk_event_overdue_days")
    def _check_risk_event_days(self):
        if any(c.risk_event_late_days < 0 or c.risk_event_overdue_days < 0 for c in self):
            raise ValidationError(self.env._("Event thresholds cannot be negative."))

    risk_screening_validity_months = fields.Integer(
        string="Screening Validity (Months)",
        default=12,
        help="How long a screening decision holds before the customer must be screened again.",
    )

    def write(self, vals):
        # Settings of the credit check belong to credit managers, whatever the path.
        if (
            not self.env.su
            and any(key.startswith("risk_") for key in vals)
            and not self.env.user.has_group("customer_risk.group_risk_manager")
        ):
            raise AccessError(
                self.env._("Only Credit Managers may change the credit control settings.")
            )
        return super().write(vals)
