from odoo import api, fields, models
from odoo.exceptions import AccessError

from .. import tools


class CustomerRiskAgency(models.Model):
    """A credit rating agency and its rating scale: each of its ratings, or each range of
    its numeric scores, gives points 0-100 to the scorecard's external rating factor."""

    _name = "customer.risk.agency"
    _description = "Credit Rating Agency"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the agency in every company."
    )
    website = fields.Char()
    validity_months = fields.Integer(
        string="Report Validity (Months)",
        default=12,
        help="How long a report of this agency counts when the file does not say.",
    )
    scale_ids = fields.One2many(
        "customer.risk.agency.scale", "agency_id", string="Rating Scale", copy=True
    )
    report_count = fields.Integer(compute="_compute_report_count")

    def _compute_report_count(self):
        counts = dict(
            self.env["customer.risk.credit.report"]._read_group(
                [("agency_id", "in", self.ids)], ["agency_id"], ["__count"]
            )
        )
        for agency in self:
            agency.report_count = counts.get(agency, 0)

    def _points(self, rating, score):
        """Points 0-100 a report of this agency gives; None when the scale has neither
        its rating nor its score (a score of 0 counts as no score)."""
        self.ensure_one()
        lines = self.scale_ids
        ratings = {tools.rating_key(line.rating): line.points for line in lines if line.rating}
        bands = [line._scoring_tuple() for line in lines.sorted("score_from") if not line.rating]
        return tools.agency_points(rating, score or None, ratings, bands)

    @api.model
    def _check_manager(self):
        """Agencies and their scales are configuration: the credit manager's."""
        if not self.env.su and not self.env.user.has_group("customer_risk.group_risk_manager"):
            raise AccessError(self.env._("Only Credit Managers may configure rating agencies."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        return super().create(vals_list)

    def write(self, vals):
        self._check_manager()
        return super().write(vals)

    def action_view_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk.customer_risk_credit_report_action"
        )
        action["domain"] = [("agency_id", "=", self.id)]
        action["context"] = {"default_agency_id": self.id}
        return action
