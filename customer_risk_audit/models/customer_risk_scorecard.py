from odoo import models


class CustomerRiskScorecard(models.Model):
    _name = "customer.risk.scorecard"
    _inherit = ["customer.risk.scorecard", "customer.risk.audited.mixin"]
