from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerRiskScorecard(models.Model):
    """How an assessment turns a customer's figures into a 0-100 score: weighted factors,
    each with value bands giving points."""

    _name = "customer.risk.scorecard"
    _description = "Customer Risk Scorecard"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the scorecard between companies."
    )
    is_default = fields.Boolean(
        string="Default",
        tracking=True,
        help="Used by new assessments of its company (or of every company when shared). "
        "A company's own default wins over a shared one.",
    )
    factor_ids = fields.One2many(
        "customer.risk.scorecard.factor", "scorecard_id", string="Factors", copy=True
    )
    total_weight = fields.Float(compute="_compute_total_weight")
    description = fields.Text(translate=True)

    @api.depends("factor_ids.weight")
    def _compute_total_weight(self):
        for scorecard in self:
            scorecard.total_weight = sum(scorecard.factor_ids.mapped("weight"))

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for scorecard in self.filtered(lambda s: s.is_default and s.active):
            others = self.search_count(
                [
                    ("id", "!=", scorecard.id),
                    ("is_default", "=", True),
                    ("company_id", "=", scorecard.company_id.id),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Only one default scorecard per company: unset it on the other "
                        "scorecard before making %(scorecard)s the default.",
                        scorecard=scorecard.display_name,
                    )
                )

    @api.model
    def _default_for_company(self, company):
        """The scorecard new assessments of ``company`` use: its own default, else the
        shared one."""
        defaults = self.search(
            [("is_default", "=", True), ("company_id", "in", [company.id, False])]
        )
        return (defaults.filtered("company_id") or defaults)[:1]
