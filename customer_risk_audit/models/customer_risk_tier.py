from odoo import models


class CustomerRiskTier(models.Model):
    _name = "customer.risk.tier"
    _inherit = ["customer.risk.tier", "customer.risk.audited.mixin"]
