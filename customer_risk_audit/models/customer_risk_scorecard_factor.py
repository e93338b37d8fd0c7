from odoo import models


class CustomerRiskScorecardFactor(models.Model):
    _name = "customer.risk.scorecard.factor"
    _inherit = ["customer.risk.scorecard.factor", "customer.risk.audited.mixin"]
