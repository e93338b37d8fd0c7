from odoo import models


class CustomerRiskRelease(models.Model):
    _name = "customer.risk.release"
    _inherit = ["customer.risk.release", "customer.risk.control.mixin"]
    _risk_control_point = "release_approval"

    def action_approve(self):
        """Before any approval, the decider's qualification (when the company requires it)
        and the release's control checklist."""
        self._check_decider()
        for company in self.company_id:
            self.env.user._risk_check_qualified(company, self._risk_control_point)
        self._risk_control_gate()
        return super().action_approve()
