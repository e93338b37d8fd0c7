from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.customer_risk import tools

# Up to this many days back, the aging starts from the items open today; before, from the
# items dated by the date (same result, the cheaper plan; see ``_aging_items_query``).
RECENT_DAYS = 30
# Customers per chunk when a report reads the items of every customer.
CHUNK = 1000


def _bucket_condition(bucket):
    """SQL condition on ``items.days_past_due`` of a ``tools.aging.Bucket``."""
    days = SQL("items.days_past_due")
    if bucket.min_days is None:
        return SQL("%s <= %s", days, bucket.max_days)
    if bucket.max_days is None:
        return SQL("%s >= %s", days, bucket.min_days)
    return SQL("%s BETWEEN %s AND %s", days, bucket.min_days, bucket.max_days)


class CustomerRiskAging(models.AbstractModel):
    """Receivables as they stood at a date, computed in the database.

    The residual of a receivable journal item at date D is its balance minus the partial
    reconciliations dated on or before D (``max_date``, the later date of the two matched
    items): payments and reconciliations dated after D do not count, and items fully
    settled by D drop out. Amounts are in the company currency.

    The methods read the ledger in SQL without access checks: callers (reports, follow-ups,
    KPIs, provisions, audit) decide who may see the result.
    """

    _name = "customer.risk.aging"
    _description = "Receivables Aging"

    @api.model
    def _check_company_access(self, companies):
        """The ledger is read in SQL, past record rules: a user reads only the receivables
        of the companies they may work in."""
        forbidden = companies - self.env.user.company_ids
        if forbidden and not self.env.su:
            raise AccessError(
                self.env._(
                    "You have no access to the receivables of %(companies)s.",
                    companies=", ".join(forbidden.mapped("name")),
                )
            )

    @api.model
    def _aging_fetch(self, query, dicts=False):
        """Run an aging query without PostgreSQL's JIT compilation and return its rows.

        Over a large ledger the planner's estimate of these single-pass queries passes
        ``jit_above_cost``, and compiling them costs more than the little they run. The
        setting is switched off for the query only (``set_config(..., true)`` is local to
        the transaction, and rolled back with it on an error)."""
        cr = self.env.cr
        cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cr.fetchone()[0]
        cr.execute(query)
        rows = cr.dictfetchall() if dicts else cr.fetchall()
        cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))
        return rows

    @api.model
    def _aging_receivable_account_ids(self, company):
        return (
            self.env["account.account"]
            .sudo()
            .search([("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)])
            .ids
        )

    @api.model
    def _aging_items_query(self, company, date, partner_ids=None):
        """SQL of the receivable items of ``company`` open at ``date``, one row each:
        line_id, move_id, company_id, partner_id (commercial partner, or NULL), date,
        date_maturity, days_past_due, residual (company currency, non-zero).

        ``partner_ids``: only the items of these commercial partners (``None`` among them:
        and the items without a partner)."""
        accounts = self._aging_receivable_account_ids(company)
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "company_id",
                "date",
                "date_maturity",
                "move_id",
                "parent_state",
                "partner_id",
                "reconciled",
            ]
        )
        self.env["account.partial.reconcile"].flush_model(
            ["amount", "credit_move_id", "debit_move_id", "max_date"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        partner_filter = SQL()
        if partner_ids is not None:
            # On the items' own partner (the contacts of those customers, archived ones
            # too), so that an index on the items' partner serves a few customers.
            ids = [partner_id for partner_id in partner_ids if partner_id]
            members = SQL(
                "aml.partner_id = ANY(ARRAY(SELECT id FROM res_partner"
                " WHERE commercial_partner_id = ANY(%s)))",
                ids,
            )
            if len(ids) < len(partner_ids):
                members = SQL("(%s OR aml.partner_id IS NULL)", members)
            partner_filter = SQL("AND %s", members)
        due = SQL("COALESCE(aml.date_maturity, aml.date)")
        # Odoo keeps amount_residual = balance - matches as debit + matches as credit, so the
        # residual at D is today's residual with the matches dated after D put back: only
        # the partials dated after D are read (one pass over the table, summed per item),
        # never every item's history.
        later = SQL(
            """
            SELECT m.line_id, SUM(m.amount) AS amount
              FROM account_partial_reconcile pr
             CROSS JOIN LATERAL (
                   VALUES (pr.debit_move_id, pr.amount), (pr.credit_move_id, -pr.amount)
                   ) m (line_id, amount)
             WHERE pr.max_date > %(date)s
             GROUP BY m.line_id
            """,
            date=date,
        )
        common = SQL(
            """
            aml.account_id = ANY(%(accounts)s)
            AND aml.parent_state = 'posted'
            AND aml.company_id = %(company)s
            AND aml.date <= %(date)s
            %(partner_filter)s
            """,
            accounts=accounts,
            company=company.id,
            date=date,
            partner_filter=partner_filter,
        )

        def columns(residual):
            return SQL(
                """
                aml.id AS line_id,
                aml.move_id,
                aml.company_id,
                p.commercial_partner_id AS partner_id,
                aml.date,
                %(due)s AS date_maturity,
                %(date)s::date - %(due)s AS days_past_due,
                %(residual)s AS residual
                """,
                due=due,
                date=date,
                residual=residual,
            )

        recent = date >= fields.Date.today() - timedelta(days=RECENT_DAYS)
        if recent and not self._aging_matched_after(date):
            # No match is dated after D (as of today, as a rule): the items open at D are
            # those open today, at their residual, in one pass like the native one (the
            # join with the empty later matches would cost as much as the pass itself).
            return SQL(
                """
                SELECT * FROM (
                    SELECT %(columns)s
                      FROM account_move_line aml
                      LEFT JOIN res_partner p ON p.id = aml.partner_id
                     WHERE aml.reconciled IS NOT TRUE
                       AND aml.amount_residual <> 0
                       AND %(common)s
                ) items
                """,
                columns=columns(SQL("aml.amount_residual")),
                common=common,
            )
        later_residual = SQL("aml.amount_residual + COALESCE(later.amount, 0)")
        if recent:
            # Recent date: the items open today (Odoo's partial index on unreconciled
            # items) plus the few reconciled items matched after D; an item settled today
            # by matches all dated by D was settled at D.
            candidates = SQL(
                """
                SELECT %(columns)s
                  FROM account_move_line aml
                  LEFT JOIN later ON later.line_id = aml.id
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.reconciled IS NOT TRUE AND %(common)s
                UNION ALL
                SELECT %(columns)s
                  FROM later
                  JOIN account_move_line aml ON aml.id = later.line_id
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.reconciled AND %(common)s
                """,
                columns=columns(later_residual),
                common=common,
            )
        else:
            # Older date: many items open then are settled today, so one pass over the
            # receivable items dated by D (index on account and date), keeping those open
            # today or matched after D, beats looking each matched item up.
            candidates = SQL(
                """
                SELECT %(columns)s
                  FROM account_move_line aml
                  LEFT JOIN later ON later.line_id = aml.id
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE (aml.reconciled IS NOT TRUE OR later.line_id IS NOT NULL)
                   AND %(common)s
                """,
                columns=columns(later_residual),
                common=common,
            )
        return SQL(
            """
            WITH later AS (%(later)s)
            SELECT * FROM (%(candidates)s) items
             WHERE items.residual <> 0
            """,
            later=later,
            candidates=candidates,
        )

    @api.model
    def _aging_matched_after(self, date):
        """Whether any match (partial reconciliation) is dated after ``date``."""
        self.env.cr.execute(
            SQL("SELECT 1 FROM account_partial_reconcile WHERE max_date > %s LIMIT 1", date)
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _aging_lines(self, company, date, bounds=tools.aging.DEFAULT_BOUNDS, partner_ids=None):
        """Open receivable items of ``company`` at ``date``, one dict per item with the keys
        of :meth:`_aging_items_query` plus ``bucket`` (index in ``bounds``' buckets).

        ``partner_ids`` restricts to these commercial partners (``None`` in it: the items
        without a partner)."""
        bounds = tools.aging.check_bounds(bounds)
        rows = self._aging_fetch(
            SQL(
                "%s ORDER BY items.partner_id, items.date_maturity, items.line_id",
                self._aging_items_query(company, date, partner_ids),
            ),
            dicts=True,
        )
        for row in rows:
            row["bucket"] = tools.aging.bucket_index(row["days_past_due"], bounds)
        return rows

    @api.model
    def _aging_by_partner(self, company, date, bounds=tools.aging.DEFAULT_BOUNDS, partner_ids=None):
        """Open amounts of ``company`` at ``date`` per commercial partner and bucket:
        {partner id or None: [amount of bucket 0, bucket 1, ...]}.

        One pass in the database: it sums the items per partner and bucket."""
        # The buckets as tools.aging defines them (bounds checked there).
        sums = [
            SQL("SUM(CASE WHEN %s THEN items.residual END)", _bucket_condition(bucket))
            for bucket in tools.aging.buckets(bounds)
        ]
        rows = self._aging_fetch(
            SQL(
                "SELECT items.partner_id, %s FROM (%s) items GROUP BY items.partner_id",
                SQL(", ").join(sums),
                self._aging_items_query(company, date, partner_ids),
            )
        )
        return {row[0]: [amount or 0.0 for amount in row[1:]] for row in rows}

    @api.model
    def _aging_lines_in_chunks(
        self, company, date, bounds=tools.aging.DEFAULT_BOUNDS, partner_ids=None, size=CHUNK
    ):
        """The items of :meth:`_aging_lines` in the same order, read ``size`` customers at
        a time: yields lists of rows, so that a report of every customer never holds all
        its items (one pass per chunk, on the items' partner index, plus one pass to find
        the customers)."""
        customers = sorted(
            self._aging_by_partner(company, date, bounds, partner_ids),
            key=lambda partner_id: (partner_id is None, partner_id or 0),
        )
        for start in range(0, len(customers), size):
            yield self._aging_lines(company, date, bounds, customers[start : start + size])
