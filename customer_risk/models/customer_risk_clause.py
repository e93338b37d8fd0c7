from odoo import api, fields, models

CATEGORIES = [
    ("payment", "Payment"),
    ("interest", "Late-payment interest"),
    ("retention", "Retention of title"),
    ("guarantee", "Guarantee"),
    ("liability", "Penalty and liability"),
    ("jurisdiction", "Jurisdiction"),
    ("confidentiality", "Confidentiality"),
]


class CustomerRiskClause(models.Model):
    """A standard clause of the library that contracts draw from; the tiers for which it is
    mandatory decide which contracts satisfy the credit check's contract rule."""

    _name = "customer.risk.clause"
    _description = "Contract Clause"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the clause between companies."
    )
    category = fields.Selection(CATEGORIES, required=True, tracking=True)
    text = fields.Text(
        required=True,
        translate=True,
        tracking=True,
        help="Copied into a contract in the customer's language, where it may be adapted.",
    )
    tier_ids = fields.Many2many(
        "customer.risk.tier",
        string="Mandatory for Tiers",
        help="A contract of a customer in one of these tiers is activated, and satisfies the "
        "credit check, only when it carries this clause.",
    )

    @api.model
    def _risk_mandatory(self, tier, company):
        """Clauses every contract of a customer of ``tier`` in ``company`` must carry."""
        if not tier:
            return self.browse()
        return self.search(
            [("tier_ids", "in", tier.ids), ("company_id", "in", [company.id, False])]
        )
