from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, formatLang

from odoo.addons.customer_risk.models.customer_risk_release import QUIET_KEYS
from odoo.addons.customer_risk.models.customer_risk_team_mixin import TASK_ACTIVITY_TYPE

# Set by the daily check, never by a person.
CHECK_FIELDS = ("state", "amount_paid", "date_closed", "date_start", "user_id")


class CustomerRiskPromise(models.Model):
    """A customer's promise to pay an amount by a date. While it is open the customer's
    follow-ups pause; the daily check marks it kept when payments cover the amount by the
    date, broken otherwise, and a broken promise lets the follow-ups resume."""

    _name = "customer.risk.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "customer.risk.kept.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    date = fields.Date(
        string="Promised Date",
        required=True,
        tracking=True,
        help="Follow-ups pause until this date; payments dated by then keep the promise.",
    )
    date_start = fields.Date(
        string="Recorded On", required=True, readonly=True, default=fields.Date.context_today
    )
    move_ids = fields.Many2many(
        "account.move",
        relation="customer_risk_promise_move_rel",
        column1="promise_id",
        column2="move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('state', '=', 'posted'), "
        "('move_type', 'in', ('out_invoice', 'out_receipt')), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Payments on these invoices keep the promise; without invoices, any payment of "
        "the customer does.",
    )
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
    )
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )
    amount_paid = fields.Monetary(string="Paid Since the Promise", readonly=True)
    date_closed = fields.Date(string="Closed On", readonly=True)

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A promise to pay is of a positive amount."),
    ]

    @api.constrains("date", "date_start")
    def _check_date(self):
        for promise in self:
            if promise.date < promise.date_start:
                raise ValidationError(
                    self.env._("A promise to pay is for a date on or after it was recorded.")
                )

    @api.depends("partner_id", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(amount)s by %(date)s",
                amount=formatLang(self.env, promise.amount, currency_obj=promise.currency_id),
                date=format_date(self.env, promise.date),
            )

    # ------------------------------------------------------------------ guards

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if not self.env.su:
                if set(vals) & set(CHECK_FIELDS):
                    raise AccessError(
                        self.env._("The daily check decides whether a promise is kept.")
                    )
                # Context defaults sent by a client do not pre-empt the check either.
                vals.update(state="open", date_start=today, user_id=self.env.uid)
                vals.update(amount_paid=0.0, date_closed=False)
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        promises = super().create(vals_list)
        for promise in promises:
            promise._post_on_partner(
                self.env._(
                    "Promise to pay %(promise)s recorded: follow-ups pause until then.",
                    promise=promise.display_name,
                )
            )
        promises._refresh_partners()
        return promises

    def write(self, vals):
        if not self.env.su:
            if set(vals) & {*CHECK_FIELDS, "partner_id", "company_id"}:
                raise AccessError(
                    self.env._(
                        "The daily check decides whether a promise is kept; its customer does "
                        "not change."
                    )
                )
            if any(promise.state != "open" for promise in self):
                raise UserError(self.env._("Only open promises to pay can be changed."))
        res = super().write(vals)
        if {"date", "state"} & set(vals):
            self._refresh_partners()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        if any(promise.state != "open" for promise in self):
            raise UserError(
                self.env._("A kept or broken promise documents the customer's history.")
            )

    def _refresh_partners(self):
        for company in self.company_id:
            self.filtered(lambda p, c=company: p.company_id == c).partner_id._followup_refresh(
                company
            )

    def _post_on_partner(self, body):
        self.ensure_one()
        self.partner_id._risk_post(body=Markup("<p>%s</p>") % body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------ the daily check

    @api.model
    def _cron_check_promises(self, chunk_size=200):
        """Decide every open promise, chunk by chunk; each chunk commits. A promise leaves
        the open state once, so a rerun decides only what is left."""
        today = fields.Date.context_today(self)
        after, done = 0, 0
        while ids := self._check_todo(after, chunk_size):
            self.browse(ids)._check_promises(today)
            after, done = ids[-1], done + len(ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _check_todo(self, after, limit):
        """Open promises after id ``after``, locked with SKIP LOCKED so two runs share
        them."""
        self.flush_model(["state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_risk_promise
                 WHERE state = 'open' AND id > %(after)s
                 ORDER BY id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                after=after,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def action_check(self):
        """Check the selected open promises now."""
        self.env["res.partner"]._followup_check_collector()
        self.filtered(lambda p: p.state == "open")._check_promises(fields.Date.context_today(self))

    def _check_promises(self, today):
        """Kept when payments since the promise cover its amount (or its invoices are
        settled); broken when its date has passed without that; open otherwise."""
        # A client's context never silences the chatter, the activity or the mail queue.
        promises = self.sudo().with_context(
            **dict.fromkeys(QUIET_KEYS, False), mail_notify_force_send=False
        )
        paid = promises._paid_amounts()
        kept, broken = promises.browse(), promises.browse()
        for promise in promises:
            amount_paid = paid.get(promise.id, 0.0)
            settled = promise.move_ids and all(
                move.payment_state in ("paid", "in_payment", "reversed")
                for move in promise.move_ids
            )
            values = {"amount_paid": amount_paid}
            if settled or promise.currency_id.compare_amounts(amount_paid, promise.amount) >= 0:
                values.update(state="kept", date_closed=today)
                kept |= promise
            elif promise.date < today:
                values.update(state="broken", date_closed=today)
                broken |= promise
            promise.write(values)
        kept._on_kept()
        broken._on_broken()

    def _paid_amounts(self):
        """Company-currency amounts paid between each promise's recording and its date: on
        its invoices when it names some, else on any of the customer's receivables."""
        self.flush_model(["partner_id", "company_id", "date", "date_start", "move_ids"])
        self.env["account.move.line"].flush_model(
            ["move_id", "display_type", "partner_id", "company_id", "account_id", "balance"]
        )
        self.env["account.move.line"].flush_model(["parent_state", "date"])
        self.env["account.move"].flush_model(["move_type"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "amount", "max_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT pr.id, SUM(apr.amount)
                  FROM customer_risk_promise pr
                  JOIN customer_risk_promise_move_rel rel ON rel.promise_id = pr.id
                  JOIN account_move_line aml
                    ON aml.move_id = rel.move_id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE pr.id = ANY(%(ids)s)
                   AND apr.max_date BETWEEN pr.date_start AND pr.date
                 GROUP BY pr.id
                UNION ALL
                SELECT pr.id, SUM(-aml.balance)
                  FROM customer_risk_promise pr
                  JOIN res_partner p ON p.commercial_partner_id = pr.partner_id
                  JOIN account_move_line aml
                    ON aml.partner_id = p.id AND aml.company_id = pr.company_id
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE pr.id = ANY(%(ids)s)
                   AND NOT EXISTS (SELECT 1 FROM customer_risk_promise_move_rel rel
                                    WHERE rel.promise_id = pr.id)
                   AND acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.balance < 0
                   AND m.move_type = 'entry'
                   AND aml.date BETWEEN pr.date_start AND pr.date
                 GROUP BY pr.id
                """,
                ids=self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _on_kept(self):
        for promise in self:
            promise._post_on_partner(
                self.env._("Promise to pay %(promise)s kept.", promise=promise.display_name)
            )

    def _on_broken(self):
        """What a broken promise sets off: a note in the customer's chatter, an activity
        for its collector and the customer's broken-promise early-warning alert. Follow-ups
        resume by themselves: only open promises pause them."""
        today = fields.Date.context_today(self)
        for promise in self:
            message = self.env._(
                "Promise to pay %(promise)s broken: %(paid)s paid since %(start)s. "
                "Follow-ups resume.",
                promise=promise.display_name,
                paid=formatLang(self.env, promise.amount_paid, currency_obj=promise.currency_id),
                start=format_date(self.env, promise.date_start),
            )
            promise._post_on_partner(message)
            partner = promise.partner_id.with_company(promise.company_id).sudo()
            user = partner.followup_responsible_id or promise.user_id or partner.user_id
            partner.activity_schedule(
                TASK_ACTIVITY_TYPE,
                date_deadline=today,
                summary=self.env._("Broken promise to pay"),
                note=message,
                user_id=(user or self.env.user).id,
            )
            self.env["customer.risk.alert"].sudo()._risk_raise(
                promise.partner_id,
                "broken_promise",
                message,
                company=promise.company_id,
                values={"promise": promise.display_name, "amount": promise.amount},
            )
