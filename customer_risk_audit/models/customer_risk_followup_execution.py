from odoo import models


class CustomerRiskFollowupExecution(models.Model):
    _inherit = "customer.risk.followup.execution"

    def _action_escalate(self):
        """An escalation is a decision of the follow-up policy: logged with the customer's
        level, items and amount, and who it went to (with the batch's other escalations)."""
        note = super()._action_escalate()
        self._followup_batch().extra["audit_log"] += self.env[
            "customer.risk.audit.log"
        ]._risk_prepare(
            self,
            "followup_escalated",
            before={},
            after={
                "level": [self.level_id.id, self.level_id.name],
                "escalated_to": [self.escalated_to_id.id, self.escalated_to_id.name],
                "amount": self.amount,
                "days_overdue": self.days_overdue,
                "items": self.line_ids.move_id.mapped("name"),
            },
            reason=note,
            company=self.company_id,
        )
        return note

    def _followup_flush_batch(self, batch):
        super()._followup_flush_batch(batch)
        prepared = batch.extra.pop("audit_log", None)
        if prepared:
            self.env["customer.risk.audit.log"]._risk_append(prepared)
