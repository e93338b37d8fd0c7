from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date

from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE

from .customer_risk_audit import AUDITOR

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
# What the owner of a corrective action writes; auditors write the finding itself.
OWNER_FIELDS = {"progress_note"}
AUDITOR_FIELDS = {
    "name",
    "severity",
    "sample_id",
    "description",
    "owner_id",
    "corrective_action",
    "due_date",
    "progress_note",
}


class CustomerRiskAuditFinding(models.Model):
    """A weakness an audit found, and the corrective action its owner must take by a date."""

    _name = "customer.risk.audit.finding"
    _description = "Internal Audit Finding"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, due_date, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    audit_id = fields.Many2one(
        "customer.risk.audit", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True)
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    sample_id = fields.Many2one(
        "customer.risk.audit.sample",
        string="Sampled Decision",
        domain="[('audit_id', '=', audit_id)]",
        ondelete="set null",
    )
    res_model = fields.Char(related="sample_id.res_model")
    res_id = fields.Many2oneReference(related="sample_id.res_id", model_field="res_model")
    record_name = fields.Char(related="sample_id.record_name", string="Decision")
    description = fields.Text(required=True)
    owner_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain=lambda self: [
            ("share", "=", False),
            ("groups_id", "in", self.env.ref("customer_risk.group_risk_user").id),
        ],
        help="Who takes the corrective action; gets a To-Do and reminders when it is late.",
    )
    corrective_action = fields.Text()
    due_date = fields.Date(tracking=True)
    progress_note = fields.Text(help="What the owner did so far.")
    state = fields.Selection(
        [("open", "Open"), ("in_progress", "In Progress"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    closed_on = fields.Datetime(readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    reminded_due_date = fields.Date(
        readonly=True,
        copy=False,
        help="The due date the last overdue reminder was about: one reminder per missed date.",
    )
    is_auditor = fields.Boolean(compute="_compute_is_auditor")
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )

    @api.constrains("sample_id", "audit_id")
    def _check_sample_of_audit(self):
        for finding in self:
            if finding.sample_id and finding.sample_id.audit_id != finding.audit_id:
                raise ValidationError(
                    self.env._("A finding refers to a decision sampled by its own audit.")
                )

    @api.depends_context("uid")
    def _compute_is_auditor(self):
        self.is_auditor = self._is_auditor()

    @api.depends("due_date", "state")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for finding in self:
            finding.is_overdue = (
                finding.state != "closed" and bool(finding.due_date) and finding.due_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue findings."))
        domain = [
            ("state", "!=", "closed"),
            ("due_date", "<", fields.Date.context_today(self)),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------ guards

    def _is_auditor(self):
        return self.env.su or self.env.user.has_group(AUDITOR)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["customer.risk.audit"]._check_auditor()
        findings = super().create(vals_list)
        for finding in findings:
            if finding.audit_id.state != "in_progress" and not self.env.su:
                raise UserError(self.env._("Findings are recorded while the audit is in progress."))
            finding._schedule_owner_todo()
            finding._risk_audit_event(
                "finding_recorded",
                self.env._(
                    "Finding recorded by %(user)s (severity %(severity)s).",
                    user=self.env.user.name,
                    severity=finding._severity_label(),
                ),
                after={"severity": finding.severity, "state": finding.state},
                reason=finding.description,
            )
        return findings

    def write(self, vals):
        if not self.env.su:
            self.check_access("read")
            changed = {n for n in vals if not n.startswith(("message_", "activity_"))}
            allowed = AUDITOR_FIELDS if self._is_auditor() else OWNER_FIELDS
            if changed - allowed:
                raise AccessError(
                    self.env._(
                        "Auditors write findings; the owner writes the progress of the "
                        "corrective action; the status changes by the buttons."
                    )
                )
            if not self._is_auditor() and any(f.owner_id != self.env.user for f in self):
                raise AccessError(self.env._("Only the owner reports progress on a finding."))
            if changed and any(f.state == "closed" for f in self):
                raise UserError(self.env._("Reopen a closed finding before changing it."))
            # The owner has no write access on findings: the checks above are the permission.
            result = super(CustomerRiskAuditFinding, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        if {"owner_id", "due_date"} & set(vals):
            for finding in self:
                finding.sudo().activity_unlink([TASK_ACTIVITY_TYPE])
                finding._schedule_owner_todo()
        return result

    def _schedule_owner_todo(self):
        self.ensure_one()
        if self.owner_id and self.state != "closed":
            self.sudo().activity_schedule(
                TASK_ACTIVITY_TYPE,
                date_deadline=self.due_date or fields.Date.context_today(self),
                summary=self.env._("Corrective action: %(finding)s", finding=self.name),
                note=self.corrective_action or self.description,
                user_id=self.owner_id.id,
            )

    def _severity_label(self):
        return dict(self._fields["severity"]._description_selection(self.env))[self.severity]

    # ------------------------------------------------------------------ actions

    def action_start(self):
        """The owner (or an auditor) starts the corrective action."""
        self.check_access("read")
        if not self._is_auditor() and any(f.owner_id != self.env.user for f in self):
            raise AccessError(
                self.env._("Only the owner or an auditor starts a corrective action.")
            )
        if any(f.state != "open" for f in self):
            raise UserError(self.env._("Only open findings are started."))
        self.sudo().write({"state": "in_progress"})
        return True

    def action_close(self):
        """An auditor verifies the corrective action and closes the finding."""
        self.env["customer.risk.audit"]._check_auditor()
        self.check_access("write")
        if any(f.state == "closed" for f in self):
            raise UserError(self.env._("The finding is already closed."))
        for finding in self:
            before = finding.state
            finding.sudo().write(
                {
                    "state": "closed",
                    "closed_on": fields.Datetime.now(),
                    "closed_by_id": self.env.uid,
                }
            )
            finding.sudo().activity_feedback(
                [TASK_ACTIVITY_TYPE],
                feedback=self.env._("Closed by %(user)s.", user=self.env.user.name),
            )
            finding._risk_audit_event(
                "finding_closed",
                self.env._("Finding closed by %(user)s.", user=self.env.user.name),
                before={"state": before},
                after={"state": "closed"},
                reason=finding.progress_note,
            )
        return True

    def action_reopen(self):
        self.env["customer.risk.audit"]._check_auditor()
        self.check_access("write")
        if any(f.state != "closed" for f in self):
            raise UserError(self.env._("Only closed findings are reopened."))
        self.sudo().write({"state": "in_progress", "closed_on": False, "closed_by_id": False})
        for finding in self:
            finding._schedule_owner_todo()
        return True

    # ------------------------------------------------------------------ reminders

    @api.model
    def _cron_remind_overdue(self, chunk_size=200):
        """Remind the owner (and the lead auditor) of each corrective action past its due
        date, once per missed date; each chunk commits, so a crash resumes where it stopped."""
        today = fields.Date.context_today(self)
        done = 0
        while finding_ids := self._overdue_todo(today, chunk_size):
            findings = self.browse(finding_ids).with_context(mail_notify_force_send=False)
            for finding in findings:
                finding._remind_overdue()
            done += len(findings)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=chunk_size if len(findings) == chunk_size else 0
            )
            # Batch job: commit per chunk so a crash keeps the reminders sent (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _overdue_todo(self, today, limit):
        """Overdue findings not yet reminded of their current due date, locked with SKIP
        LOCKED so two runs share the work instead of reminding twice."""
        self.flush_model(["state", "due_date", "reminded_due_date", "owner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_risk_audit_finding
                 WHERE state != 'closed'
                   AND owner_id IS NOT NULL
                   AND due_date < %(today)s
                   AND reminded_due_date IS DISTINCT FROM due_date
                 ORDER BY id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                today=today,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _remind_overdue(self):
        self.ensure_one()
        finding = self.sudo()
        finding.activity_schedule(
            TASK_ACTIVITY_TYPE,
            date_deadline=fields.Date.context_today(self),
            summary=self.env._("Overdue corrective action: %(finding)s", finding=self.name),
            note=self.corrective_action or self.description,
            user_id=self.owner_id.id,
        )
        recipients = (self.owner_id | self.audit_id.user_id).partner_id
        finding._risk_post(
            body=self.env._(
                "The corrective action was due on %(date)s and is not closed.",
                date=format_date(self.env, self.due_date),
            ),
            partner_ids=recipients.ids,
            subtype_xmlid="mail.mt_comment",
        )
        finding.reminded_due_date = self.due_date
