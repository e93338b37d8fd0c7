from odoo import fields, models
from odoo.exceptions import AccessError


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
