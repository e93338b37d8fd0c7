import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, split_every

from odoo.addons.customer_risk import tools
from odoo.addons.customer_risk.models.customer_risk_release import QUIET_KEYS

from .customer_risk_followup_execution import remembering_formats

_logger = logging.getLogger(__name__)

COLLECTOR = "customer_risk_collections.group_risk_collector"
OFFICER = "customer_risk.group_risk_officer"
READERS = "customer_risk.group_risk_user,account.group_account_readonly"
# Follow-up fields the collections team sets: collectors and credit officers...
TEAM_FIELDS = (
    "followup_responsible_id",
    "followup_mode",
    "followup_excluded",
    "followup_exclusion_reason",
    "followup_postponed_until",
)
# ...and the state only the follow-up run writes.
RUN_FIELDS = ("followup_level_id", "followup_next_level_id", "followup_next_date")


@dataclass
class FollowupState:
    """What follow-ups know of one customer in one company on one day (company currency)."""

    items: list = field(default_factory=list)  # open undisputed debit items, oldest first
    amount_due: float = 0.0  # every open item, credits included
    amount_overdue: float = 0.0  # undisputed items past their due date
    amount_disputed: float = 0.0
    episode: date | None = None  # due date of the oldest item: the overdue episode
    days: int = 0  # days from that due date (negative before it)
    steps: tuple = ()  # the customer's ladder of levels
    done: frozenset = frozenset()  # levels already executed in this episode
    paused_until: date | None = None  # date of an open promise to pay

    @property
    def plan(self):
        return tools.followup.plan(self.steps, self.days, self.done)


class ResPartner(models.Model):
    _inherit = "res.partner"

    followup_level_id = fields.Many2one(
        "customer.risk.followup.level",
        string="Follow-up Level",
        company_dependent=True,
        copy=False,
        readonly=True,
        groups=READERS,
        help="The last level executed in the customer's current overdue episode.",
    )
    followup_next_level_id = fields.Many2one(
        "customer.risk.followup.level",
        string="Next Follow-up Level",
        company_dependent=True,
        copy=False,
        readonly=True,
        groups=READERS,
    )
    followup_next_date = fields.Date(
        string="Next Follow-up",
        company_dependent=True,
        copy=False,
        readonly=True,
        groups=READERS,
        help="When the next level is due; today or earlier means the customer needs action.",
    )
    followup_responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=READERS,
        help="Follows up this customer's payments and receives its follow-up activities.",
    )
    followup_mode = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")],
        string="Follow-up Mode",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=READERS,
        help="Manual: the daily run only proposes the due levels in the follow-up report.",
    )
    followup_excluded = fields.Boolean(
        string="Excluded from Follow-ups",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=READERS,
    )
    followup_exclusion_reason = fields.Char(
        string="Exclusion Reason", company_dependent=True, copy=False, groups=READERS
    )
    followup_postponed_until = fields.Date(
        string="Follow-ups Postponed Until",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=READERS,
    )
    # Fresh figures for the report's page and the form (computed on read, never stored).
    followup_amount_due = fields.Monetary(
        string="Amount Due",
        compute="_compute_followup_amounts",
        currency_field="risk_company_currency_id",
        groups=READERS,
    )
    followup_amount_overdue = fields.Monetary(
        string="Overdue (Undisputed)",
        compute="_compute_followup_amounts",
        currency_field="risk_company_currency_id",
        groups=READERS,
    )
    followup_amount_disputed = fields.Monetary(
        string="Disputed",
        compute="_compute_followup_amounts",
        currency_field="risk_company_currency_id",
        groups=READERS,
    )
    followup_promise_id = fields.Many2one(
        "customer.risk.promise",
        string="Last Promise",
        compute="_compute_followup_promise_id",
        groups=READERS,
    )
    followup_execution_count = fields.Integer(compute="_compute_followup_counts", groups=READERS)
    followup_promise_count = fields.Integer(compute="_compute_followup_counts", groups=READERS)

    # ------------------------------------------------------------------ security

    @api.model
    def _followup_is_collector(self):
        return self.env.su or self.env.user.has_group(COLLECTOR)

    @api.model
    def _followup_check_collector(self):
        """Follow-ups are run by collectors (accountants are), whatever the path."""
        if not self._followup_is_collector():
            raise AccessError(self.env._("Only collectors run follow-ups."))

    @api.model
    def _followup_check_team(self):
        """Follow-up settings and disputes belong to collectors and credit officers."""
        if not self._followup_is_collector() and not self.env.user.has_group(OFFICER):
            raise AccessError(
                self.env._("Only collectors and credit officers change follow-ups and disputes.")
            )

    def _followup_check_write_access(self, vals):
        if self.env.su:
            return
        if set(vals) & set(RUN_FIELDS):
            raise AccessError(self.env._("The follow-up run sets the follow-up level and dates."))
        if set(vals) & set(TEAM_FIELDS):
            self._followup_check_team()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._followup_check_write_access(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._followup_check_write_access(vals)
        if "followup_exclusion_reason" in vals:
            reason = vals["followup_exclusion_reason"]
        else:
            reason = all(p.sudo().followup_exclusion_reason for p in self)
        if vals.get("followup_excluded") and not reason:
            raise UserError(self.env._("Give a reason for excluding the customer from follow-ups."))
        if not self.env.su and vals and set(vals) <= set(TEAM_FIELDS):
            # Collectors need not manage contacts to set follow-ups: the check above is the
            # permission for these fields, on the customers they can see.
            self.check_access("read")
            res = super(ResPartner, self.sudo()).write(vals)
        else:
            res = super().write(vals)
        if set(vals) & set(TEAM_FIELDS):
            self._followup_refresh()
        return res

    # ------------------------------------------------------------------ figures

    @api.depends_context("company")
    def _compute_followup_amounts(self):
        commercial = self.filtered("id").commercial_partner_id
        states = commercial._followup_states(self.env.company, fields.Date.context_today(self))
        for partner in self:
            state = states.get(partner.commercial_partner_id.id) or FollowupState()
            partner.followup_amount_due = state.amount_due
            partner.followup_amount_overdue = state.amount_overdue
            partner.followup_amount_disputed = state.amount_disputed

    @api.depends_context("company")
    def _compute_followup_promise_id(self):
        commercial = self.filtered("id").commercial_partner_id
        last = {}
        for promise in self.env["customer.risk.promise"].search(
            [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)],
            order="date_start desc, id desc",
        ):
            last.setdefault(promise.partner_id.id, promise)
        for partner in self:
            partner.followup_promise_id = last.get(partner.commercial_partner_id.id, False)

    def _compute_followup_counts(self):
        commercial = self.filtered("id").commercial_partner_id
        domain = [("partner_id", "in", commercial.ids)]
        executions = dict(
            self.env["customer.risk.followup.execution"]._read_group(
                domain, ["partner_id"], ["__count"]
            )
        )
        promises = dict(
            self.env["customer.risk.promise"]._read_group(domain, ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.followup_execution_count = executions.get(partner.commercial_partner_id, 0)
            partner.followup_promise_count = promises.get(partner.commercial_partner_id, 0)

    @api.model
    def _followup_receivable_accounts(self, company):
        return (
            self.env["account.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)])
            .ids
        )

    def _followup_fetch_items(self, company):
        """Open receivable items of commercial partners ``self`` in ``company``, oldest due
        first, in one query: residual in company currency and whether the invoice is
        disputed."""
        accounts = self._followup_receivable_accounts(company)
        if not accounts or not self:
            return []
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "partner_id",
                "reconciled",
                "amount_residual",
                "date_maturity",
                "parent_state",
                "company_id",
                "date",
                "move_id",
                "move_name",
            ]
        )
        self.env["account.move"].flush_model(["followup_disputed", "name"])
        self.flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id AS partner_id, aml.id,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       aml.amount_residual AS residual,
                       COALESCE(m.followup_disputed, FALSE) AS disputed,
                       m.name AS invoice, aml.date, aml.move_name
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE aml.account_id = ANY(%(accounts)s)
                   -- the partners' contacts first: the open items are then found by the
                   -- index of (account, partner), not by scanning every open item
                   AND aml.partner_id IN (
                       SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%(partners)s)
                   )
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.amount_residual != 0
                 ORDER BY due, aml.id
                """,
                accounts=accounts,
                partners=self.ids,
                company=company.id,
            )
        )
        return self.env.cr.dictfetchall()

    def _followup_states(self, company, today):
        """Follow-up state of commercial partners ``self`` in ``company`` on ``today``: a
        few queries for the whole batch; returns {partner id: FollowupState}."""
        partners = self.sudo().with_company(company)
        states = {partner.id: FollowupState() for partner in partners}
        if not partners:
            return states
        rows = defaultdict(list)
        for row in partners._followup_fetch_items(company):
            rows[row["partner_id"]].append(row)
        rules = [
            level._rule()
            for level in self.env["customer.risk.followup.level"]
            .sudo()
            .search([("company_id", "=", company.id)])
        ]
        currency = company.currency_id
        for partner in partners:
            state, items = states[partner.id], rows[partner.id]
            debit = [r for r in items if r["residual"] > 0 and not r["disputed"]]
            state.amount_due = sum(r["residual"] for r in items)
            state.amount_disputed = sum(
                r["residual"] for r in items if r["residual"] > 0 and r["disputed"]
            )
            state.amount_overdue = sum(r["residual"] for r in debit if r["due"] < today)
            # Nothing is reminded while disputes or credits cover what the customer owes.
            owed = state.amount_due - state.amount_disputed
            if debit and currency.compare_amounts(owed, 0) > 0:
                state.items = debit
                state.episode = debit[0]["due"]
                state.days = tools.followup.days_from_due(state.episode, today)
                state.steps = tools.followup.ladder(rules, partner.risk_tier_id.id or None)
        self._followup_fill_history(states, company, today)
        return states

    @api.model
    def _followup_fill_history(self, states, company, today):
        """Levels already executed in each customer's episode, and open promises."""
        episodes = {pid: state.episode for pid, state in states.items() if state.episode}
        if not episodes:
            return
        done = defaultdict(set)
        for execution in (
            self.env["customer.risk.followup.execution"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", list(episodes)),
                    ("company_id", "=", company.id),
                    ("episode_date", "in", list(set(episodes.values()))),
                ],
                ["partner_id", "episode_date", "level_id"],
            )
        ):
            if episodes[execution.partner_id.id] == execution.episode_date:
                done[execution.partner_id.id].add(execution.level_id.id)
        for pid, levels in done.items():
            states[pid].done = frozenset(levels)
        for promise in (
            self.env["customer.risk.promise"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", list(episodes)),
                    ("company_id", "=", company.id),
                    ("state", "=", "open"),
                    ("date", ">=", today),
                ],
                ["partner_id", "date"],
            )
        ):
            state = states[promise.partner_id.id]
            state.paused_until = max(state.paused_until or promise.date, promise.date)

    # ------------------------------------------------------------------ the run

    def _followup_process(self, trigger=None, company=None, today=None):
        """Bring the follow-ups of commercial partners ``self`` up to date in ``company``.

        With a ``trigger`` ("auto" for the daily run, "manual" for a collector), execute
        each customer's due level unless something stops it; always store the follow-up
        state. The customers are processed together, set-based (``_followup_process_many``),
        in a savepoint; when that fails, each customer runs again alone in its own
        savepoint: one that fails is rolled back alone, its queued email included, and the
        next run tries it again. The caller locks the partners. Returns what happened.

        A serialization failure is raised, not retried in a savepoint: the transaction's
        snapshot predates a change that another one committed and that this work must also
        write (such as a decision chained in the company's audit log), so every retry in
        this transaction would fail alike. The caller starts a new transaction (the daily
        run: ``_followup_run_chunk``; a collector's request: Odoo retries it).
        """
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        # A client's context never silences the chatter, activities or the mail queue here.
        partners = (
            self.sudo()
            .with_company(company)
            .with_context(**dict.fromkeys(QUIET_KEYS, False), mail_notify_force_send=False)
        )
        Execution = self.env["customer.risk.followup.execution"]
        outcome = {"executed": Execution, "blocked": {}, "failed": {}}
        if len(partners) > 1:
            try:
                # The savepoint runs the hooks the previous work left for the commit
                # (tracking, list figures) before this batch's work, which alone a failure
                # undoes.
                with self.env.cr.savepoint():
                    states = partners._followup_states(company, today)
                    return partners._followup_process_many(states, trigger, company, today, outcome)
            except psycopg2.errors.SerializationFailure:
                raise  # only a new transaction gets past it (see _followup_run_chunk)
            except Exception:
                _logger.info(
                    "Follow-ups of %s customers in %s failed together; each one is retried "
                    "alone.",
                    len(partners),
                    company.name,
                    exc_info=True,
                )
                outcome = {"executed": Execution, "blocked": {}, "failed": {}}
        states = partners._followup_states(company, today)
        for partner in partners:
            alone = {"executed": Execution, "blocked": {}, "failed": {}}
            try:
                with self.env.cr.savepoint():
                    partner._followup_process_many(states, trigger, company, today, alone)
            except psycopg2.errors.SerializationFailure:
                raise
            # One customer's failure never stops the others; it is logged and retried.
            except Exception as error:
                _logger.exception(
                    "Follow-up of %s in %s failed; the next run tries it again.",
                    partner.display_name,
                    company.name,
                )
                outcome["failed"][partner] = str(error)
            else:
                outcome["executed"] |= alone["executed"]
                outcome["blocked"].update(alone["blocked"])
        return outcome

    def _followup_process_many(self, states, trigger, company, today, outcome):
        """Execute the due levels of customers ``self`` (unless something stops them) and
        store their follow-up state, set-based; fills and returns ``outcome``."""
        Level = self.env["customer.risk.followup.level"]
        todo = []
        for partner in self:
            state = states[partner.id]
            if not (trigger and state.plan.due):
                continue
            level = Level.browse(state.plan.due.key)
            reason = partner._followup_blocker(state, level, trigger, today)
            if reason:
                outcome["blocked"][partner] = reason
            else:
                todo.append((partner, state, level))
        outcome["executed"] |= self.env["customer.risk.followup.execution"]._execute_many(
            todo, company, trigger, today
        )
        for _partner, state, level in todo:
            state.done = state.done | {level.id}
        self._followup_store_many(states, today)
        return outcome

    def _followup_blocker(self, state, level, trigger, today):
        """Why the due ``level`` is not executed now, or None. A collector's own decision
        overrides manual levels, manual customers and postponements; nothing overrides an
        exclusion or an open promise to pay."""
        reasons = []
        if self.followup_excluded:
            reasons.append(self.env._("excluded from follow-ups"))
        if state.paused_until:
            reasons.append(
                self.env._(
                    "promise to pay until %(date)s",
                    date=format_date(self.env, state.paused_until),
                )
            )
        if trigger == "auto":
            postponed = self.followup_postponed_until
            if postponed and postponed > today:
                reasons.append(
                    self.env._("postponed until %(date)s", date=format_date(self.env, postponed))
                )
            if self.followup_mode == "manual":
                reasons.append(self.env._("followed up manually"))
            if level.mode == "manual":
                reasons.append(self.env._("level %(level)s is manual", level=level.name))
        return reasons[0] if reasons else None

    def _followup_store_many(self, states, today):
        """Store the customers' follow-up level and next date for lists and search: one
        write for the customers whose values change alike."""
        changes = defaultdict(list)
        for partner in self:
            values = partner._followup_values(states[partner.id])
            current = {
                "followup_level_id": partner.followup_level_id.id,
                "followup_next_level_id": partner.followup_next_level_id.id,
                "followup_next_date": partner.followup_next_date,
            }
            changed = tuple(
                (name, value) for name, value in values.items() if current[name] != value
            )
            if changed:
                changes[changed].append(partner.id)
        for changed, ids in changes.items():
            self.browse(ids).write(dict(changed))

    def _followup_values(self, state):
        """The customer's follow-up level and next date from its ``state``."""
        plan = state.plan
        done = [step for step in state.steps if step.key in state.done]
        target = plan.due or plan.upcoming
        next_date = state.episode + timedelta(days=target.delay) if target else False
        if next_date:
            waits = [self.followup_postponed_until]
            if state.paused_until:
                waits.append(state.paused_until + timedelta(days=1))
            next_date = max([next_date, *filter(None, waits)])
        if self.followup_excluded:
            next_date = False
        return {
            "followup_level_id": done[-1].key if done else False,
            "followup_next_level_id": target.key if target else False,
            "followup_next_date": next_date,
        }

    def _followup_refresh(self, company=None):
        """Recompute the follow-up state of these customers without executing anything."""
        partners = self.commercial_partner_id
        if partners:
            partners._followup_process(company=company)

    @api.model
    def _cron_followup(self, chunk_size=200):
        """The daily follow-up run: every company, chunk by chunk; each chunk commits.

        Resumable and idempotent: the execution log's unique index means a rerun, after a
        crash or in parallel, never executes a level twice for one customer and episode.
        """
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            self._followup_run_company(company, today, chunk_size)

    @api.model
    def _followup_run_company(self, company, today, chunk_size):
        todo = self._followup_candidates(company)
        # Batch job: each chunk's transaction starts with its lock, so it sees everything a
        # parallel run committed before it (design rule: commit per chunk).
        self.env.cr.commit()  # pylint: disable=invalid-commit
        with remembering_formats():
            missed = self._followup_run_chunks(todo, company, today, chunk_size, progress=True)
            # Customers another transaction held (a parallel run, an order being confirmed)
            # get one more try; the next run takes those still held.
            self._followup_run_chunks(missed, company, today, chunk_size)

    @api.model
    def _followup_run_chunks(self, partner_ids, company, today, chunk_size, progress=False):
        missed, done = [], 0
        for chunk in split_every(chunk_size, partner_ids):
            locked = self._followup_run_chunk(chunk, company, today)
            missed += [pid for pid in chunk if pid not in locked]
            done += len(chunk)
            if progress:
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(partner_ids) - done)
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return missed

    @api.model
    def _followup_run_chunk(self, partner_ids, company, today, attempts=5):
        """Lock and process the customers ``partner_ids`` in the transaction their lock
        starts; return the ids locked (and processed).

        When another transaction commits, after this one's snapshot, a change that this
        chunk must also write (another user's decision chained in the company's audit log
        while the chunk puts customers on hold), PostgreSQL refuses the chunk's write; the
        chunk then starts again in a new transaction, which sees that change. A chunk
        refused every time is left for the job's second pass and the next run."""
        for _attempt in range(attempts):
            locked = self._followup_lock_chunk(partner_ids)
            try:
                self.browse(sorted(locked))._followup_process("auto", company, today)
            except psycopg2.errors.SerializationFailure:
                self.env.cr.rollback()
                continue
            return locked
        _logger.info(
            "Follow-ups of %s customers in %s were refused %s times by concurrent "
            "transactions; they are tried again later.",
            len(partner_ids),
            company.name,
            attempts,
        )
        return set()

    @api.model
    def _followup_candidates(self, company):
        """Commercial partners with open receivables in ``company``, and those the last run
        left with a follow-up state to clear, in id order."""
        accounts = self._followup_receivable_accounts(company)
        self.env["account.move.line"].flush_model(
            ["account_id", "partner_id", "reconciled", "amount_residual", "parent_state"]
        )
        self.flush_model(["commercial_partner_id", "followup_level_id", "followup_next_date"])
        open_items = SQL(
            """
            SELECT p.commercial_partner_id
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.account_id = ANY(%(accounts)s)
               AND aml.reconciled IS NOT TRUE
               AND aml.parent_state = 'posted'
               AND aml.company_id = %(company)s
               AND aml.amount_residual > 0
            """,
            accounts=accounts or [0],
            company=company.id,
        )
        self.env.cr.execute(
            SQL(
                """
                %(open_items)s
                UNION
                SELECT p.id FROM res_partner p
                 WHERE p.followup_next_date ->> %(key)s IS NOT NULL
                    OR p.followup_level_id ->> %(key)s IS NOT NULL
                 ORDER BY 1
                """,
                open_items=open_items,
                key=str(company.id),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _followup_lock(self, partner_ids, skip_locked=True, log_exceptions=True):
        """Lock the partners' rows; with ``skip_locked``, leave out those another
        transaction holds and return the ids locked."""
        if not partner_ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR UPDATE %s",
                list(partner_ids),
                SQL("SKIP LOCKED") if skip_locked else SQL(""),
            ),
            log_exceptions=log_exceptions,
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _followup_lock_chunk(self, partner_ids, attempts=5):
        """The first statement of a chunk's transaction: lock the chunk's customers. A
        parallel run that updated one of them and committed after this transaction's
        snapshot makes PostgreSQL refuse the lock (repeatable read): the transaction, which
        holds nothing else yet, starts again with a fresh snapshot. Customers still refused
        are left for the job's second pass."""
        for _attempt in range(attempts):
            try:
                return self._followup_lock(partner_ids, log_exceptions=False)
            except psycopg2.errors.SerializationFailure:
                self.env.cr.rollback()
        return set()

    # ------------------------------------------------------------------ report actions

    def action_followup_process(self):
        """Execute now the due level of the selected customers (the report's "Send now"
        and "Process follow-ups"): manual levels, manual customers and postponements give
        way; exclusions and open promises do not."""
        self._followup_check_collector()
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(self.env._("Select the customers to follow up."))
        self._followup_lock(partners.ids, skip_locked=False)
        outcome = partners._followup_process("manual")
        return self._followup_notification(outcome, partners)

    def _followup_notification(self, outcome, partners):
        executed = outcome["executed"]
        skipped = {**outcome["blocked"], **outcome["failed"]}
        lines = [
            self.env._("%(count)s follow-ups executed.", count=len(executed)),
            *(
                self.env._("%(customer)s: %(reason)s", customer=p.display_name, reason=reason)
                for p, reason in skipped.items()
            ),
        ]
        seen = set(executed.partner_id.ids) | {p.id for p in skipped}
        untouched = partners.filtered(lambda p: p.id not in seen)
        if untouched:
            lines.append(
                self.env._(
                    "Nothing due for %(customers)s.",
                    customers=", ".join(untouched.mapped("display_name")),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Follow-ups"),
                "message": "\n".join(lines),
                "type": "warning" if outcome["failed"] else "success",
                "sticky": bool(outcome["failed"]),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def action_followup_run_now(self):
        """Start the daily follow-up run now, in the background (chunked, committed)."""
        self._followup_check_collector()
        self.env.ref("customer_risk_collections.ir_cron_followup").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Follow-ups"),
                "message": self.env._(
                    "The follow-up run starts in the background; reload the report in a "
                    "few minutes."
                ),
                "type": "info",
            },
        }

    def _followup_wizard(self, model, title, **context):
        self._followup_check_collector()
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(self.env._("Select the customers to follow up."))
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": partners.ids, **context},
        }

    def action_followup_postpone(self):
        return self._followup_wizard(
            "res.partner.followup.postpone", self.env._("Postpone Follow-ups")
        )

    def action_followup_exclude(self):
        return self._followup_wizard(
            "res.partner.followup.exclude", self.env._("Exclude from Follow-ups")
        )

    def action_followup_log_call(self):
        self.ensure_one()
        return self._followup_wizard("res.partner.followup.call", self.env._("Log a Call"))

    def action_followup_include(self):
        self._followup_check_collector()
        partners = self.commercial_partner_id
        partners.write({"followup_excluded": False, "followup_exclusion_reason": False})
        partners._followup_post(self.env._("Follow-ups resume for this customer."))

    def action_followup_promise(self):
        """Record a promise to pay on the customer's overdue invoices."""
        self.ensure_one()
        self._followup_check_collector()
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        state = partner._followup_states(self.env.company, today)[partner.id]
        lines = self.env["account.move.line"].browse(
            [item["id"] for item in state.items if item["due"] < today]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Promise to Pay"),
            "res_model": "customer.risk.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_move_ids": lines.move_id.ids,
                "default_amount": state.amount_overdue,
            },
        }

    def action_followup_export_xlsx(self):
        """Export the selected customers, or those that need action today, to Excel."""
        partners = self.commercial_partner_id
        if not partners:
            partners = self.search([("followup_next_date", "<=", fields.Date.context_today(self))])
        export = self.env["customer.risk.followup.export"].create(
            {"partner_ids": [Command.set(partners.ids)]}
        )
        return export.action_export_xlsx()

    def action_followup_view_executions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_collections.customer_risk_followup_execution_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_followup_view_invoices(self):
        """The customer's open invoices, oldest due first: what the follow-up is about."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial", "in_payment")),
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
        ]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        action["name"] = self.env._("Open Invoices")
        return action

    def action_followup_view_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_collections.customer_risk_promise_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _followup_post(self, body):
        """A note in the customer's chatter recording a collector's decision."""
        for partner in self.commercial_partner_id:
            partner._risk_post(body=Markup("<p>%s</p>") % body, subtype_xmlid="mail.mt_note")
