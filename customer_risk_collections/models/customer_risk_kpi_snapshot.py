import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_unique_index

from odoo.addons.customer_risk import tools

DIMENSIONS = [
    ("company", "Company"),
    ("tier", "Tier"),
    ("collector", "Collector"),
]
# Months of sales the countback walks through before it counts every day.
LOOKBACK_MONTHS = 12


class CustomerRiskKpiSnapshot(models.Model):
    """Collection KPIs of one month, for a company as a whole, per tier or per collector.

    Each row holds its own ratios (DSO, CEI, ...): they are exact for the grouping the row
    was computed for (its dimension), and never summed across rows. Rows are recomputed by a
    daily job for the current and the previous month and on request for any period."""

    _name = "customer.risk.kpi.snapshot"
    _description = "Collection KPIs"
    _order = "month desc, company_id, dimension, id"

    month = fields.Date(required=True, index=True, readonly=True, help="First day of the month.")
    date = fields.Date(
        string="As of",
        required=True,
        readonly=True,
        help="Last day of the month, or the day of computation for the current month.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    dimension = fields.Selection(DIMENSIONS, string="Per", required=True, readonly=True)
    tier_id = fields.Many2one(
        "customer.risk.tier", readonly=True, help="The customers' tier in this company today."
    )
    user_id = fields.Many2one(
        "res.users", string="Collector", readonly=True, help="The customers' salesperson."
    )
    sales = fields.Monetary(
        string="Credit Sales",
        readonly=True,
        help="Posted customer invoices minus refunds of the month, taxes included.",
    )
    receivables_begin = fields.Monetary(
        string="Receivables at Start", readonly=True, help="Open at the end of the month before."
    )
    receivables_end = fields.Monetary(string="Receivables", readonly=True)
    current_end = fields.Monetary(string="Not Due", readonly=True)
    overdue_end = fields.Monetary(string="Overdue", readonly=True)
    dso = fields.Float(
        string="DSO",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="Days sales outstanding, countback method.",
    )
    best_dso = fields.Float(
        string="Best Possible DSO",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="The DSO of the amounts not yet due.",
    )
    avg_days_delinquent = fields.Float(
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="DSO minus best possible DSO: days beyond terms, on average.",
    )
    cei = fields.Float(
        string="CEI (%)",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="Collection effectiveness index of the month; 0 when nothing was collectible.",
    )
    overdue_ratio = fields.Float(
        string="Overdue (%)",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="Overdue share of the receivables.",
    )
    computed_at = fields.Datetime(readonly=True)

    def init(self):
        # One row per company, month and group, even when two computations overlap.
        create_unique_index(
            self.env.cr,
            "customer_risk_kpi_snapshot_group_uniq",
            self._table,
            ["company_id", "month", "dimension", "COALESCE(tier_id, 0)", "COALESCE(user_id, 0)"],
        )

    # ------------------------------------------------------------------ computation

    @api.model
    def _kpi_group_keys(self, company, partner_ids):
        """{commercial partner id: {dimension: group key}}; a hook for other collectors."""
        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        partners.fetch(["user_id", "risk_tier_id"])
        keys = {None: {"company": None, "tier": None, "collector": None}}
        for partner in partners:
            keys[partner.id] = {
                "company": None,
                "tier": partner.risk_tier_id.id or None,
                "collector": partner.user_id.id or None,
            }
        return keys

    @api.model
    def _kpi_sales(self, company, date_from, date_to):
        """{(commercial partner id, first day of month): credit sales}."""
        self.env["account.move"].flush_model(
            ["amount_total_signed", "company_id", "date", "move_type", "partner_id", "state"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       date_trunc('month', m.date)::date,
                       SUM(m.amount_total_signed)
                  FROM account_move m
                  LEFT JOIN res_partner p ON p.id = m.partner_id
                 WHERE m.company_id = %(company)s
                   AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.date BETWEEN %(date_from)s AND %(date_to)s
                 GROUP BY 1, 2
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )
        return {(partner, month): amount for partner, month, amount in self.env.cr.fetchall()}

    @api.model
    def _kpi_compute_month(self, company, month, today=None):
        """Replace the KPI rows of ``company`` for the month of ``month``; nothing for a
        month that has not begun."""
        today = today or fields.Date.context_today(self)
        month = month.replace(day=1)
        as_of = min(month + relativedelta(months=1, days=-1), today)
        self.sudo().search([("company_id", "=", company.id), ("month", "=", month)]).unlink()
        if as_of < month:
            return self.browse()
        aging = self.env["customer.risk.aging"]
        end = aging._aging_by_partner(company, as_of)
        begin = aging._aging_by_partner(company, month - datetime.timedelta(days=1))
        first = month - relativedelta(months=LOOKBACK_MONTHS - 1)
        sales = self._kpi_sales(company, first, as_of)
        partner_ids = (end.keys() | begin.keys() | {p for p, _m in sales}) - {None}
        keys = self._kpi_group_keys(company, list(partner_ids))
        groups = defaultdict(lambda: defaultdict(float))
        groups["company", None] = defaultdict(float)  # the company row, even when empty
        monthly_sales = defaultdict(lambda: defaultdict(float))
        for partner_id, amounts in end.items():
            for group in keys[partner_id].items():
                groups[group]["receivables_end"] += sum(amounts)
                groups[group]["current_end"] += amounts[0]
                groups[group]["overdue_end"] += sum(amounts[1:])
        for partner_id, amounts in begin.items():
            for group in keys[partner_id].items():
                groups[group]["receivables_begin"] += sum(amounts)
        for (partner_id, sale_month), amount in sales.items():
            for group in keys[partner_id].items():
                monthly_sales[group][sale_month] += amount
        months = [month - relativedelta(months=back) for back in range(LOOKBACK_MONTHS)]
        days = [(as_of - month).days + 1] + [
            (m + relativedelta(months=1) - m).days for m in months[1:]
        ]
        now = fields.Datetime.now()
        vals_list = []
        selling = {group for group, by_month in monthly_sales.items() if by_month.get(month)}
        for dimension, key in groups.keys() | selling:
            values = groups[dimension, key]
            group_sales = monthly_sales[dimension, key]
            periods = [(d, group_sales[m]) for d, m in zip(days, months, strict=True)]
            dso = tools.kpi.dso_countback(values["receivables_end"], periods)
            best_dso = tools.kpi.dso_countback(values["current_end"], periods)
            cei = tools.kpi.cei(
                values["receivables_begin"],
                group_sales[month],
                values["receivables_end"],
                values["current_end"],
            )
            vals_list.append(
                {
                    "month": month,
                    "date": as_of,
                    "company_id": company.id,
                    "dimension": dimension,
                    "tier_id": key if dimension == "tier" else False,
                    "user_id": key if dimension == "collector" else False,
                    "sales": group_sales[month],
                    "receivables_begin": values["receivables_begin"],
                    "receivables_end": values["receivables_end"],
                    "current_end": values["current_end"],
                    "overdue_end": values["overdue_end"],
                    "dso": dso,
                    "best_dso": best_dso,
                    "avg_days_delinquent": tools.kpi.average_days_delinquent(dso, best_dso),
                    "cei": cei or 0.0,
                    "overdue_ratio": tools.ratio_percent(
                        values["overdue_end"], values["receivables_end"], default=0.0
                    ),
                    "computed_at": now,
                }
            )
        return self.sudo().create(vals_list)

    @api.model
    def _kpi_compute(self, companies, date_from, date_to, today=None):
        """Recompute every month from ``date_from`` to ``date_to`` for ``companies``, in
        this transaction."""
        month = date_from.replace(day=1)
        while month <= date_to:
            for company in companies:
                self._kpi_compute_month(company, month, today=today)
            month += relativedelta(months=1)

    @api.model
    def _cron_compute_kpis(self):
        """Daily: the previous and the current month of every company, one company-month
        per chunk, each committed. A rerun the same day skips the chunks already done."""
        today = fields.Date.context_today(self)
        start = fields.Datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        current = today.replace(day=1)
        chunks = [
            (company, month)
            for company in self.env["res.company"].search([])  # pylint: disable=no-search-all
            for month in (current - relativedelta(months=1), current)
        ]
        for done, (company, month) in enumerate(chunks, start=1):
            fresh = self.sudo().search_count(
                [
                    ("company_id", "=", company.id),
                    ("month", "=", month),
                    ("dimension", "=", "company"),
                    ("computed_at", ">=", start),
                ],
                limit=1,
            )
            if not fresh:
                self._kpi_compute_month(company, month, today=today)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(chunks) - done)
            # Batch job: commit per chunk so a crash keeps the months already computed.
            self.env.cr.commit()  # pylint: disable=invalid-commit
