from odoo import models

# Fields of a contract its activation or termination sets, logged before and after.
STATE_FIELDS = ("state", "activated_by_id", "terminated_by_id", "date_start", "date_end")


class CustomerRiskContract(models.Model):
    _name = "customer.risk.contract"
    _inherit = ["customer.risk.contract", "customer.risk.control.mixin"]
    _risk_control_point = "contract_activation"

    def _risk_state_values(self):
        Log = self.env["customer.risk.audit.log"]
        return {contract.id: Log._risk_values(contract, STATE_FIELDS) for contract in self}

    def _risk_log_state(self, event, before, reason=None):
        Log = self.env["customer.risk.audit.log"]
        for contract in self:
            Log._risk_log_changes(
                contract, event, before[contract.id], reason=reason and reason(contract)
            )

    def action_activate(self):
        """Activation passes the officer's qualification and the contract's checklist."""
        self._check_officer()
        for company in self.company_id:
            self.env.user._risk_check_qualified(company, self._risk_control_point)
        self._risk_control_gate()
        before = self._risk_state_values()
        res = super().action_activate()
        self._risk_log_state("contract_activated", before)
        return res

    def action_terminate(self):
        before = self._risk_state_values()
        res = super().action_terminate()
        self._risk_log_state("contract_terminated", before, lambda c: c.termination_reason)
        return res
