from odoo import api, fields, models


class CustomerRiskControlMixin(models.AbstractModel):
    """A record whose decision a control checklist gates. A model adds this mixin, names
    its control point in ``_risk_control_point``, calls ``_risk_control_gate()`` in the
    action that takes the decision, and shows ``action_open_control_check`` as a button."""

    _name = "customer.risk.control.mixin"
    _description = "Record Gated by a Control Checklist"
    _risk_control_point = None

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
                    ("control_point", "=", self._risk_control_point),
                ]
            )
        )
        check_of = {check.res_id: check for check in checks}
        for record in self:
            check = check_of.get(record.id, checks.browse())
            record.control_check_id = check
            record.control_check_state = check.state

    @api.model_create_multi
    def create(self, vals_list):
        # The checklist exists from the start, so officers work on it before anyone decides
        # (a refused decision rolls back whatever it created).
        records = super().create(vals_list)
        self.env["customer.risk.control.check"]._risk_checklist_for(
            records, self._risk_control_point
        )
        return records

    def _risk_control_gate(self, user=None):
        """Refuse the decision unless the checklists of these records let ``user`` (the
        current user by default) take it."""
        return self.env["customer.risk.control.check"]._risk_gate(
            self, self._risk_control_point, user or self.env.user
        )

    def action_open_control_check(self):
        """Open the record's checklist, created from the active template if needed."""
        self.ensure_one()
        return self.env["customer.risk.control.check"]._risk_open_for(
            self, self._risk_control_point
        )
