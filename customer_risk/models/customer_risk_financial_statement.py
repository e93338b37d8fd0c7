from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .. import tools


class CustomerRiskFinancialStatement(models.Model):
    """A customer's financial statements for one period, their ratios, and the strength
    0-100 they give the scorecard's financial ratios factor (the newest counts)."""

    _name = "customer.risk.financial.statement"
    _description = "Customer Financial Statement"
    _inherit = ["mail.thread", "customer.risk.customer.mixin", "customer.risk.officer.mixin"]
    _risk_officer_writes = True
    _order = "date_end desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_start = fields.Date(string="Period Start", required=True, tracking=True)
    date_end = fields.Date(string="Period End", required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    revenue = fields.Monetary(tracking=True)
    net_income = fields.Monetary(tracking=True)
    current_assets = fields.Monetary(tracking=True)
    current_liabilities = fields.Monetary(tracking=True)
    total_liabilities = fields.Monetary(tracking=True)
    equity = fields.Monetary(tracking=True)
    operating_cash_flow = fields.Monetary(tracking=True)
    current_ratio = fields.Float(
        compute="_compute_ratios",
        store=True,
        digits=(12, 2),
        aggregator="avg",
        help="Current assets / current liabilities (0 without current liabilities).",
    )
    debt_to_equity = fields.Float(
        string="Debt to Equity",
        compute="_compute_ratios",
        store=True,
        digits=(12, 2),
        aggregator="avg",
        help="Total liabilities / equity (0 when equity is zero or negative).",
    )
    net_margin = fields.Float(
        string="Net Margin (%)",
        compute="_compute_ratios",
        store=True,
        digits=(12, 2),
        aggregator="avg",
        help="Net income as a percent of revenue (0 without revenue).",
    )
    ratio_warning = fields.Char(
        string="Ratios Not Computed",
        compute="_compute_ratios",
        store=True,
        help="Ratios whose denominator is zero or negative.",
    )
    points = fields.Float(
        string="Strength",
        compute="_compute_ratios",
        store=True,
        digits=(5, 1),
        aggregator="avg",
        help="Points 0-100 of liquidity, leverage and profitability (see the scorecard's "
        "financial ratios factor).",
    )
    rated = fields.Boolean(string="Has Strength", compute="_compute_ratios", store=True)
    document = fields.Binary(string="Statements File", attachment=True)
    document_name = fields.Char(string="Statements File Name")
    note = fields.Text()

    @api.depends("partner_id", "date_end")
    def _compute_display_name(self):
        for statement in self:
            statement.display_name = self.env._(
                "%(customer)s, period ending %(date)s",
                customer=statement.partner_id.display_name or "",
                date=statement.date_end or "",
            )

    @api.depends(
        "revenue",
        "net_income",
        "current_assets",
        "current_liabilities",
        "total_liabilities",
        "equity",
    )
    def _compute_ratios(self):
        for st in self:
            ratios = {
                "current_ratio": tools.current_ratio(st.current_assets, st.current_liabilities),
                "debt_to_equity": tools.debt_to_equity(st.total_liabilities, st.equity),
                "net_margin": tools.net_margin(st.net_income, st.revenue),
            }
            for name, value in ratios.items():
                st[name] = value or 0.0
            st.ratio_warning = (
                ", ".join(
                    st._fields[name]._description_string(self.env)
                    for name, value in ratios.items()
                    if value is None
                )
                or False
            )
            points = tools.financial_strength_points(
                current_assets=st.current_assets,
                current_liabilities=st.current_liabilities,
                total_liabilities=st.total_liabilities,
                equity=st.equity,
                net_income=st.net_income,
                revenue=st.revenue,
            )
            st.rated = points is not None
            st.points = points or 0.0

    @api.constrains("date_start", "date_end")
    def _check_period(self):
        for statement in self:
            if statement.date_start > statement.date_end:
                raise ValidationError(self.env._("The period must start before it ends."))

    @api.model
    def _latest(self, partners, company, date):
        """The newest statements of each commercial partner in ``company`` whose period
        ended by ``date``, in one query: {partner id: statement}."""
        if not partners:
            return {}
        self.flush_model(["partner_id", "company_id", "date_end"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, id
                  FROM customer_risk_financial_statement
                 WHERE partner_id = ANY(%(partners)s)
                   AND company_id = %(company)s
                   AND date_end <= %(date)s
                 ORDER BY partner_id, date_end DESC, id DESC
                """,
                partners=partners.ids,
                company=company.id,
                date=date,
            )
        )
        rows = self.env.cr.fetchall()
        statements = self.sudo().browse([statement_id for _partner_id, statement_id in rows])
        return dict(zip((row[0] for row in rows), statements, strict=True))
