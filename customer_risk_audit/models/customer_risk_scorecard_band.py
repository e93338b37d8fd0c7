from odoo import models


class CustomerRiskScorecardBand(models.Model):
    _name = "customer.risk.scorecard.band"
    _inherit = ["customer.risk.scorecard.band", "customer.risk.audited.mixin"]
