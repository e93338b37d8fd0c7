from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, format_date, formatLang

from odoo.addons.customer_risk.models.customer_risk_team_mixin import TODO_ACTIVITY


class CustomerRiskFollowupExecution(models.Model):
    """One follow-up level executed for one customer in one overdue episode: what was sent
    and done, on which items, and the guard that nothing is ever done twice."""

    _name = "customer.risk.followup.execution"
    _description = "Follow-up Execution"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    level_id = fields.Many2one(
        "customer.risk.followup.level",
        required=True,
        readonly=True,
        index=True,
        # Levels that were executed cannot be deleted (see the level); this only lets the
        # addon uninstall.
        ondelete="cascade",
        check_company=True,
    )
    episode_date = fields.Date(
        string="Oldest Due Date",
        required=True,
        readonly=True,
        help="Due date of the customer's oldest open item when the level was executed. It "
        "identifies the overdue episode, in which each level is executed once.",
    )
    date = fields.Datetime(string="Executed On", readonly=True)
    user_id = fields.Many2one("res.users", string="Executed By", readonly=True)
    trigger = fields.Selection(
        [("auto", "Daily run"), ("manual", "Collector")], string="Executed From", readonly=True
    )
    line_ids = fields.Many2many(
        "account.move.line",
        relation="customer_risk_followup_execution_line_rel",
        column1="execution_id",
        column2="line_id",
        string="Items",
        readonly=True,
    )
    move_ids = fields.Many2many("account.move", string="Invoices", compute="_compute_move_ids")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Amount Reminded",
        readonly=True,
        help="Open amount of the items in company currency when the level was executed.",
    )
    days_overdue = fields.Integer(
        string="Days Past Due", readonly=True, help="Days past the oldest due date."
    )
    recipient_id = fields.Many2one("res.partner", string="Invoicing Contact", readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", string="Email", readonly=True, ondelete="set null"
    )
    fallback = fields.Boolean(
        string="No Usable Email",
        readonly=True,
        help="The invoicing contact has no usable email address: a letter and an activity "
        "replaced the email.",
    )
    letter = fields.Boolean(string="Letter to Print", readonly=True)
    letter_printed = fields.Boolean(readonly=True)
    activity_user_id = fields.Many2one("res.users", string="Activity For", readonly=True)
    hold = fields.Boolean(string="Credit Hold Applied", readonly=True)
    escalated_to_id = fields.Many2one("res.users", readonly=True)
    summary = fields.Text(string="What Was Done", readonly=True)

    _sql_constraints = [
        (
            "episode_level_uniq",
            "unique(partner_id, level_id, episode_date, company_id)",
            "A follow-up level is executed once per customer and overdue episode.",
        ),
    ]

    @api.depends("line_ids")
    def _compute_move_ids(self):
        for execution in self:
            execution.move_ids = execution.line_ids.move_id

    @api.depends("level_id", "partner_id")
    def _compute_display_name(self):
        for execution in self:
            execution.display_name = self.env._(
                "%(level)s: %(customer)s",
                level=execution.level_id.name or "",
                customer=execution.partner_id.name or "",
            )

    # ------------------------------------------------------------------ execution

    @api.model
    def _insert_once(self, partner, level, episode, company, trigger):
        """Insert the log row of an execution, first and in the transaction of its actions.

        The unique index on (customer, level, episode, company) makes a second run, or one
        running in parallel, find the row and do nothing: it waits for the first to commit
        or roll back. Returns the new row, or an empty recordset when it already exists.
        """
        now = fields.Datetime.now()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        INSERT INTO customer_risk_followup_execution
                               (partner_id, level_id, episode_date, company_id, date, trigger,
                                user_id, create_uid, create_date, write_uid, write_date)
                        VALUES (%(partner)s, %(level)s, %(episode)s, %(company)s, %(now)s,
                                %(trigger)s, %(uid)s, %(uid)s, %(now)s, %(uid)s, %(now)s)
                        ON CONFLICT DO NOTHING
                        RETURNING id
                        """,
                        partner=partner.id,
                        level=level.id,
                        episode=episode,
                        company=company.id,
                        now=now,
                        trigger=trigger,
                        uid=self.env.uid,
                    ),
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except pg_errors.SerializationFailure:
            # A run that committed after this transaction began inserted it (REPEATABLE READ).
            return self.browse()
        return self.browse(row[0]) if row else self.browse()

    def _execute(self, line_ids, days):
        """Carry out the level's actions for the customer, on the items ``line_ids``; log
        what was done and post it in the customer's chatter."""
        self.ensure_one()
        level, partner = self.level_id, self.partner_id
        lines = self.env["account.move.line"].browse(line_ids)
        recipient = partner.browse(partner.address_get(["invoice"])["invoice"])
        self.write(
            {
                "line_ids": [Command.set(lines.ids)],
                "amount": sum(lines.mapped("amount_residual")),
                "days_overdue": days,
                "recipient_id": recipient.id,
            }
        )
        notes = []
        if level.send_email and email_normalize(recipient.email or ""):
            notes.append(self._action_email())
        elif level.send_email:
            self.fallback = True
            notes.append(
                self.env._(
                    "No usable email address for %(contact)s: a letter to print and an "
                    "activity replace the email.",
                    contact=recipient.display_name,
                )
            )
        if level.send_letter or self.fallback:
            notes.append(self._action_letter())
        if level.create_activity or self.fallback:
            notes.append(self._action_activity())
        if level.credit_hold:
            notes.append(self._action_hold())
        if level.escalate:
            notes.append(self._action_escalate())
        self.summary = "\n".join(notes)
        self._post_summary(notes)

    def _action_email(self):
        """Queue the email (never sent inside this transaction) and keep it in the
        customer's chatter."""
        partner = self.partner_id
        mail = self.env["mail.mail"].browse(
            self.level_id.mail_template_id.send_mail(
                self.id,
                force_send=False,
                email_values={
                    "model": partner._name,
                    "res_id": partner.id,
                    # The message stays in the chatter once the queue has sent and deleted it.
                    "is_notification": True,
                },
            )
        )
        self.mail_message_id = mail.mail_message_id
        return self.env._(
            "Email queued to %(contact)s <%(email)s>.",
            contact=self.recipient_id.name,
            email=self.recipient_id.email,
        )

    def _action_letter(self):
        self.letter = True
        return self.env._("Letter to print from the follow-up log.")

    def _activity_user(self):
        """Who acts on the activity: the level's choice, else the collector, the
        salesperson, the level's fixed user, finally the user running the follow-ups."""
        level, partner = self.level_id, self.partner_id
        chosen = {
            "collector": partner.followup_responsible_id,
            "salesperson": partner.user_id,
            "user": level.activity_user_id,
        }[level.activity_target]
        for user in (
            chosen,
            partner.followup_responsible_id,
            partner.user_id,
            level.activity_user_id,
        ):
            if user and user.active:
                return user
        return self.env.user

    def _action_activity(self):
        level, partner = self.level_id, self.partner_id
        user = self._activity_user()
        if level.create_activity:
            activity_type = level.activity_type_id
            summary = level.activity_summary or level.name
        else:
            activity_type = self.env.ref(TODO_ACTIVITY)
            summary = self.env._("Send the follow-up letter")
        if self.fallback:
            summary = self.env._("%(summary)s (no usable email: post the letter)", summary=summary)
        partner.activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=self._items_html(),
            user_id=user.id,
            date_deadline=fields.Date.context_today(self),
        )
        self.activity_user_id = user
        return self.env._(
            "Activity %(type)s for %(user)s.", type=activity_type.name, user=user.name
        )

    def _action_hold(self):
        """Credit holds are for credit managers: the follow-up run sets it on their behalf
        (the run checked its own permission), with the reason."""
        partner = self.partner_id.sudo()
        if partner.risk_hold:
            return self.env._("Already on credit hold.")
        reason = self.env._(
            "%(level)s (follow-up): %(amount)s open since %(date)s",
            level=self.level_id.name,
            amount=formatLang(self.env, self.amount, currency_obj=self.currency_id),
            date=format_date(self.env, self.episode_date),
        )
        partner.write({"risk_hold": True, "risk_hold_reason": reason})
        self.hold = True
        return self.env._("Put on credit hold: %(reason)s.", reason=reason)

    def _action_escalate(self):
        user = self.level_id.escalate_user_id
        self.partner_id.activity_schedule(
            TODO_ACTIVITY,
            summary=self.env._("Escalated follow-up: %(level)s", level=self.level_id.name),
            note=self._items_html(),
            user_id=user.id,
            date_deadline=fields.Date.context_today(self),
        )
        self.escalated_to_id = user
        return self.env._("Escalated to %(user)s.", user=user.name)

    def _items_html(self):
        rows = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(invoice)s due %(due)s: %(amount)s",
                invoice=line.move_id.name,
                due=format_date(self.env, line.date_maturity or line.date),
                amount=formatLang(self.env, line.amount_residual, currency_obj=self.currency_id),
            )
            for line in self.line_ids
        )
        total = self.env._(
            "Total %(amount)s, %(days)s days past the oldest due date.",
            amount=formatLang(self.env, self.amount, currency_obj=self.currency_id),
            days=self.days_overdue,
        )
        return Markup("<ul>%s</ul><p>%s</p>") % (rows, total)

    def _post_summary(self, notes):
        title = self.env._(
            "Follow-up %(level)s executed (%(trigger)s).",
            level=self.level_id.name,
            trigger=dict(self._fields["trigger"]._description_selection(self.env))[self.trigger],
        )
        actions = Markup("").join(Markup("<li>%s</li>") % note for note in notes)
        self.partner_id._risk_post(
            body=Markup("<p><strong>%s</strong></p>%s<ul>%s</ul>")
            % (title, self._items_html(), actions),
            subtype_xmlid="mail.mt_note",
            # The escalation user is notified, whether or not they follow the customer.
            partner_ids=self.escalated_to_id.partner_id.ids,
        )

    # ------------------------------------------------------------------ letters

    def action_print_letters(self):
        """Print the letters of the selected executions and mark them printed."""
        self.env["res.partner"]._followup_check_collector()
        letters = self.filtered("letter")
        if not letters:
            raise UserError(self.env._("None of the selected follow-ups has a letter to print."))
        letters.sudo().letter_printed = True
        return self.env.ref(
            "customer_risk_collections.action_report_followup_letter"
        ).report_action(letters)
