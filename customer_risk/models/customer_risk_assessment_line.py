from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round

from .. import tools


class CustomerRiskAssessmentLine(models.Model):
    """One factor of an assessment: its value, the band it falls in, the points it gives
    and how much they weigh, so anyone can see why the score is what it is."""

    _name = "customer.risk.assessment.line"
    _description = "Credit Assessment Factor"
    _inherit = ["customer.risk.kept.mixin"]
    _order = "assessment_id, sequence, id"

    assessment_id = fields.Many2one(
        "customer.risk.assessment", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="assessment_id.company_id", store=True)
    # Restrict: the factors of past assessments are part of their decisions.
    factor_id = fields.Many2one(
        "customer.risk.scorecard.factor", required=True, ondelete="restrict"
    )
    factor_type = fields.Selection(related="factor_id.factor_type")
    sequence = fields.Integer(related="factor_id.sequence", store=True)
    value = fields.Float(digits=(16, 2), help="The factor's figure (see its type for the unit).")
    band_label = fields.Char(string="Band")
    points = fields.Float(
        digits=(5, 1),
        help="0-100, higher is safer. For a manual factor the credit officer types them.",
    )
    weight = fields.Float()
    counted = fields.Boolean(
        string="Scored",
        help="The factor counts in the score. Factors without a value are left out; for a "
        "manual factor, tick it once its points are typed.",
    )
    contribution = fields.Float(
        compute="_compute_contribution",
        digits=(5, 1),
        help="Points this factor adds to the score: its points times its share of the weights.",
    )
    note = fields.Char()

    @api.depends(
        "assessment_id.line_ids.points",
        "assessment_id.line_ids.weight",
        "assessment_id.line_ids.counted",
    )
    def _compute_contribution(self):
        for assessment, lines in self.grouped("assessment_id").items():
            siblings = assessment.line_ids if assessment else lines
            shares = tools.score_contributions(
                (line.points if line.counted else None, line.weight) for line in siblings
            )
            share_of = dict(zip(siblings, shares, strict=True))
            for line in lines:
                line.contribution = share_of.get(line) or 0.0

    @api.constrains("points")
    def _check_points(self):
        if any(not 0 <= line.points <= 100 for line in self):
            raise ValidationError(self.env._("Points must be between 0 and 100."))

    @api.onchange("points")
    def _onchange_points(self):
        if self.factor_type == "manual":
            self.counted = True

    # Columns ``_risk_insert`` writes, with their SQL type.
    _RISK_INSERT_COLUMNS = {
        "assessment_id": "int4",
        "company_id": "int4",
        "factor_id": "int4",
        "sequence": "int4",
        "value": "numeric",
        "band_label": "varchar",
        "points": "numeric",
        "weight": "float8",
        "counted": "bool",
        "note": "varchar",
    }

    @api.model
    def _risk_insert(self, vals_list):
        """Insert the breakdown lines ``vals_list`` of draft assessments in one statement,
        for the nightly job's batches; every value given (the related ``company_id`` and
        ``sequence`` included), the points checked as ``_check_points`` checks them. The
        caller invalidates and recomputes the assessments' ``line_ids`` dependents."""
        if not vals_list:
            return self.browse()
        if any(not 0 <= (vals.get("points") or 0.0) <= 100 for vals in vals_list):
            raise ValidationError(self.env._("Points must be between 0 and 100."))
        self.env["customer.risk.assessment"].browse(
            sorted({vals["assessment_id"] for vals in vals_list})
        )._check_draft()
        names = list(self._RISK_INSERT_COLUMNS)
        digits = {name: self._fields[name].get_digits(self.env) for name in ("value", "points")}
        columns = {name: [] for name in names}
        for vals in vals_list:
            for name in names:
                value = vals.get(name)
                if value is False and self._RISK_INSERT_COLUMNS[name] != "bool":
                    value = None  # the ORM's False of an empty field is NULL
                if digits.get(name):  # stored as the ORM stores them
                    value = float_round(value or 0.0, precision_digits=digits[name][1])
                columns[name].append(value)
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_risk_assessment_line
                       (%(names)s, create_uid, write_uid, create_date, write_date)
                   SELECT u.*, %(uid)s, %(uid)s,
                          now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                     FROM unnest(%(arrays)s) AS u
                   RETURNING id""",
                names=SQL(", ").join(SQL.identifier(name) for name in names),
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", columns[name], SQL(kind))
                    for name, kind in self._RISK_INSERT_COLUMNS.items()
                ),
                uid=self.env.uid,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    # The breakdown of a confirmed assessment is part of the documented decision.
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.assessment_id._check_draft()
        return lines

    def write(self, vals):
        self.assessment_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        if any(line.assessment_id.state != "draft" for line in self):
            raise UserError(self.env._("Only draft credit assessments can be changed."))
