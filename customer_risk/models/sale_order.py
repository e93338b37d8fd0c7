import dataclasses
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, format_date, formatLang

from .. import tools
from ..exceptions import CreditCheckBlocked

RISK_GROUP = "customer_risk.group_risk_user"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # The quotation banner: figures and reasons computed fresh when the form shows them,
    # from the same decision as the check at confirmation.
    risk_tier_id = fields.Many2one(
        "customer.risk.tier", compute="_compute_risk_check", groups=RISK_GROUP
    )
    risk_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    risk_credit_limit = fields.Monetary(
        string="Credit Limit (Risk)",
        compute="_compute_risk_check",
        currency_field="risk_company_currency_id",
        groups=RISK_GROUP,
    )
    risk_exposure = fields.Monetary(
        string="Exposure Without This Order",
        compute="_compute_risk_check",
        currency_field="risk_company_currency_id",
        groups=RISK_GROUP,
    )
    risk_available_credit = fields.Monetary(
        string="Available Credit",
        compute="_compute_risk_check",
        currency_field="risk_company_currency_id",
        groups=RISK_GROUP,
    )
    risk_available_after = fields.Monetary(
        string="Available After This Order",
        compute="_compute_risk_check",
        currency_field="risk_company_currency_id",
        groups=RISK_GROUP,
    )
    risk_check_blocking = fields.Text(
        string="Blocking Reasons", compute="_compute_risk_check", groups=RISK_GROUP
    )
    risk_check_warnings = fields.Text(
        string="Credit Warnings", compute="_compute_risk_check", groups=RISK_GROUP
    )
    risk_check_blocked = fields.Boolean(
        string="Blocked by the Credit Check",
        compute="_compute_risk_check",
        groups=RISK_GROUP,
        help="A rule blocks the confirmation and no approved credit release covers the order.",
    )
    risk_release_ids = fields.One2many(
        "customer.risk.release", "order_id", string="Credit Releases", groups=RISK_GROUP
    )
    risk_release_count = fields.Integer(compute="_compute_risk_release_count", groups=RISK_GROUP)
    risk_release_pending = fields.Boolean(
        string="Release Requested",
        compute="_compute_risk_release_count",
        groups=RISK_GROUP,
        help="A credit release request of this order waits for a credit manager.",
    )
    risk_contract_id = fields.Many2one(
        "customer.risk.contract",
        string="Customer Contract",
        compute="_compute_risk_contract_id",
        store=True,
        index="btree_not_null",
        groups=RISK_GROUP,
        help="The customer's active contract in force on the order date.",
    )
    # Technical: confirmed, waiting to be compared with the customer's usual order size.
    risk_size_check_pending = fields.Boolean(readonly=True, copy=False, groups="base.group_system")

    def init(self):
        # The order-size job looks for the few confirmed orders still to compare.
        self.env.cr.execute(
            SQL(
                """CREATE INDEX IF NOT EXISTS sale_order_risk_size_check_pending_idx
                       ON sale_order (id) WHERE risk_size_check_pending"""
            )
        )
        return super().init()

    # ------------------------------------------------------------------ snapshot

    def _risk_snapshots(self, today, cumulate=False, after=None):
        """{order: tools.Snapshot} from fresh figures, in each order's own company (never
        the companies the user has switched on).

        The order total is converted once, from the order currency to the company currency
        at ``today``'s rate, the rate the exposure uses for confirmed uninvoiced orders. With
        ``cumulate``, orders of one customer confirmed together count in each other's
        exposure, as they will once confirmed. ``after`` (a dict) receives, per company
        id, {partner id: (ExposureParts once these orders are confirmed, {order: total})},
        for the list figures refreshed at commit.
        """
        snapshots = {}
        for doc_company, orders in self.grouped("company_id").items():
            company = doc_company.sudo()
            partners = orders.partner_id.commercial_partner_id.sudo().with_company(company)
            parts, to_invoice = partners._risk_exposure_figures(company, today, orders._origin)
            if after is not None:
                after[company.id] = orders._risk_exposure_after(parts, to_invoice)
            included = partners._risk_exposure_settings(company)
            batch = defaultdict(float)
            Tier = self.env["customer.risk.tier"]
            for order in orders.sorted(lambda o: o._origin.id or 0):
                partner = order.partner_id.commercial_partner_id.sudo().with_company(company)
                tier = partner.risk_tier_id
                rules = Tier._risk_check_values(tier.id) if tier else {}
                exp = parts[partner.id]
                amount = order.currency_id._convert(
                    order.amount_total, company.currency_id, company, today
                )
                snapshots[order] = tools.Snapshot(
                    today=today,
                    rounding=company.currency_id.rounding,
                    assessed=bool(tier),
                    unassessed_policy=company.risk_unassessed_policy,
                    hold=partner.risk_hold,
                    hold_reason=partner.risk_hold_reason or "",
                    limit=partner.credit_limit,
                    tolerance_percent=rules.get("tolerance_percent", 0.0),
                    exposure=exp.total(included) + batch[partner.id],
                    order_amount=amount,
                    overdue_amount=exp.overdue,
                    max_days_overdue=exp.max_days_overdue,
                    max_overdue_days=rules.get("max_overdue_days", 0),
                    max_overdue_amount=rules.get("max_overdue_amount", 0.0),
                    screening_state=partner.risk_screening_state or None,
                    prepayment_required=rules.get("prepayment_required", False),
                    # Payment terms and contracts are looked up only when the tier
                    # has the rule (without it the decision never reads them).
                    terms_immediate=order._risk_terms_immediate()
                    if rules.get("prepayment_required")
                    else True,
                    contract_required=rules.get("contract_required", False),
                    contract_covers=order._risk_contract_covers()
                    if rules.get("contract_required")
                    else False,
                    review_date=partner.risk_review_date or None,
                    single_order_max=rules.get("single_order_max", 0.0),
                    modes=rules.get("modes", ()),
                )
                if cumulate and "uninvoiced_orders" in included:
                    batch[partner.id] += amount
        return snapshots

    def _risk_exposure_after(self, parts, to_invoice):
        """{partner id: (ExposureParts, {order: amount_total})}: the exposure of the
        customers of orders ``self`` (one company) once these orders are confirmed, from
        the check's figures ``parts`` (without them) and ``to_invoice`` (their amounts to
        invoice, as if confirmed, in company currency)."""
        after = {}
        for partner, orders in self.grouped(lambda o: o.partner_id.commercial_partner_id).items():
            exp = parts[partner.id]
            added = sum(to_invoice.get(order._origin.id, 0.0) for order in orders)
            after[partner.id] = (
                dataclasses.replace(exp, uninvoiced_orders=exp.uninvoiced_orders + added),
                {order._origin: order.amount_total for order in orders},
            )
        return after

    def _risk_terms_immediate(self):
        """Paid when invoiced: full online prepayment, no payment terms (due on the invoice
        date), or terms whose every installment is due on the invoice date."""
        self.ensure_one()
        if self.require_payment and float_compare(self.prepayment_percent, 1.0, 2) >= 0:
            return True
        return all(
            line.delay_type == "days_after" and not line.nb_days
            for line in self.payment_term_id.line_ids
        )

    def _risk_contract_covers(self):
        """Whether an active contract of the customer in the order's company, in force on
        the order's date (today for a quotation, which is dated when confirmed), carries
        every clause the customer's tier makes mandatory."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.commercial_partner_id.sudo().with_company(company)
        day = (
            fields.Date.context_today(self)
            if self.state in ("draft", "sent")
            else fields.Date.context_today(self, self.date_order)
        )
        contracts = self.env["customer.risk.contract"]._risk_covering(partner, company, day)
        mandatory = (
            self.env["customer.risk.clause"].sudo()._risk_mandatory(partner.risk_tier_id, company)
        )
        return any(not mandatory - c.clause_line_ids.clause_id for c in contracts)

    @api.depends("partner_id", "company_id", "date_order")
    def _compute_risk_contract_id(self):
        """The active contract in force on the order's date; one query for the batch."""
        contracts = (
            self.env["customer.risk.contract"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "=", "active"),
                ],
                order="date_start desc, id desc",
            )
        )
        for order in self:
            candidates = contracts.filtered(
                lambda c, order=order: c.partner_id == order.partner_id.commercial_partner_id
                and c.company_id == order.company_id
            )
            if not candidates:
                # Most customers have no contract: no need for the day (the user's zone).
                order.risk_contract_id = False
                continue
            day = fields.Date.context_today(order, order.date_order or fields.Datetime.now())
            order.risk_contract_id = next(
                (c for c in candidates if c._risk_covers_date(day)),
                False,
            )

    # ------------------------------------------------------------------ messages

    def _risk_reason_text(self, reason):
        """The one human message of a reason code, amounts in the order company's currency;
        used by the confirmation error, the banner and the release request."""
        self.ensure_one()
        v = reason.values()
        currency = self.company_id.currency_id

        def money(key):
            return formatLang(self.env, v[key], currency_obj=currency)

        def limit():
            figures = {
                "exposure": money("exposure"),
                "order": money("order_amount"),
                "total": money("total"),
                "limit": money("limit"),
                "allowed": money("allowed"),
            }
            if v["allowed"] != v["limit"]:
                return self.env._(
                    "Credit limit exceeded: exposure %(exposure)s plus this order %(order)s "
                    "makes %(total)s, above the credit limit of %(limit)s plus its "
                    "%(tolerance)s%% tolerance (%(allowed)s).",
                    tolerance=format(v["tolerance_percent"], "g"),
                    **figures,
                )
            return self.env._(
                "Credit limit exceeded: exposure %(exposure)s plus this order %(order)s makes "
                "%(total)s, above the credit limit of %(limit)s.",
                **figures,
            )

        def screening():
            if v["state"] == "rejected":
                return self.env._("The customer's screening was rejected.")
            if v["state"] == "expired":
                return self.env._("The customer's screening has expired.")
            return self.env._("The customer's screening is missing or not finished.")

        messages = {
            "hold": lambda: self.env._(
                "Credit hold: %(reason)s", reason=v["reason"] or self.env._("no reason given")
            ),
            "not_assessed": lambda: self.env._(
                "The customer has not been assessed yet (no risk tier)."
            ),
            "screening": screening,
            "limit": limit,
            "overdue_days": lambda: self.env._(
                "The oldest overdue item is %(days)s days overdue; the tier allows %(max)s.",
                days=v["days"],
                max=v["max_days"],
            ),
            "overdue_amount": lambda: self.env._(
                "Overdue receivables of %(overdue)s exceed the tier's allowance of %(max)s.",
                overdue=money("overdue"),
                max=money("max_amount"),
            ),
            "prepayment": lambda: self.env._(
                "The customer's tier requires prepayment but the payment terms of the order "
                "are not immediate."
            ),
            "contract": lambda: self.env._(
                "The customer's tier requires a valid contract and none covers this order."
            ),
            "review": lambda: self.env._(
                "The customer's credit review was due on %(date)s.",
                date=format_date(self.env, v["review_date"]),
            ),
            "single_order": lambda: self.env._(
                "This order of %(order)s is above the tier's single-order maximum of %(max)s.",
                order=money("order_amount"),
                max=money("max_amount"),
            ),
        }
        return messages[reason.code]()

    # ------------------------------------------------------------------ banner

    @api.depends(
        "partner_id",
        "company_id",
        "currency_id",
        "amount_total",
        "payment_term_id",
        "require_payment",
        "prepayment_percent",
        "state",
    )
    def _compute_risk_check(self):
        today = fields.Date.context_today(self)
        todo = self.filtered(lambda o: o.partner_id and o.state in ("draft", "sent"))
        snapshots = todo._risk_snapshots(today)
        for order in self:
            snapshot = snapshots.get(order)
            decision = tools.decide(snapshot) if snapshot else tools.Decision()
            partner = order.partner_id.commercial_partner_id.sudo().with_company(order.company_id)
            order.risk_tier_id = partner.risk_tier_id
            order.risk_credit_limit = snapshot.limit if snapshot else partner.credit_limit
            order.risk_exposure = snapshot.exposure if snapshot else 0.0
            order.risk_available_credit = tools.available_credit(
                order.risk_credit_limit, order.risk_exposure
            )
            order.risk_available_after = order.risk_available_credit - (
                snapshot.order_amount if snapshot else 0.0
            )
            blocking = [order._risk_reason_text(r) for r in decision.blocking]
            warnings = [order._risk_reason_text(r) for r in decision.warnings]
            release = decision.releasable and order._risk_valid_release(today)
            if release:
                warnings = [
                    self.env._(
                        "Covered by the credit release approved by %(user)s until %(date)s:",
                        user=release.approved_by_id.name,
                        date=format_date(self.env, release.valid_until),
                    ),
                    *blocking,
                    *warnings,
                ]
                blocking = []
            order.risk_check_blocking = "\n".join(blocking)
            order.risk_check_warnings = "\n".join(warnings)
            order.risk_check_blocked = bool(blocking)

    @api.depends("risk_release_ids.state")
    def _compute_risk_release_count(self):
        counts = dict(
            self.env["customer.risk.release"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        pending = {
            order
            for [order] in self.env["customer.risk.release"]._read_group(
                [("order_id", "in", self.ids), ("state", "=", "pending")], ["order_id"]
            )
        }
        for order in self:
            order.risk_release_count = counts.get(order, 0)
            order.risk_release_pending = order in pending

    # ------------------------------------------------------------------ confirmation

    def action_confirm(self):
        after = self._risk_check_confirmation()
        res = super().action_confirm()
        self._risk_schedule_customer_snapshots(after)
        self._risk_queue_size_check()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self._risk_schedule_customer_snapshots()
        return res

    def _risk_schedule_customer_snapshots(self, after=None):
        """Confirmed orders count in the exposure: refresh the customers' list figures.
        ``after`` ({company id: {partner id: figures}}, from the credit check): the
        figures with these orders confirmed, which the refresh reuses."""
        after = after or {}
        for company, orders in self.grouped("company_id").items():
            orders.partner_id._risk_schedule_snapshot(company, known=after.get(company.id))

    def _risk_queue_size_check(self):
        """Compare confirmed orders with their customer's usual size later, in a job: the
        early warning never slows down nor blocks a confirmation."""
        orders = self.filtered(lambda o: o.state == "sale").sudo()
        if not orders:
            return
        cron_id = self._risk_size_cron_id()
        # Orders the credit check flagged already know whether the job is due.
        flagged = self.env.cr.precommit.data.get("customer_risk.size_flagged", {})
        if all(order.id in flagged for order in orders):
            if cron_id and not all(flagged[order.id] for order in orders):
                self.env["ir.cron"].sudo().browse(cron_id)._trigger()
                for order in orders:
                    flagged[order.id] = True
            return
        # One statement flags the orders and tells whether the job is already due (a
        # trigger waits): then the waiting run compares these orders too, as it takes
        # every flagged order, and no second trigger (nor wake-up) is needed.
        self.env.cr.execute(
            SQL(
                """
                WITH flagged AS (
                    UPDATE sale_order SET risk_size_check_pending = TRUE
                     WHERE id = ANY(%(orders)s)
                )
                SELECT EXISTS (
                    SELECT 1 FROM ir_cron_trigger
                     WHERE cron_id = %(cron)s AND call_at <= (now() AT TIME ZONE 'UTC'))
                """,
                orders=orders.ids,
                cron=cron_id or 0,
            )
        )
        waiting = self.env.cr.fetchone()[0]
        orders.invalidate_recordset(["risk_size_check_pending"])
        if cron_id and not waiting:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()

    @api.model
    def _cron_risk_order_size(self, chunk_size=200):
        """Raise the "order far above the usual size" alert for confirmed orders waiting to
        be compared with the customer's average order of the 12 months before; chunked,
        each chunk committed, each order compared once."""
        done = 0
        while order_ids := self._risk_size_todo(chunk_size):
            orders = self.browse(order_ids).sudo()
            averages = self._risk_fetch_usual_sizes(orders)
            for company, batch in orders.grouped("company_id").items():
                rule = self.env["customer.risk.alert.rule"]._risk_rules(company).get("order_size")
                items = []
                # An order flagged by a credit check whose confirmation did not go
                # through is not compared.
                for order in batch.filtered(lambda o: o.state == "sale") if rule else ():
                    amount = order.amount_total / (order.currency_rate or 1.0)
                    average = averages.get(order.id)
                    ratio = tools.unusual_order(
                        amount, average, rule.threshold, company.currency_id.rounding
                    )
                    if ratio:
                        items.append((order, ratio, amount, average))
                Alert = self.env["customer.risk.alert"].sudo()
                Alert._risk_raise_many(
                    company,
                    [
                        (
                            order.partner_id,
                            "order_size",
                            order._risk_size_message(ratio, amount, average),
                            None,
                            {
                                "order": order.name,
                                "amount": amount,
                                "average": average,
                                "ratio": ratio,
                            },
                        )
                        for order, ratio, amount, average in items
                    ],
                )
            orders.write({"risk_size_check_pending": False})
            done += len(orders)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(orders) if len(orders) == chunk_size else 0
            )
            # Batch job: commit per chunk so a crash keeps the work done (design rule).
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _risk_size_todo(self, limit):
        self.flush_model(["risk_size_check_pending"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM sale_order WHERE risk_size_check_pending
                    ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _risk_fetch_usual_sizes(self, orders):
        """{order id: average total, in company currency, of the other confirmed orders of
        its customer and company over the 12 months before it}; one query for the batch."""
        self.flush_model(
            ["partner_id", "company_id", "state", "date_order", "amount_total", "currency_rate"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT o.id, AVG(h.amount_total / COALESCE(NULLIF(h.currency_rate, 0), 1))
                  FROM sale_order o
                  JOIN res_partner p ON p.id = o.partner_id
                  JOIN res_partner hp ON hp.commercial_partner_id = p.commercial_partner_id
                  JOIN sale_order h ON h.partner_id = hp.id
                 WHERE o.id = ANY(%(orders)s)
                   AND h.id != o.id
                   AND h.company_id = o.company_id
                   AND h.state = 'sale'
                   AND h.date_order >= o.date_order - INTERVAL '12 months'
                   AND (h.date_order, h.id) < (o.date_order, o.id)
                 GROUP BY o.id
                """,
                orders=orders.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _risk_size_message(self, ratio, amount, average):
        self.ensure_one()
        currency = self.company_id.currency_id
        return self.env._(
            "Order %(order)s of %(amount)s is %(ratio)s times the customer's average order of "
            "the last 12 months (%(average)s).",
            order=self.name,
            amount=formatLang(self.env, amount, currency_obj=currency),
            ratio=format(ratio, "g"),
            average=formatLang(self.env, average, currency_obj=currency),
        )

    def _risk_check_confirmation(self):
        """The credit check. Whatever the context or the user, every quotation confirmed is
        decided on fresh figures; a blocked one needs a valid release, which it then uses.
        Returns the customers' figures with the orders confirmed (see ``_risk_snapshots``)."""
        orders = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id)
        if not orders:
            return {}
        orders._risk_prefetch_partners()
        waiting = self._risk_lock_partners(orders.partner_id.commercial_partner_id, orders)
        self.env.cr.precommit.data.setdefault("customer_risk.size_flagged", {}).update(
            dict.fromkeys(orders.ids, waiting)
        )
        today = fields.Date.context_today(self)
        after = {}
        snapshots = orders._risk_snapshots(today, cumulate=True, after=after)
        refused = []
        releases = self.env["customer.risk.release"]
        for order in orders:
            decision = tools.decide(snapshots[order])
            if not decision.blocked:
                continue
            release = decision.releasable and order._risk_valid_release(today)
            if release:
                releases |= release
            else:
                refused.append((order, decision))
        if refused:
            self._risk_on_refusal(refused)
            order = self._risk_releasable_refusal(refused)
            message = self._risk_refusal_message(refused, offer=order)
            if order:
                raise CreditCheckBlocked(
                    message,
                    self.env["ir.model.data"]._xmlid_to_res_id(
                        "customer_risk.sale_order_action_request_risk_release"
                    ),
                    self.env._("Request Credit Release"),
                    {"active_id": order.id, "active_ids": order.ids, "active_model": "sale.order"},
                )
            raise UserError(message)
        releases._mark_used()
        return after

    def _risk_releasable_refusal(self, refused):
        """The one refused order whose blocked message may offer to request its credit
        release: a release can lift its reasons, none is waiting and the user may ask."""
        if len(refused) != 1 or not self.env.user.has_group(RISK_GROUP):
            return self.browse()
        order, decision = refused[0]
        if not decision.releasable or order.sudo().risk_release_ids.filtered(
            lambda r: r.state == "pending"
        ):
            return self.browse()
        return order

    def _risk_lock_partners(self, partners, orders=None):
        """Lock the customers' rows in id order and write to them. Under REPEATABLE READ a
        lock alone lets two concurrent confirmations both pass on their old snapshots; with
        the write, the later one fails to serialize and Odoo retries it on fresh figures.

        The same statement flags ``orders`` for the order-size job (rolled back with the
        confirmation if it fails; the job skips an order left unconfirmed) and returns
        whether that job is already due (a trigger waits)."""
        # The sub-select locks the rows in id order (no deadlock between two checks of the
        # same customers), the update writes them.
        self.env.cr.execute(
            SQL(
                """
                WITH locked AS (
                    UPDATE res_partner p
                       SET risk_check_count = COALESCE(p.risk_check_count, 0) + 1
                      FROM (SELECT id FROM res_partner WHERE id = ANY(%(partners)s)
                             ORDER BY id FOR NO KEY UPDATE) locked
                     WHERE p.id = locked.id
                ),
                flagged AS (
                    UPDATE sale_order SET risk_size_check_pending = TRUE
                     WHERE id = ANY(%(orders)s)
                )
                SELECT EXISTS (
                    SELECT 1 FROM ir_cron_trigger
                     WHERE cron_id = %(cron)s AND call_at <= (now() AT TIME ZONE 'UTC'))
                """,
                partners=sorted(partners.ids),
                orders=orders.ids if orders else [],
                cron=self._risk_size_cron_id() or 0,
            )
        )
        partners.invalidate_recordset(["risk_check_count"])
        if orders:
            orders.invalidate_recordset(["risk_size_check_pending"])
        return self.env.cr.fetchone()[0]

    @api.model
    def _risk_size_cron_id(self):
        # The id from the cached xmlid lookup (``env.ref`` would check it exists first).
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "customer_risk.ir_cron_risk_order_size", raise_if_not_found=False
        )

    def _risk_prefetch_partners(self):
        """Read in one query what the check and the confirmation read of the customers:
        the stored fields of the orders' partners and their commercial partners, with the
        risk profile in each order's company, and the user's own partner (its time zone
        gives the user's today)."""
        Partner = self.env["res.partner"]
        names = [
            name
            for name, field in Partner._fields.items()
            if field.store and field.column_type and field.prefetch is True
        ]
        profile = [
            "credit_limit",
            "risk_tier_id",
            "risk_hold",
            "risk_hold_reason",
            "risk_screening_state",
            "risk_review_date",
        ]
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id | self.env.user.partner_id
            partners.sudo().with_company(company).fetch(names + profile)
            commercial = orders.partner_id.commercial_partner_id - partners
            if commercial:
                commercial.sudo().with_company(company).fetch(names + profile)

    def _risk_on_refusal(self, refused):
        """Hook called with the refused ``[(order, decision)]`` just before the refusal is
        raised (its transaction then rolls back); the audit addon records the refusal."""

    def _risk_refusal_message(self, refused, offer=None):
        """One message for every refused ``[(order, decision)]``; ``offer`` is the order
        whose message comes with the button that requests its release."""
        lines = []
        for order, decision in refused:
            lines.append(
                self.env._(
                    "%(order)s for %(customer)s cannot be confirmed:",
                    order=order.name,
                    customer=order.partner_id.commercial_partner_id.display_name,
                )
            )
            lines.extend(f"- {order._risk_reason_text(r)}" for r in decision.blocking)
            if not decision.releasable:
                lines.append(self.env._("Only a credit manager can lift the credit hold."))
            elif order.sudo().risk_release_ids.filtered(lambda r: r.state == "pending"):
                lines.append(self.env._("A credit release request is waiting for approval."))
            elif order == offer:
                lines.append(
                    self.env._(
                        "Request a credit release to ask a credit manager to approve this " "order."
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "The salesperson can request a credit release from the quotation "
                        "(button Request Credit Release)."
                    )
                )
        return "\n".join(lines)

    # ------------------------------------------------------------------ releases

    def _risk_valid_release(self, today):
        """The approved, unexpired release that covers this order as it is now."""
        self.ensure_one()
        # The order's releases are read once (the refusal message needs them too).
        return self._origin.sudo().risk_release_ids.filtered(
            lambda r: r.state == "approved"
            and r.valid_until
            and r.valid_until >= today
            and r._covers(self)
        )[:1]

    def action_request_risk_release(self):
        """Ask the credit managers to release this blocked quotation; opens the request so
        the salesperson can add a justification."""
        self.ensure_one()
        release = self.env["customer.risk.release"].create({"order_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.risk.release",
            "res_id": release.id,
            "view_mode": "form",
            "target": "new",
        }

    def _risk_release_request_vals(self):
        """Values of a release request: the order must be blocked by reasons a release may
        lift and have no open request; the figures are taken now, fresh."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only a quotation can get a credit release."))
        today = fields.Date.context_today(self)
        open_releases = self.sudo().risk_release_ids.filtered(
            lambda r: r.state in ("pending", "approved")
        )
        # An approved release past its validity expires now rather than at the next cron.
        if open_releases - open_releases._expire_past_validity(today):
            raise UserError(
                self.env._(
                    "%(order)s already has a pending or approved credit release.",
                    order=self.name,
                )
            )
        snapshot = self._risk_snapshots(today)[self]
        decision = tools.decide(snapshot)
        if not decision.blocked:
            raise UserError(
                self.env._(
                    "%(order)s passes the credit check: no release is needed.", order=self.name
                )
            )
        if not decision.releasable:
            raise UserError(
                self.env._(
                    "%(customer)s is on credit hold: only a credit manager can lift the hold.",
                    customer=self.partner_id.commercial_partner_id.display_name,
                )
            )
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "amount": self.amount_total,
            "amount_company": snapshot.order_amount,
            "credit_limit": snapshot.limit,
            "exposure": snapshot.exposure,
            "reasons": "\n".join(self._risk_reason_text(r) for r in decision.blocking),
            "requested_by_id": self.env.uid,
            "date_requested": fields.Datetime.now(),
            "state": "pending",
        }

    def action_view_risk_releases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_release_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action

    def _risk_void_releases(self):
        """Open releases that no longer cover their order (edited above the released amount
        or into another currency) are void: the order needs a new request."""
        releases = (
            self.env["customer.risk.release"]
            .sudo()
            .search([("order_id", "in", self.ids), ("state", "in", ("pending", "approved"))])
        )
        for release in releases.filtered(lambda r: not r._covers(r.order_id)):
            order = release.order_id
            release._expire(
                self.env._(
                    "Void: order %(order)s now totals %(total)s, above the released %(amount)s.",
                    order=order.name,
                    total=formatLang(self.env, order.amount_total, currency_obj=order.currency_id),
                    amount=formatLang(self.env, release.amount, currency_obj=release.currency_id),
                )
            )

    def _risk_check_line_commands(self, vals):
        """Lines sent inside the order are checked before Odoo computes the order's totals
        from them (an overflowing total would fail without a clear message)."""
        Line = self.env["sale.order.line"]
        for command in vals.get("order_line") or ():
            if (
                isinstance(command, list | tuple)
                and len(command) == 3
                and isinstance(command[2], dict)
            ):
                Line._risk_check_number_vals(command[2])

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._risk_check_line_commands(vals)
        return super().create(vals_list)

    # Order fields whose change cannot change the order's total or currency: writing only
    # these (as the confirmation does) cannot void a release.
    _RISK_RELEASE_NEUTRAL_FIELDS = frozenset({"state", "date_order", "locked"})

    def write(self, vals):
        self._risk_check_line_commands(vals)
        res = super().write(vals)
        if not set(vals) <= self._RISK_RELEASE_NEUTRAL_FIELDS:
            self._risk_void_releases()
        return res
