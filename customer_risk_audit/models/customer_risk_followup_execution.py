from odoo import api, models


class CustomerRiskFollowupExecution(models.Model):
    _inherit = "customer.risk.followup.execution"

    def _action_escalate(self):
        """An escalation is a decision of the follow-up policy: logged with the customer's
        level, items and amount, and who it went to."""
        note = super()._action_escalate()
        self.env["customer.risk.audit.log"]._risk_log(
            self,
            "followup_escalated",
            before={},
            after={
                "level": [self.level_id.id, self.level_id.name],
                "escalated_to": [self.escalated_to_id.id, self.escalated_to_id.name],
                "amount": self.amount,
                "days_overdue": self.days_overdue,
                "items": self._followup_invoice_names(),
            },
            reason=note,
            company=self.company_id,
        )
        return note

    @api.model
    def _execute_many(self, todo, company, trigger, today):
        """The entries of a chunk (escalations, credit holds) are chained together."""
        with self.env["customer.risk.audit.log"]._risk_log_deferred():
            return super()._execute_many(todo, company, trigger, today)
