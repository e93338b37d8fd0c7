from odoo import api, fields, models
from odoo.exceptions import UserError

CONTROL_POINT = "release_approval"


class CustomerRiskRelease(models.Model):
    _inherit = "customer.risk.release"

    control_check_id = fields.Many2one(
        "customer.risk.control.check", string="Checklist", compute="_compute_control_check_id"
    )
    control_check_state = fields.Selection(
        [("open", "Open"), ("complete", "Complete")],
        string="Checklist Status",
        compute="_compute_control_check_id",
    )

    def _compute_control_check_id(self):
        checks = (
            self.env["customer.risk.control.check"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("control_point", "=", CONTROL_POINT),
                ]
            )
        )
        check_of = {check.res_id: check for check in checks}
        for release in self:
            check = check_of.get(release.id, checks.browse())
            release.control_check_id = check
            release.control_check_state = check.state

    @api.model_create_multi
    def create(self, vals_list):
        # The checklist exists from the request on, so officers work on it before a manager
        # decides (a refused decision rolls back whatever it created).
        releases = super().create(vals_list)
        self.env["customer.risk.control.check"]._risk_checklist_for(releases, CONTROL_POINT)
        return releases

    def action_approve(self):
        """Before any approval, the decider's qualification (when the company requires it)
        and the release's control checklist."""
        self._check_decider()
        user = self.env.user
        for company in self.company_id:
            user._risk_check_qualified(company, CONTROL_POINT)
        self.env["customer.risk.control.check"]._risk_gate(self, CONTROL_POINT, user)
        return super().action_approve()

    def action_open_control_check(self):
        """Open the release's checklist, created from the active template if needed."""
        self.ensure_one()
        Check = self.env["customer.risk.control.check"]
        Check._check_officer()
        check = Check._risk_checklist_for(self, CONTROL_POINT)
        if not check:
            raise UserError(
                self.env._(
                    "No checklist template is active for credit release approvals in "
                    "%(company)s.",
                    company=self.company_id.name,
                )
            )
        return check._risk_action_open()
