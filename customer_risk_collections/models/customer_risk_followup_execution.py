import uuid
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from lxml import html
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, format_date, formatLang

from odoo.addons.customer_risk import tools
from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE
from odoo.addons.customer_risk.models.html_once import create_html_once

# The dates and amounts formatted during one follow-up run ({key: text}), shared by its
# chunks (``remembering_formats``); each batch has its own outside a run.
_RUN_FORMATS = ContextVar("customer_risk_followup_run_formats", default=None)


def _run_formats():
    """The run's formatted dates and amounts, else a new dict."""
    formats = _RUN_FORMATS.get()
    return {} if formats is None else formats


@contextmanager
def remembering_formats():
    """Within this block (a follow-up run), a date or amount formatted once is reused by
    every later chunk rather than formatted again (each costs a look-up of the language)."""
    token = _RUN_FORMATS.set({})
    try:
        yield
    finally:
        _RUN_FORMATS.reset(token)


def _remembered(function, results):
    """``function`` remembering its results in ``results`` by arguments (when they can be
    keys)."""

    def remembered(*args, **kwargs):
        try:
            key = (args, tuple(sorted(kwargs.items())))
            return results[key]
        except KeyError:
            results[key] = function(*args, **kwargs)
            return results[key]
        except TypeError:
            return function(*args, **kwargs)

    return remembered


@dataclass
class FollowupBatch:
    """What the executions of one batch queue, to be created together."""

    emails: list = field(default_factory=list)  # executions whose email is to render
    activities: list = field(default_factory=list)  # mail.activity values
    notes: list = field(default_factory=list)  # (execution, notes) for the chatter
    items_html: dict = field(default_factory=dict)  # execution id: its items as HTML
    # dates and amounts already formatted: the run's (remembering_formats), else the batch's
    formats: dict = field(default_factory=_run_formats)
    lines: dict = field(default_factory=dict)  # execution id: its items (_followup_lines)
    tracking: dict = field(default_factory=dict)  # customer id: tracking values of its note
    tracked_fields: dict | None = None  # fields_get of the customer fields tracked here
    todo_type: models.BaseModel | None = None  # the To-Do activity type


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
        return self._insert_many(
            [{"partner": partner, "level": level, "episode": episode}], company, trigger
        )

    @api.model
    def _insert_many(self, rows, company, trigger):
        """``_insert_once`` for many customers in one statement: ``rows`` are dicts with
        ``partner``, ``level``, ``episode`` and optionally ``recipient``, ``amount``,
        ``days`` and ``line_ids``. Returns the rows inserted, in the order of ``rows``; those
        already logged are left out."""
        if not rows:
            return self.browse()
        try:
            with self.env.cr.savepoint(flush=False):
                return self._insert_rows(rows, company, trigger)
        except pg_errors.SerializationFailure:
            # A run that committed after this transaction began inserted one of them
            # (REPEATABLE READ): the statement failed as a whole, insert them one by one.
            if len(rows) == 1:
                return self.browse()
        inserted = self.browse()
        for row in rows:
            inserted |= self._insert_many([row], company, trigger)
        return inserted

    @api.model
    def _insert_rows(self, rows, company, trigger):
        now = fields.Datetime.now()
        values = [
            SQL(
                "(%s, %s, %s::date, %s, %s::int, %s::numeric, %s::int)",
                index,
                row["partner"].id,
                row["episode"],
                row["level"].id,
                row["recipient"].id if row.get("recipient") else None,
                row.get("amount"),
                row.get("days"),
            )
            for index, row in enumerate(rows)
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_risk_followup_execution
                       (partner_id, level_id, episode_date, company_id, date, trigger, user_id,
                        recipient_id, amount, days_overdue,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.partner, v.level, v.episode, %(company)s, %(now)s, %(trigger)s,
                       %(uid)s, v.recipient, v.amount, v.days, %(uid)s, %(now)s, %(uid)s,
                       %(now)s
                  FROM (VALUES %(values)s) AS v(idx, partner, episode, level, recipient,
                                                amount, days)
                 ORDER BY v.idx
                ON CONFLICT DO NOTHING
                RETURNING id, partner_id, level_id
                """,
                values=SQL(", ").join(values),
                company=company.id,
                now=now,
                trigger=trigger,
                uid=self.env.uid,
            ),
            log_exceptions=False,
        )
        ids = {(partner, level): eid for eid, partner, level in self.env.cr.fetchall()}
        inserted = [
            (ids[key], row) for row in rows if (key := (row["partner"].id, row["level"].id)) in ids
        ]
        links = [(eid, line) for eid, row in inserted for line in row.get("line_ids") or ()]
        if links:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO customer_risk_followup_execution_line_rel (execution_id, line_id)
                    SELECT * FROM unnest(%s::int[], %s::int[])
                    """,
                    [eid for eid, _line in links],
                    [line for _eid, line in links],
                )
            )
        return self.browse([eid for eid, _row in inserted])

    @api.model
    def _execute_many(self, todo, company, trigger, today):
        """Execute the due levels ``todo`` ([(partner, state, level)]) of a chunk of
        customers at once: the log rows in one statement, each execution's actions decided
        one by one (the ``_action_*`` hooks), then what they create made in batch (emails
        rendered per template, activities, chatter notes). Returns the executions made;
        those already logged in the episode are left out (never executed twice)."""
        Partner = self.env["res.partner"]
        rows = []
        for partner, state, level in todo:
            cutoff = tools.followup.reminder_cutoff(today, level.delay)
            items = [item for item in state.items if item["due"] <= cutoff]
            rows.append(
                {
                    "partner": partner,
                    "level": level,
                    "episode": state.episode,
                    "recipient": Partner.browse(partner.address_get(["invoice"])["invoice"]),
                    "amount": company.currency_id.round(sum(item["residual"] for item in items)),
                    "days": state.days,
                    "line_ids": [item["id"] for item in items],
                    "items": items,
                }
            )
        executions = self._insert_many(rows, company, trigger)
        if not executions:
            return executions
        items = {row["partner"].id: row["items"] for row in rows}
        batch = FollowupBatch(
            lines=executions._followup_lines({e.id: items[e.partner_id.id] for e in executions})
        )
        executions = executions.with_context(followup_batch=batch)
        for execution in executions:
            notes = execution._execute_actions()
            execution.summary = "\n".join(notes)
            batch.notes.append((execution, notes))
        executions._followup_flush_batch(batch)
        return executions.with_context(followup_batch=None)

    def _followup_lines(self, items):
        """{execution id: [(invoice, due date, open amount)]} of executions ``self`` from
        their ``items`` ({execution id: items of ``_followup_fetch_items``}), each in the
        order of its ``line_ids``; that field is cached with them (its own query would
        read the whole link table)."""
        field_lines = self._fields["line_ids"]
        lines = {}
        for execution in self:
            rows = sorted(items[execution.id], key=lambda item: item["id"])
            # The lines' order: date desc, move_name desc, id (stable sorts).
            rows.sort(key=lambda item: (item["date"], item["move_name"] or ""), reverse=True)
            self.env.cache.set(execution, field_lines, tuple(item["id"] for item in rows))
            lines[execution.id] = [
                (item["invoice"], item["due"], item["residual"]) for item in rows
            ]
        return lines

    def _followup_invoice_names(self):
        """Names of the invoices this execution covers, in the order of its lines (from
        the batch when it holds them)."""
        batch = self._followup_batch()
        if batch is not None and self.id in batch.lines:
            return list(dict.fromkeys(invoice for invoice, _due, _amount in batch.lines[self.id]))
        return self.line_ids.move_id.mapped("name")

    def _followup_batch(self):
        return self.env.context.get("followup_batch")

    def _followup_todo_type(self):
        """The To-Do activity type (looked up once per batch)."""
        batch = self._followup_batch()
        if batch is None:
            return self.env.ref(TASK_ACTIVITY_TYPE)
        if batch.todo_type is None:
            batch.todo_type = self.env.ref(TASK_ACTIVITY_TYPE)
        return batch.todo_type

    def _execute_actions(self):
        """Decide the level's actions for this execution and return the notes of what is
        done. What the actions create is queued in the batch (``_followup_flush_batch``)."""
        self.ensure_one()
        level, recipient = self.level_id, self.recipient_id
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
        return notes

    def _action_email(self):
        """Queue the email (never sent inside this transaction) and keep it in the
        customer's chatter: rendered with the other emails of the batch."""
        self._followup_batch().emails.append(self)
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

    def _schedule_activity(self, activity_type, summary, user):
        """Queue an activity on the customer, due today (created with the batch's)."""
        self._followup_batch().activities.append(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.partner_id.id,
                "activity_type_id": activity_type.id,
                "summary": summary or activity_type.summary,
                "note": self._items_html(),
                "user_id": user.id,
                "date_deadline": fields.Date.context_today(self),
                "automated": True,
            }
        )

    def _action_activity(self):
        level = self.level_id
        user = self._activity_user()
        if level.create_activity:
            activity_type = level.activity_type_id
            summary = level.activity_summary or level.name
        else:
            activity_type = self._followup_todo_type()
            summary = self.env._("Send the follow-up letter")
        if self.fallback:
            summary = self.env._("%(summary)s (no usable email: post the letter)", summary=summary)
        self._schedule_activity(activity_type, summary, user)
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
        batch = self._followup_batch()
        reason = self.env._(
            "%(level)s (follow-up): %(amount)s open since %(date)s",
            level=self.level_id.name,
            amount=self._format_amount(self.amount, batch.formats),
            date=self._format_date(self.episode_date, batch.formats),
        )
        # Tracked in this execution's note (created in batch with the others) rather than
        # in a message of its own at the commit.
        partner.with_context(mail_notrack=True).write(
            {"risk_hold": True, "risk_hold_reason": reason}
        )
        if batch.tracked_fields is None:
            batch.tracked_fields = partner.fields_get(
                ["risk_hold"], attributes=("string", "type", "selection", "currency_field")
            )
        batch.tracking[partner.id] = partner._mail_track(
            batch.tracked_fields, {"risk_hold": False}
        )[1]
        self.hold = True
        return self.env._("Put on credit hold: %(reason)s.", reason=reason)

    def _action_escalate(self):
        user = self.level_id.escalate_user_id
        self._schedule_activity(
            self._followup_todo_type(),
            self.env._("Escalated follow-up: %(level)s", level=self.level_id.name),
            user,
        )
        self.escalated_to_id = user
        return self.env._("Escalated to %(user)s.", user=user.name)

    def _items_html(self):
        batch = self._followup_batch()
        if batch is not None and self.id in batch.items_html:
            return batch.items_html[self.id]
        if batch is not None:
            formats, lines = batch.formats, batch.lines.get(self.id, [])
        else:
            formats = {}
            lines = [
                (line.move_id.name, line.date_maturity or line.date, line.amount_residual)
                for line in self.line_ids
            ]
        line_text = self.env._("%(invoice)s due %(due)s: %(amount)s")
        rows = Markup("").join(
            Markup("<li>%s</li>")
            % (
                line_text
                % {
                    "invoice": invoice,
                    "due": self._format_date(due, formats),
                    "amount": self._format_amount(amount, formats),
                }
            )
            for invoice, due, amount in lines
        )
        html = Markup("<ul>%s</ul>%s") % (rows, self._total_html())
        if batch is not None:
            batch.items_html[self.id] = html
        return html

    def _total_html(self):
        """The items' total and age, formatted with the batch's memo when there is one."""
        batch = self._followup_batch()
        formats = batch.formats if batch is not None else {}
        total = self.env._(
            "Total %(amount)s, %(days)s days past the oldest due date.",
            amount=self._format_amount(self.amount, formats),
            days=self.days_overdue,
        )
        return Markup("<p>%s</p>") % total

    def _format_date(self, value, formats):
        """``format_date`` remembered in ``formats`` (a run repeats the same dates)."""
        key = ("date", self.env.lang, value)
        if key not in formats:
            formats[key] = format_date(self.env, value)
        return formats[key]

    def _format_amount(self, value, formats):
        key = ("amount", self.env.lang, value, self.currency_id.id)
        if key not in formats:
            formats[key] = formatLang(self.env, value, currency_obj=self.currency_id)
        return formats[key]

    def _summary_html(self, notes):
        title = self.env._(
            "Follow-up %(level)s executed (%(trigger)s).",
            level=self.level_id.name,
            trigger=dict(self._fields["trigger"]._description_selection(self.env))[self.trigger],
        )
        actions = Markup("").join(Markup("<li>%s</li>") % note for note in notes)
        # The email queued is in the chatter with the items it lists: the note gives their
        # total, not the list a second time.
        items = self._total_html() if self.mail_message_id else self._items_html()
        return Markup("<p><strong>%s</strong></p>%s<ul>%s</ul>") % (title, items, actions)

    # ------------------------------------------------------------------ batch

    def _followup_flush_batch(self, batch):
        """Create what the actions of executions ``self`` queued: the emails, the
        activities and the notes in the customers' chatter, each kind in batch."""
        self.flush_recordset()
        self._followup_send_emails(batch.emails)
        if batch.activities:
            # The activity is the assignee's notice: no email for each (a run makes many).
            create_html_once(
                self.env["mail.activity"].with_context(mail_activity_quick_update=True),
                batch.activities,
            )
        self._followup_post_notes(batch.notes, batch.tracking)

    @api.model
    def _followup_send_emails(self, executions):
        """Render the levels' templates for all ``executions`` at once and queue the emails
        (never sent in this transaction), each also a message in the customer's chatter
        that stays once the queue has sent and deleted the email."""
        if not executions:
            return
        executions = self.browse([execution.id for execution in executions])
        # What the shipped template reads of the items, fetched alone: reading one field
        # would fetch every column of the journal items and their invoices.
        lines = executions.line_ids
        lines.fetch(["move_id", "date", "date_maturity", "amount_residual_currency", "currency_id"])
        lines.move_id.fetch(["name", "invoice_date"])
        by_template = executions.grouped(lambda e: e.level_id.mail_template_id.sudo())
        for template, group in by_template.items():
            group.check_access("read")
            rendered = template._generate_template(
                group.ids,
                (
                    "attachment_ids",
                    "auto_delete",
                    "email_cc",
                    "email_from",
                    "email_to",
                    "mail_server_id",
                    "model",
                    "partner_to",
                    "reply_to",
                    "report_template_ids",
                    "res_id",
                    "scheduled_date",
                    "subject",
                ),
            )
            for res_id, body in self._followup_render_bodies(template, group.ids).items():
                rendered[res_id]["body_html"] = body
            values_list, attachments_list = [], []
            for execution in group:
                values = rendered[execution.id]
                values["recipient_ids"] = [
                    Command.link(pid) for pid in values.get("partner_ids") or []
                ]
                values["attachment_ids"] = [
                    Command.link(aid) for aid in values.get("attachment_ids") or []
                ]
                attachments_list.append(values.pop("attachments", []))
                if "email_from" in values and not values.get("email_from"):
                    values.pop("email_from")
                values["body"] = values["body_html"]
                values.update(
                    model="res.partner", res_id=execution.partner_id.id, is_notification=True
                )
                values_list.append(values)
            mails = self._followup_create_mails(values_list)
            for execution, mail, attachments in zip(group, mails, attachments_list, strict=True):
                execution.mail_message_id = mail.mail_message_id
                if attachments:
                    mail.with_context(default_type=None).write(
                        {
                            "attachment_ids": [
                                Command.create(
                                    {
                                        "name": name,
                                        "datas": datas,
                                        "type": "binary",
                                        "res_model": "mail.message",
                                        "res_id": mail.mail_message_id.id,
                                    }
                                )
                                for name, datas in attachments
                            ]
                        }
                    )

    @api.model
    def _followup_create_mails(self, values_list):
        """``mail.mail`` create of ``values_list``, their messages (the chatter copies)
        created first with each body sanitized once (``create_html_once``)."""
        Mail = self.env["mail.mail"].sudo()
        Message = self.env["mail.message"].sudo()
        message_list, mail_list = [], []
        for values in values_list:
            message_values = {"message_type": Mail._fields["message_type"].default(Mail)}
            mail_values = {}
            for name, value in values.items():
                if Mail._fields[name].inherited:
                    message_values[name] = value
                else:
                    mail_values[name] = value
            message_list.append(message_values)
            mail_list.append(mail_values)
        messages = create_html_once(Message, message_list)
        for mail_values, message in zip(mail_list, messages, strict=True):
            mail_values["mail_message_id"] = message.id
        return Mail.create(mail_list)

    @api.model
    def _followup_render_bodies(self, template, res_ids):
        """The template's body for each execution of ``res_ids``, in its language: what
        ``_generate_template`` renders, but with the QWeb template compiled once per
        language for all the executions (one loop over them, split afterwards) rather than
        once per email."""
        bodies = {}
        separator = uuid.uuid4().hex
        for template_lang, lang_ids in template._classify_per_lang(res_ids).values():
            source = template_lang.body_html
            if not source:
                bodies.update(dict.fromkeys(lang_ids, ""))
                continue
            wrapper = html.fragment_fromstring(
                f'<t t-foreach="followup_executions" t-as="object">{source}{separator}</t>',
                create_parent="div",
            )
            variables = template_lang._render_eval_context()
            # The same dates and amounts recur over a run: each is formatted once.
            formats = _run_formats()
            for name in ("format_date", "format_amount"):
                results = formats.setdefault(("render", template_lang.env.lang, name), {})
                variables[name] = _remembered(variables[name], results)
            variables["followup_executions"] = self.browse(lang_ids)
            try:
                result = self.env["ir.qweb"]._render(wrapper, variables, post_process=True)
            except Exception as error:
                raise UserError(
                    self.env._(
                        "Failed to render the email template %(template)s: %(error)s",
                        template=template.display_name,
                        error=error,
                    )
                ) from error
            # Remove the <div> wrapping the fragment, then cut at each separator.
            parts = str(result)[5:-6].split(separator)
            bodies.update(zip(lang_ids, parts[:-1], strict=True))
        return template._render_template_postprocess(template.render_model, bodies)

    @api.model
    def _followup_post_notes(self, notes, tracking=None):
        """Post what was done in each customer's chatter, as the user running the
        follow-ups, with the tracking values ``tracking`` ({customer id: ``_mail_track``
        commands}) of the customer's fields the actions changed; the escalation user is
        notified (Inbox), whether or not they follow the customer."""
        tracking = tracking or {}
        Partner = self.env["res.partner"].sudo()
        author = self.env.user.partner_id
        groups = defaultdict(dict)
        for execution, lines in notes:
            groups[execution.escalated_to_id.partner_id][execution.partner_id.id] = (
                execution._summary_html(lines)
            )
        for notified, bodies in groups.items():
            messages = Partner._risk_log_notes(
                list(bodies.items()), partner_ids=notified.ids or False
            )
            tracked = [
                dict(values, mail_message_id=message.id)
                for message in messages
                for _command, _id, values in tracking.get(message.res_id, ())
            ]
            if tracked:
                self.env["mail.tracking.value"].sudo().create(tracked)
            if notified:
                self.env["mail.notification"].sudo().create(
                    [
                        {
                            "mail_message_id": message.id,
                            "res_partner_id": partner.id,
                            "notification_type": "inbox",
                            "notification_status": "sent",
                            "is_read": False,
                        }
                        for message in messages
                        for partner in notified
                        if partner != author
                    ]
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
