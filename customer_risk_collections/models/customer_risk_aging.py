from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.customer_risk import tools


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
        date_maturity, days_past_due, residual (company currency, non-zero)."""
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
        partner_filter = (
            SQL("AND p.commercial_partner_id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL()
        )
        due = SQL("COALESCE(aml.date_maturity, aml.date)")
        # Odoo keeps amount_residual = balance - matches as debit + matches as credit, so the
        # residual at D is today's residual with the matches dated after D put back: only
        # those few partials are read, never every item's history. Candidates: the items
        # open today (Odoo's partial index on unreconciled items) and the reconciled items
        # matched after D; an item settled today by matches all dated by D was settled at D.
        return SQL(
            """
            WITH later AS (
                SELECT line_id, SUM(amount) AS amount FROM (
                    SELECT pr.debit_move_id AS line_id, pr.amount
                      FROM account_partial_reconcile pr
                     WHERE pr.max_date > %(date)s
                    UNION ALL
                    SELECT pr.credit_move_id, -pr.amount
                      FROM account_partial_reconcile pr
                     WHERE pr.max_date > %(date)s
                ) moves GROUP BY line_id
            )
            SELECT * FROM (
                SELECT aml.id AS line_id,
                       aml.move_id,
                       aml.company_id,
                       p.commercial_partner_id AS partner_id,
                       aml.date,
                       %(due)s AS date_maturity,
                       %(date)s::date - %(due)s AS days_past_due,
                       aml.amount_residual + COALESCE(later.amount, 0) AS residual
                  FROM account_move_line aml
                  LEFT JOIN later ON later.line_id = aml.id
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.account_id = ANY(%(accounts)s)
                   AND aml.reconciled IS NOT TRUE
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.date <= %(date)s
                   %(partner_filter)s
                UNION ALL
                SELECT aml.id,
                       aml.move_id,
                       aml.company_id,
                       p.commercial_partner_id,
                       aml.date,
                       %(due)s,
                       %(date)s::date - %(due)s,
                       aml.amount_residual + later.amount
                  FROM later
                  JOIN account_move_line aml ON aml.id = later.line_id
                  LEFT JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.account_id = ANY(%(accounts)s)
                   AND aml.reconciled
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.date <= %(date)s
                   %(partner_filter)s
            ) items
             WHERE items.residual <> 0
            """,
            due=due,
            date=date,
            accounts=accounts,
            company=company.id,
            partner_filter=partner_filter,
        )

    @api.model
    def _aging_lines(self, company, date, bounds=tools.aging.DEFAULT_BOUNDS, partner_ids=None):
        """Open receivable items of ``company`` at ``date``, one dict per item with the keys
        of :meth:`_aging_items_query` plus ``bucket`` (index in ``bounds``' buckets).

        ``partner_ids`` restricts to these commercial partners."""
        bounds = tools.aging.check_bounds(bounds)
        self.env.cr.execute(
            SQL(
                "%s ORDER BY items.partner_id, items.date_maturity, items.line_id",
                self._aging_items_query(company, date, partner_ids),
            )
        )
        rows = self.env.cr.dictfetchall()
        for row in rows:
            row["bucket"] = tools.aging.bucket_index(row["days_past_due"], bounds)
        return rows

    @api.model
    def _aging_by_partner(self, company, date, bounds=tools.aging.DEFAULT_BOUNDS, partner_ids=None):
        """Open amounts of ``company`` at ``date`` per commercial partner and bucket:
        {partner id or None: [amount of bucket 0, bucket 1, ...]}.

        The database sums per partner and days past due; only the bucketing runs here."""
        bounds = tools.aging.check_bounds(bounds)
        self.env.cr.execute(
            SQL(
                """
                SELECT items.partner_id, items.days_past_due, SUM(items.residual) AS residual
                  FROM (%s) items
                 GROUP BY items.partner_id, items.days_past_due
                """,
                self._aging_items_query(company, date, partner_ids),
            )
        )
        size = len(bounds) + 2
        result = defaultdict(lambda: [0.0] * size)
        for partner_id, days, residual in self.env.cr.fetchall():
            result[partner_id][tools.aging.bucket_index(days, bounds)] += residual
        return dict(result)
