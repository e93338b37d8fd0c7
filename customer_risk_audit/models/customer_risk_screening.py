from odoo import models

# Fields of a screening round its decision sets, logged before and after.
DECISION_FIELDS = ("state", "result", "decided_by_id", "valid_until")


class CustomerRiskScreening(models.Model):
    _name = "customer.risk.screening"
    _inherit = ["customer.risk.screening", "customer.risk.control.mixin"]
    _risk_control_point = "screening_approval"

    def _decide(self, result):
        """An approval (with or without conditions) passes the decider's qualification and
        the round's checklist first; a rejection never waits for them. Every decision is
        logged with the round's values before and after and the officer's note."""
        self._check_officer()
        if result != "rejected":
            for company in self.company_id:
                self.env.user._risk_check_qualified(company, self._risk_control_point)
            self._risk_control_gate()
        Log = self.env["customer.risk.audit.log"]
        before = {s.id: Log._risk_values(s, DECISION_FIELDS) for s in self}
        res = super()._decide(result)
        for screening in self:
            Log._risk_log_changes(
                screening, "screening_decided", before[screening.id], reason=screening.decision_note
            )
        return res
