from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerRiskScorecardBand(models.Model):
    _name = "customer.risk.scorecard.band"
    _description = "Customer Risk Scorecard Band"
    _order = "factor_id, value_from, id"

    factor_id = fields.Many2one(
        "customer.risk.scorecard.factor", required=True, index=True, ondelete="cascade"
    )
    value_from = fields.Float(string="From", help="Lowest value of the band, included.")
    value_to = fields.Float(
        string="To",
        help="Highest value of the band, excluded. Leave it at 0 (or at most From) for a band "
        "with no upper bound.",
    )
    points = fields.Float(help="Points 0-100 a value in this band gives; higher is safer.")
    label = fields.Char(translate=True)

    @api.constrains("points")
    def _check_points(self):
        if any(not 0 <= band.points <= 100 for band in self):
            raise ValidationError(self.env._("Band points must be between 0 and 100."))

    def _scoring_tuple(self):
        """``(lower, upper, points)`` for the scoring tools; a To not above From is open."""
        self.ensure_one()
        upper = self.value_to if self.value_to > self.value_from else None
        return (self.value_from, upper, self.points)
