from odoo import fields, models


class CustomerRiskProvisionReportLine(models.TransientModel):
    """The open amount of one customer in one bucket and the provision it implies."""

    _name = "customer.risk.provision.report.line"
    _description = "Bad-Debt Provision Line"
    _order = "partner_id, bucket_id, id"

    wizard_id = fields.Many2one(
        "customer.risk.provision.report", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    bucket_id = fields.Many2one("customer.risk.aging.bucket", readonly=True)
    amount = fields.Monetary(string="Open Amount", readonly=True)
    rate = fields.Float(string="Rate (%)", digits=(5, 2), readonly=True, aggregator=None)
    provision = fields.Monetary(readonly=True)
