from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .customer_risk_audit import AUDITOR

# What auditors write on a sampled decision; the rest is set when it is drawn or reviewed.
EDITABLE = {"auditor_id", "conclusion", "note"}


class CustomerRiskAuditSample(models.Model):
    """One decision drawn into an audit's sample, with everyone who took part in it: none
    of them may audit it."""

    _name = "customer.risk.audit.sample"
    _description = "Internal Audit Sample"
    _order = "audit_id, id"

    audit_id = fields.Many2one(
        "customer.risk.audit", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True)
    audit_state = fields.Selection(related="audit_id.state", string="Audit Status")
    scope_id = fields.Many2one("customer.risk.audit.scope", readonly=True)
    res_model = fields.Char(string="Decision Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Decision ID", model_field="res_model", required=True, readonly=True
    )
    record_ref = fields.Reference(
        selection="_selection_record_model", string="Decision", compute="_compute_record_ref"
    )
    record_name = fields.Char(string="Decision Name", readonly=True)
    decision_date = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    participant_ids = fields.Many2many(
        "res.users",
        "customer_risk_audit_sample_participant_rel",
        "sample_id",
        "user_id",
        string="Took Part",
        readonly=True,
    )
    auditor_id = fields.Many2one(
        "res.users",
        domain=lambda self: [("groups_id", "in", self.env.ref(AUDITOR).id)],
    )
    conflict = fields.Boolean(
        compute="_compute_conflict",
        help="The assigned auditor took part in this decision: another auditor must review it.",
    )
    conclusion = fields.Selection(
        [("compliant", "Compliant"), ("exception", "Exception")],
    )
    note = fields.Text()
    reviewed = fields.Boolean(readonly=True)
    reviewed_by_id = fields.Many2one("res.users", readonly=True)
    reviewed_on = fields.Datetime(readonly=True)

    @api.model
    def _selection_record_model(self):
        return self.env["customer.risk.control.check"]._selection_record_model()

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for sample in self:
            sample.record_ref = (
                f"{sample.res_model},{sample.res_id}"
                if sample.res_model in self.env and sample.res_id
                else False
            )

    @api.depends("auditor_id", "participant_ids")
    def _compute_conflict(self):
        for sample in self:
            sample.conflict = sample.auditor_id in sample.participant_ids

    @api.depends("record_name", "scope_id.name")
    def _compute_display_name(self):
        for sample in self:
            sample.display_name = sample.record_name or ""

    # ------------------------------------------------------------------ guards

    def _check_independent(self, user):
        """Refuse ``user`` as the auditor of decisions they took part in."""
        for sample in self:
            if user in sample.participant_ids:
                raise UserError(
                    self.env._(
                        "%(user)s took part in %(decision)s and cannot audit it.",
                        user=user.name,
                        decision=sample.record_name,
                    )
                )

    def write(self, vals):
        if not self.env.su:
            self.env["customer.risk.audit"]._check_auditor()
            if set(vals) - EDITABLE:
                raise AccessError(
                    self.env._("A sampled decision is reviewed with its Reviewed button.")
                )
            if any(s.audit_id.state != "in_progress" or s.reviewed for s in self):
                raise UserError(
                    self.env._(
                        "Only sampled decisions not yet reviewed, of an audit in progress, change."
                    )
                )
            if vals.get("auditor_id"):
                auditor = self.env["res.users"].browse(vals["auditor_id"])
                if not auditor.has_group(AUDITOR):
                    raise UserError(
                        self.env._("%(user)s is not an internal auditor.", user=auditor.name)
                    )
                self._check_independent(auditor)
            if {"conclusion", "note"} & set(vals):
                self._check_independent(self.env.user)
        return super().write(vals)

    def action_mark_reviewed(self):
        self.env["customer.risk.audit"]._check_auditor()
        self.check_access("write")
        user = self.env.user
        self._check_independent(user)
        for sample in self:
            if sample.audit_id.state != "in_progress" or sample.reviewed:
                raise UserError(
                    self.env._(
                        "%(decision)s is already reviewed or its audit is not in progress.",
                        decision=sample.record_name,
                    )
                )
            if not sample.conclusion:
                raise UserError(
                    self.env._(
                        "Give the conclusion of the review of %(decision)s.",
                        decision=sample.record_name,
                    )
                )
            if sample.auditor_id and sample.auditor_id != user:
                raise UserError(
                    self.env._(
                        "%(decision)s is assigned to %(auditor)s.",
                        decision=sample.record_name,
                        auditor=sample.auditor_id.name,
                    )
                )
        self.sudo().write(
            {
                "reviewed": True,
                "reviewed_by_id": user.id,
                "reviewed_on": fields.Datetime.now(),
                "auditor_id": user.id,
            }
        )
        return True

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }

    def action_new_finding(self):
        """A finding on this decision, in a form prefilled from it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.risk.audit.finding",
            "view_mode": "form",
            "target": "current",
            "context": {"default_audit_id": self.audit_id.id, "default_sample_id": self.id},
        }
