from odoo import api, fields, models
from odoo.exceptions import ValidationError

FACTOR_TYPES = [
    ("payment_delay", "Payment delay"),
    ("overdue_ratio", "Overdue ratio"),
    ("credit_utilization", "Credit utilization"),
    ("relationship_age", "Relationship age"),
    ("sales_volume", "Sales volume (12 months)"),
    ("external_rating", "External rating"),
    ("financial_ratios", "Financial ratios"),
    ("screening", "Screening result"),
    ("manual", "Manual (qualitative)"),
]


class CustomerRiskScorecardFactor(models.Model):
    _name = "customer.risk.scorecard.factor"
    _description = "Customer Risk Scorecard Factor"
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one(
        "customer.risk.scorecard", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    factor_type = fields.Selection(
        FACTOR_TYPES,
        string="Type",
        required=True,
        help="What the value of the factor is, measured in the assessment's company over the "
        "12 months before the assessment date:\n"
        "- Payment delay: average days paid late of the invoices paid, weighted by amount;\n"
        "- Overdue ratio: overdue receivables as a percent of open receivables;\n"
        "- Credit utilization: exposure as a percent of the credit limit;\n"
        "- Relationship age: months since the first invoice (or since the customer exists);\n"
        "- Sales volume: invoiced sales minus refunds, untaxed, in company currency;\n"
        "- External rating: the agency rating on a 0-100 scale (higher is safer);\n"
        "- Financial ratios: the strength of the financial statements on a 0-100 scale;\n"
        "- Screening result: approved = 3, conditional = 2, not screened or in progress = 1, "
        "rejected or expired = 0;\n"
        "- Manual: the credit officer types the points (0-100) on the assessment; no bands.\n"
        "A factor without a value is left out of the score.",
    )
    weight = fields.Float(default=10.0, help="Relative weight of the factor in the score.")
    band_ids = fields.One2many(
        "customer.risk.scorecard.band", "factor_id", string="Bands", copy=True
    )
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True)

    @api.constrains("weight")
    def _check_weight(self):
        if any(factor.weight < 0 for factor in self):
            raise ValidationError(self.env._("A factor's weight cannot be negative."))

    def _bands(self):
        """Bands as ``(lower, upper, points)`` for the scoring tools, with the records."""
        self.ensure_one()
        bands = self.band_ids.sorted(lambda b: (b.value_from, b.id))
        return bands, [band._scoring_tuple() for band in bands]
