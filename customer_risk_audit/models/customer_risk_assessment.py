from odoo import models

from .res_partner import profile_change

# The customer's fields a confirmed assessment sets, logged before and after.
APPLIED_FIELDS = (
    "risk_tier_id",
    "risk_score",
    "credit_limit",
    "risk_limit_manual",
    "risk_review_date",
)


class CustomerRiskAssessment(models.Model):
    _inherit = "customer.risk.assessment"

    def action_confirm(self):
        """A batch of confirmations (the nightly job's chunk, an officer's selection) is
        chained into the audit log together: one lock of the company's chain head."""
        with self.env["customer.risk.audit.log"]._risk_log_deferred():
            return super().action_confirm()

    def _apply_to_partner(self):
        """Confirming an assessment is the documented path that sets a tier and its limit
        with this addon installed: it is logged once, as the confirmation, with the
        customer's values before and after (not again as separate tier and limit changes)."""
        Log = self.env["customer.risk.audit.log"]
        partner = self.partner_id.sudo().with_company(self.company_id)
        before = Log._risk_values(partner, APPLIED_FIELDS)
        with profile_change(logged_by_caller=True):
            res = super()._apply_to_partner()
        Log._risk_log(
            self,
            "assessment_confirmed",
            before=before,
            after=Log._risk_values(partner, APPLIED_FIELDS),
            reason=self.tier_reason
            or self.env._(
                "Score %(score)s: tier %(tier)s.", score=self.score, tier=self.tier_id.display_name
            ),
            company=self.company_id,
        )
        return res
