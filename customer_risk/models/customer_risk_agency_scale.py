from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerRiskAgencyScale(models.Model):
    """One step of an agency's scale: a rating (AAA, B+...) or a range of numeric scores,
    and the points 0-100 it gives."""

    _name = "customer.risk.agency.scale"
    _description = "Credit Rating Agency Scale"
    _order = "agency_id, sequence, id"

    agency_id = fields.Many2one(
        "customer.risk.agency", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="agency_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    rating = fields.Char(help="A rating of the agency, e.g. AA; leave empty for a score range.")
    score_from = fields.Float(help="Lowest score of the range, included.")
    score_to = fields.Float(
        help="Highest score of the range, excluded; leave it at 0 (or at most From) for no "
        "upper bound."
    )
    points = fields.Float(help="Points 0-100 this rating or score gives; higher is safer.")
    label = fields.Char(translate=True)

    @api.constrains("points")
    def _check_points(self):
        if any(not 0 <= line.points <= 100 for line in self):
            raise ValidationError(self.env._("Scale points must be between 0 and 100."))

    def _scoring_tuple(self):
        """``(lower, upper, points)`` for the scoring tools; a To not above From is open."""
        self.ensure_one()
        upper = self.score_to if self.score_to > self.score_from else None
        return (self.score_from, upper, self.points)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["customer.risk.agency"]._check_manager()
        return super().create(vals_list)

    def write(self, vals):
        self.env["customer.risk.agency"]._check_manager()
        return super().write(vals)
