from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerRiskCreditReport(models.Model):
    """What a credit rating agency says about a customer at a date: its rating or score,
    the credit limit it recommends and how late the customer pays others. The newest valid
    report feeds the scorecard and the tiers' agency limit method."""

    _name = "customer.risk.credit.report"
    _description = "Credit Report"
    _inherit = ["mail.thread", "customer.risk.customer.mixin", "customer.risk.officer.mixin"]
    _risk_officer_writes = True
    _order = "date desc, id desc"
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
    agency_id = fields.Many2one(
        "customer.risk.agency", required=True, tracking=True, check_company=True
    )
    date = fields.Date(
        string="Report Date", required=True, default=fields.Date.context_today, tracking=True
    )
    rating = fields.Char(tracking=True, help="The agency's rating, e.g. AA.")
    score = fields.Float(
        tracking=True, help="The agency's numeric score, when it gives one (0 means none)."
    )
    points = fields.Float(
        compute="_compute_points",
        store=True,
        help="Points 0-100 the agency's scale gives the rating (or the score).",
    )
    rated = fields.Boolean(
        string="On the Scale",
        compute="_compute_points",
        store=True,
        help="The agency's scale knows the rating or the score: the report feeds the " "scorecard.",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    recommended_limit = fields.Monetary(tracking=True)
    payment_delay_index = fields.Float(
        help="The agency's figure of how late the customer pays its suppliers (e.g. "
        "average days beyond terms)."
    )
    valid_until = fields.Date(
        compute="_compute_valid_until",
        store=True,
        readonly=False,
        tracking=True,
        help="The report counts until this date; by default the agency's report validity "
        "after the report date.",
    )
    document = fields.Binary(string="Report File", attachment=True)
    document_name = fields.Char(string="Report File Name")
    note = fields.Text()

    _sql_constraints = [
        (
            "limit_positive",
            "CHECK(recommended_limit >= 0)",
            "A recommended limit cannot be negative.",
        ),
    ]

    @api.depends("partner_id", "agency_id", "date")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "%(agency)s on %(customer)s, %(date)s",
                agency=report.agency_id.name or "",
                customer=report.partner_id.display_name or "",
                date=report.date or "",
            )

    @api.depends(
        "rating",
        "score",
        "agency_id.scale_ids.rating",
        "agency_id.scale_ids.score_from",
        "agency_id.scale_ids.score_to",
        "agency_id.scale_ids.points",
    )
    def _compute_points(self):
        for report in self:
            points = None
            if report.agency_id:
                points = report.agency_id._points(report.rating, report.score)
            report.rated = points is not None
            report.points = points or 0.0

    @api.depends("date", "agency_id")
    def _compute_valid_until(self):
        for report in self:
            months = report.agency_id.validity_months
            report.valid_until = (
                report.date + relativedelta(months=months)
                if report.date and months
                else report.valid_until
            )

    @api.model
    def _latest(self, partners, company, date):
        """The newest report valid at ``date`` of each commercial partner in ``company``, in
        one query: {partner id: report}."""
        if not partners:
            return {}
        self.flush_model(["partner_id", "company_id", "date", "valid_until"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, id
                  FROM customer_risk_credit_report
                 WHERE partner_id = ANY(%(partners)s)
                   AND company_id = %(company)s
                   AND date <= %(date)s
                   AND (valid_until IS NULL OR valid_until >= %(date)s)
                 ORDER BY partner_id, date DESC, id DESC
                """,
                partners=partners.ids,
                company=company.id,
                date=date,
            )
        )
        rows = self.env.cr.fetchall()
        reports = self.sudo().browse([report_id for _partner_id, report_id in rows])
        return dict(zip((row[0] for row in rows), reports, strict=True))
