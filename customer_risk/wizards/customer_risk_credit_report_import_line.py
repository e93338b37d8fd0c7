from odoo import fields, models


class CustomerRiskCreditReportImportLine(models.TransientModel):
    """One row of an agency's file in the import preview: its customer, or why none."""

    _name = "customer.risk.credit.report.import.line"
    _description = "Credit Report Import Row"
    _order = "row"

    wizard_id = fields.Many2one(
        "customer.risk.credit.report.import", required=True, ondelete="cascade"
    )
    row = fields.Integer(help="Row of the file (the header is row 1).")
    vat = fields.Char(string="Tax ID")
    ref = fields.Char(string="Reference")
    name = fields.Char(string="Name in File")
    partner_id = fields.Many2one("res.partner", string="Customer")
    status = fields.Selection(
        [("matched", "Matched"), ("unmatched", "Not matched"), ("error", "Error")],
        required=True,
        default="unmatched",
    )
    matched_by = fields.Selection([("vat", "Tax ID"), ("ref", "Reference")])
    reason = fields.Char()
    date = fields.Date()
    rating = fields.Char()
    score = fields.Float()
    recommended_limit = fields.Monetary()
    currency_id = fields.Many2one("res.currency")
    payment_delay_index = fields.Float()
    valid_until = fields.Date()

    def _report_values(self):
        self.ensure_one()
        wizard = self.wizard_id
        vals = {
            "partner_id": self.partner_id.id,
            "company_id": wizard.company_id.id,
            "agency_id": wizard.agency_id.id,
            "date": self.date,
            "rating": self.rating or False,
            "score": self.score,
            "recommended_limit": self.recommended_limit,
            "currency_id": self.currency_id.id,
            "payment_delay_index": self.payment_delay_index,
        }
        if self.valid_until:
            vals["valid_until"] = self.valid_until
        return vals
