from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError


class CustomerRiskKpiRecompute(models.TransientModel):
    """Recompute the monthly collection KPIs of a period, for history or after corrections
    of past entries."""

    _name = "customer.risk.kpi.recompute"
    _description = "Recompute Collection KPIs"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1)
        - relativedelta(months=11),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
    )

    def action_recompute(self):
        self.ensure_one()
        # Past record rules: they would silently leave a forbidden company out.
        self.env["customer.risk.aging"]._check_company_access(self.sudo().company_ids)
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts."))
        self.env["customer.risk.kpi.snapshot"]._kpi_compute(
            self.company_ids, self.date_from, self.date_to
        )
        return self.env["ir.actions.act_window"]._for_xml_id(
            "customer_risk_collections.customer_risk_kpi_snapshot_action"
        )
