from odoo import api, fields, models


class CustomerRiskExposureHistory(models.Model):
    """Daily totals of the customers' risk figures of a company, kept so the Credit Control
    overview can draw exposure and overdue over time (the snapshot figures on the partners
    only hold today's values)."""

    _name = "customer.risk.exposure.history"
    _description = "Exposure History"
    _order = "date desc, id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    exposure = fields.Monetary(readonly=True)
    overdue = fields.Monetary(string="Overdue Amount", readonly=True)
    credit_limit = fields.Monetary(string="Credit Limits", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    over_limit_count = fields.Integer(string="Customers Over Limit", readonly=True)

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "The exposure history has one row per company and day.",
        )
    ]

    @api.model
    def _risk_customer_domain(self):
        """The customers whose figures the snapshot job keeps: commercial partners that
        bought or were invoiced."""
        return [("parent_id", "=", False), ("customer_rank", ">", 0)]

    @api.model
    def _risk_totals(self, company, domain=None):
        """Totals of the customers' snapshot figures in ``company``, with the caller's
        access rights: one aggregate query."""
        partners = self.env["res.partner"].with_company(company)
        domain = list(domain or self._risk_customer_domain())
        [(count, exposure, overdue, available)] = partners._read_group(
            domain,
            [],
            [
                "__count",
                "risk_exposure:sum",
                "risk_overdue_amount:sum",
                "risk_available_credit:sum",
            ],
        )
        over_limit = partners.search_count([*domain, ("risk_over_limit", "=", True)])
        return {
            "customer_count": count,
            "exposure": exposure or 0.0,
            "overdue": overdue or 0.0,
            # The snapshot keeps available = limit - exposure, so the limits add up from it.
            "credit_limit": (exposure or 0.0) + (available or 0.0),
            "over_limit_count": over_limit,
        }

    @api.model
    def _risk_record(self, company, date):
        """Store (or replace) the totals of ``company`` for ``date``; called by the snapshot
        job once the figures of every customer are fresh."""
        values = self.sudo()._risk_totals(company)
        existing = self.sudo().search([("company_id", "=", company.id), ("date", "=", date)])
        if existing:
            existing.write(values)
            return existing
        return self.sudo().create({"company_id": company.id, "date": date, **values})
