from odoo import api, models

# Fields of a release its decisions change, logged before and after.
DECISION_FIELDS = ("state", "first_approved_by_id", "approved_by_id", "valid_until")


class CustomerRiskRelease(models.Model):
    _name = "customer.risk.release"
    _inherit = ["customer.risk.release", "customer.risk.control.mixin"]
    _risk_control_point = "release_approval"

    def _risk_decision_values(self):
        self.ensure_one()
        return self.env["customer.risk.audit.log"]._risk_values(self, DECISION_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        releases = super().create(vals_list)
        Log = self.env["customer.risk.audit.log"]
        for release in releases.sudo():
            Log._risk_log(
                release,
                "release_requested",
                before={},
                after=Log._risk_values(
                    release,
                    ["order_id", "amount", "amount_company", "credit_limit", "exposure", "state"],
                ),
                reason=release.reasons,
            )
        return releases

    def _risk_log_decisions(self, event, before, with_note=True):
        """Log ``event`` for each release whose decision fields changed since ``before``,
        with the manager's decision note as the reason."""
        Log = self.env["customer.risk.audit.log"]
        for release in self.sudo():
            reason = release.decision_note if with_note else None
            Log._risk_log_changes(release, event, before[release.id], reason=reason)

    def action_approve(self):
        """Before any approval, the decider's qualification (when the company requires it)
        and the release's control checklist. A first approval (above the manager's
        authority) is logged as well: it is a decision of its own, with the first approver
        in the values after."""
        self._check_decider()
        for company in self.company_id:
            self.env.user._risk_check_qualified(company, self._risk_control_point)
        self._risk_control_gate()
        before = {release.id: release.sudo()._risk_decision_values() for release in self}
        res = super().action_approve()
        self._risk_log_decisions("release_approved", before)
        return res

    def action_reject(self):
        before = {release.id: release.sudo()._risk_decision_values() for release in self}
        res = super().action_reject()
        self._risk_log_decisions("release_rejected", before)
        return res

    def _mark_used(self):
        before = {release.id: release.sudo()._risk_decision_values() for release in self}
        res = super()._mark_used()
        self._risk_log_decisions("release_used", before, with_note=False)
        return res

    def _expire(self, note):
        Log = self.env["customer.risk.audit.log"]
        before = {release.id: release.sudo()._risk_decision_values() for release in self}
        res = super()._expire(note)
        for release in self.sudo():
            Log._risk_log_changes(release, "release_expired", before[release.id], reason=note)
        return res
