from odoo import api, fields, models
from odoo.tools import SQL, format_date

from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE


class CustomerRiskTrainingAttendee(models.Model):
    """A user's attendance of a training: the result and, when passed, the certificate."""

    _name = "customer.risk.training.attendee"
    _description = "Credit Risk Training Attendee"
    _order = "date desc, id desc"
    _rec_name = "user_id"

    training_id = fields.Many2one(
        "customer.risk.training", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="training_id.company_id", store=True, index=True)
    topic = fields.Selection(related="training_id.topic", store=True)
    date = fields.Date(related="training_id.date", store=True)
    user_id = fields.Many2one(
        "res.users", string="Attendee", required=True, index=True, domain=[("share", "=", False)]
    )
    result = fields.Selection(
        [("passed", "Passed"), ("failed", "Failed"), ("absent", "Absent")],
        required=True,
        default="passed",
    )
    certificate_expiry = fields.Date(
        compute="_compute_certificate_expiry",
        store=True,
        readonly=False,
        precompute=True,
        help="Empty for a certificate that never expires; only a passed attendance certifies.",
    )
    expiry_reminded = fields.Boolean(
        readonly=True,
        copy=False,
        help="The holder got the To-Do to renew this certificate.",
    )

    _sql_constraints = [
        (
            "training_user_uniq",
            "UNIQUE(training_id, user_id)",
            "A person attends a training once.",
        ),
    ]

    @api.depends("result", "training_id.date", "training_id.validity_months")
    def _compute_certificate_expiry(self):
        for attendee in self:
            attendee.certificate_expiry = (
                attendee.training_id._certificate_expiry() if attendee.result == "passed" else False
            )

    def write(self, vals):
        # A renewed or corrected expiry date deserves its own reminder.
        if "certificate_expiry" in vals or "result" in vals:
            vals = {**vals, "expiry_reminded": False}
        return super().write(vals)

    # ------------------------------------------------------------------ reminders

    @api.model
    def _cron_certificate_reminders(self, chunk_size=200):
        """Give each holder of a certificate about to expire a To-Do to renew it, once per
        certificate, company by company; each chunk commits so a crash resumes."""
        today = fields.Date.context_today(self)
        done = 0
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            while attendee_ids := self._reminder_todo(company, today, chunk_size):
                attendees = self.browse(attendee_ids)
                for attendee in attendees:
                    attendee._remind_expiry()
                done += len(attendees)
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=chunk_size if len(attendees) == chunk_size else 0
                )
                # Batch job: commit per chunk so a crash keeps the reminders given (design rule).
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _reminder_todo(self, company, today, limit):
        """Passed attendances of ``company`` whose certificate expires within the company's
        reminder delay and whose holder was not reminded yet (SKIP LOCKED: two runs share
        the work)."""
        self.flush_model(["company_id", "result", "certificate_expiry", "expiry_reminded"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_risk_training_attendee
                 WHERE company_id = %(company)s
                   AND result = 'passed'
                   AND expiry_reminded IS NOT TRUE
                   AND certificate_expiry >= %(today)s
                   AND certificate_expiry <= %(today)s + %(days)s
                 ORDER BY id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                company=company.id,
                today=today,
                days=company.risk_certificate_reminder_days,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _remind_expiry(self):
        """A To-Do for the holder, unless a later certificate on the topic already renews it."""
        self.ensure_one()
        renewed = self.search_count(
            [
                ("user_id", "=", self.user_id.id),
                ("company_id", "=", self.company_id.id),
                ("topic", "=", self.topic),
                ("result", "=", "passed"),
                "|",
                ("certificate_expiry", "=", False),
                ("certificate_expiry", ">", self.certificate_expiry),
            ],
            limit=1,
        )
        if not renewed and self.user_id.active:
            self.training_id.activity_schedule(
                TASK_ACTIVITY_TYPE,
                date_deadline=self.certificate_expiry,
                summary=self.env._("Renew your training certificate"),
                note=self.env._(
                    "Your certificate on %(topic)s expires on %(date)s: attend a new training "
                    "to keep it valid.",
                    topic=dict(self._fields["topic"]._description_selection(self.env))[self.topic],
                    date=format_date(self.env, self.certificate_expiry),
                ),
                user_id=self.user_id.id,
            )
        self.expiry_reminded = True
