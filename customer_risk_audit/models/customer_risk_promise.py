from odoo import models


class CustomerRiskPromise(models.Model):
    _inherit = "customer.risk.promise"

    def _on_broken(self):
        """A broken promise resumes the follow-ups and raises an alert: logged with what was
        promised and what was paid."""
        res = super()._on_broken()
        Log = self.env["customer.risk.audit.log"]
        for promise in self:
            Log._risk_log(
                promise,
                "promise_broken",
                before={"state": "open", "amount": promise.amount, "date": str(promise.date)},
                after={
                    "state": promise.state,
                    "amount_paid": promise.amount_paid,
                    "date_closed": str(promise.date_closed) if promise.date_closed else None,
                },
                company=promise.company_id,
            )
        return res
