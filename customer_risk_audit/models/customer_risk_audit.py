import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.customer_risk import tools
from odoo.addons.customer_risk.tools.xlsx import download_action

from ..report.audit_workbook import audit_workbook

AUDITOR = "customer_risk_audit.group_risk_auditor"
# What was sampled: fixed once the sample is drawn, so anyone can draw it again.
SAMPLING_FIELDS = {"company_id", "date_from", "date_to", "scope_ids", "sample_size"}
# Set by the actions only.
ACTION_FIELDS = {"seed", "state", "candidate_count", "date_drawn", "date_done"}


class CustomerRiskAudit(models.Model):
    """An internal audit campaign: a random, reproducible sample of the decisions of a
    period, reviewed by auditors who took no part in them, and the findings it raised."""

    _name = "customer.risk.audit"
    _description = "Internal Audit"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.risk.kept.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Lead Auditor",
        default=lambda self: self.env.user,
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(AUDITOR).id)],
    )
    date_from = fields.Date(string="Period From", required=True)
    date_to = fields.Date(string="Period To", required=True)
    scope_ids = fields.Many2many(
        "customer.risk.audit.scope",
        help="The types of decisions of the period the sample is drawn from.",
    )
    sample_size = fields.Integer(default=10, required=True)
    seed = fields.Integer(
        readonly=True,
        copy=False,
        default=lambda self: secrets.randbelow(2**31),
        help="Drawn once at creation: with the same period, scope and size it always "
        "selects the same decisions, so anyone can verify the sample.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("in_progress", "In Progress"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    candidate_count = fields.Integer(string="Decisions in Period", readonly=True, copy=False)
    date_drawn = fields.Datetime(string="Sample Drawn On", readonly=True, copy=False)
    date_done = fields.Datetime(string="Completed On", readonly=True, copy=False)
    conclusion = fields.Text()
    sample_ids = fields.One2many("customer.risk.audit.sample", "audit_id")
    finding_ids = fields.One2many("customer.risk.audit.finding", "audit_id", string="Findings")
    sample_count = fields.Integer(compute="_compute_counts")
    reviewed_count = fields.Integer(compute="_compute_counts")
    finding_count = fields.Integer(compute="_compute_counts")
    open_finding_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("sample_size_positive", "CHECK(sample_size > 0)", "The sample size must be positive."),
    ]

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for audit in self:
            if audit.date_from > audit.date_to:
                raise ValidationError(self.env._("The period of an audit ends after it starts."))

    def _compute_counts(self):
        samples = self.env["customer.risk.audit.sample"]._read_group(
            [("audit_id", "in", self.ids)], ["audit_id", "reviewed"], ["__count"]
        )
        findings = self.env["customer.risk.audit.finding"]._read_group(
            [("audit_id", "in", self.ids)], ["audit_id", "state"], ["__count"]
        )
        sample_of, reviewed_of = defaultdict(int), defaultdict(int)
        for audit, reviewed, count in samples:
            sample_of[audit] += count
            if reviewed:
                reviewed_of[audit] += count
        finding_of, open_of = defaultdict(int), defaultdict(int)
        for audit, state, count in findings:
            finding_of[audit] += count
            if state != "closed":
                open_of[audit] += count
        for audit in self:
            audit.sample_count = sample_of[audit]
            audit.reviewed_count = reviewed_of[audit]
            audit.finding_count = finding_of[audit]
            audit.open_finding_count = open_of[audit]

    # ------------------------------------------------------------------ guards

    @api.model
    def _check_auditor(self):
        if not self.env.su and not self.env.user.has_group(AUDITOR):
            raise AccessError(self.env._("Only internal auditors run internal audits."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_auditor()
        for vals in vals_list:
            # An audit starts as a draft; a seed may be given to draw an earlier sample again.
            if set(vals) & (ACTION_FIELDS - {"seed"}) and not self.env.su:
                raise AccessError(self.env._("An audit starts as a draft."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_auditor()
            changed = {n for n in vals if not n.startswith(("message_", "activity_"))}
            if changed & ACTION_FIELDS:
                raise AccessError(
                    self.env._("The seed and the status of an audit change only by its buttons.")
                )
            if changed & SAMPLING_FIELDS and any(a.state != "draft" for a in self):
                raise UserError(
                    self.env._(
                        "The sample is drawn: the company, period, scope and size of the audit "
                        "are fixed."
                    )
                )
            if changed and any(a.state == "done" for a in self):
                raise UserError(self.env._("A completed audit can no longer change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(audit.state != "draft" for audit in self):
            raise UserError(self.env._("Only draft audits can be deleted."))

    # ------------------------------------------------------------------ sampling

    @api.model
    def _risk_audit_sources(self):
        """Where each scope code finds the decisions of a period: the model, the date of
        the decision, a domain, who decided and the fields naming everyone who took part.
        Other decision types are added by extending this with ``super()``."""
        return {
            "release_approved": {
                "model": "customer.risk.release",
                "date": "date_decided",
                "domain": [("approved_by_id", "!=", False)],
                "decider": "approved_by_id",
                "participants": (
                    "requested_by_id",
                    "salesperson_id",
                    "first_approved_by_id",
                    "approved_by_id",
                ),
            },
            "release_rejected": {
                "model": "customer.risk.release",
                "date": "date_decided",
                "domain": [("rejected_by_id", "!=", False)],
                "decider": "rejected_by_id",
                "participants": (
                    "requested_by_id",
                    "salesperson_id",
                    "first_approved_by_id",
                    "rejected_by_id",
                ),
            },
            "assessment_confirmed": {
                "model": "customer.risk.assessment",
                "date": "confirm_date",
                "domain": [("state", "=", "confirmed")],
                "decider": "confirmed_by_id",
                "participants": ("assessed_by_id", "confirmed_by_id"),
            },
            "control_check": {
                "model": "customer.risk.control.check",
                "date": "gate_passed_on",
                "domain": [("gate_passed_on", "!=", False)],
                "decider": "gate_passed_by_id",
                "participants": ("gate_passed_by_id", "item_ids.done_by_id"),
            },
        }

    def _risk_candidates(self):
        """Every decision of the audit's period and scope: ``{(model, id): scope}``."""
        self.ensure_one()
        sources = self._risk_audit_sources()
        candidates = {}
        for scope in self.scope_ids:
            source = sources.get(scope.code)
            if not source:
                continue
            Model = self.env[source["model"]].sudo().with_context(active_test=False)
            if Model._fields[source["date"]].type == "datetime":
                period = [
                    (source["date"], ">=", datetime.combine(self.date_from, time.min)),
                    (source["date"], "<", datetime.combine(self.date_to, time.min) + timedelta(1)),
                ]
            else:
                period = [
                    (source["date"], ">=", self.date_from),
                    (source["date"], "<=", self.date_to),
                ]
            domain = [*source["domain"], *period, ("company_id", "=", self.company_id.id)]
            for record_id in Model.search(domain).ids:
                candidates.setdefault((source["model"], record_id), scope)
        return candidates

    def _prepare_sample_vals(self, picked, candidates):
        """One sample line per picked decision, with who took part in it."""
        self.ensure_one()
        sources = self._risk_audit_sources()
        vals_list = []
        for model, record_id in picked:
            scope = candidates[model, record_id]
            source = sources[scope.code]
            record = self.env[model].sudo().browse(record_id)
            participants = self.env["res.users"].union(
                *(record.mapped(path) for path in source["participants"])
            )
            vals_list.append(
                {
                    "audit_id": self.id,
                    "scope_id": scope.id,
                    "res_model": model,
                    "res_id": record_id,
                    "record_name": record.display_name,
                    "decision_date": record[source["date"]],
                    "decided_by_id": record.mapped(source["decider"])[:1].id,
                    "participant_ids": [Command.set(participants.ids)],
                    # Independence: the lead auditor reviews only decisions they took no part in.
                    "auditor_id": self.user_id.id if self.user_id not in participants else False,
                }
            )
        return vals_list

    def action_draw_sample(self):
        self._check_auditor()
        self.check_access("write")
        for audit in self:
            if audit.state != "draft":
                raise UserError(
                    self.env._("The sample of %(audit)s is already drawn.", audit=audit.name)
                )
            if not audit.scope_ids:
                raise UserError(self.env._("Choose the scope of the audit first."))
            candidates = audit._risk_candidates()
            picked = tools.draw_sample(list(candidates), audit.sample_size, audit.seed)
            self.env["customer.risk.audit.sample"].sudo().create(
                audit._prepare_sample_vals(picked, candidates)
            )
            audit.sudo().write(
                {
                    "state": "in_progress",
                    "candidate_count": len(candidates),
                    "date_drawn": fields.Datetime.now(),
                }
            )
            audit._risk_post(
                body=self.env._(
                    "Sample of %(count)s decisions drawn among %(total)s with seed %(seed)s.",
                    count=len(picked),
                    total=len(candidates),
                    seed=audit.seed,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_done(self):
        self._check_auditor()
        self.check_access("write")
        for audit in self:
            if audit.state != "in_progress":
                raise UserError(self.env._("Draw the sample of %(audit)s first.", audit=audit.name))
            if audit.sample_ids.filtered(lambda s: not s.reviewed):
                raise UserError(
                    self.env._(
                        "Review every sampled decision of %(audit)s before completing it.",
                        audit=audit.name,
                    )
                )
        self.sudo().write({"state": "done", "date_done": fields.Datetime.now()})
        for audit in self:
            audit._risk_audit_event(
                "audit_completed",
                self.env._(
                    "Audit completed by %(user)s: %(count)s decisions reviewed, %(findings)s "
                    "findings.",
                    user=self.env.user.name,
                    count=audit.sample_count,
                    findings=audit.finding_count,
                ),
                before={"state": "in_progress"},
                after={"state": "done"},
            )
        return True

    # ------------------------------------------------------------------ reports

    def action_export_xlsx(self):
        self.ensure_one()
        # Auditors read the audit but own no attachment rights on it: stored as superuser.
        return download_action(
            self.sudo(),
            f"audit-{self.id}-{self.date_from}-{self.date_to}.xlsx",
            audit_workbook(self),
        )
