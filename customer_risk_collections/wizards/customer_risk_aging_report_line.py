from odoo import fields, models


class CustomerRiskAgingReportLine(models.TransientModel):
    """One receivable item open at the date of an aging report, for its pivot and list."""

    _name = "customer.risk.aging.report.line"
    _description = "Aging Report Item"
    _order = "partner_id, date_maturity, id"

    wizard_id = fields.Many2one(
        "customer.risk.aging.report", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    tier_id = fields.Many2one("customer.risk.tier", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    bucket_id = fields.Many2one("customer.risk.aging.bucket", readonly=True)
    residual = fields.Monetary(
        readonly=True, help="Open amount at the report date, in the report currency."
    )
    share = fields.Float(string="Share (%)", digits=(5, 2), readonly=True)

    def action_open_document(self):
        self.ensure_one()
        return self.move_id.get_formview_action()

    def action_open_customer_items(self):
        """The customer's receivable journal items up to the report date."""
        self.ensure_one()
        wizard = self.wizard_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Receivables of %(customer)s", customer=self.partner_id.display_name
            ),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [
                ("partner_id", "child_of", self.partner_id.commercial_partner_id.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.company_id.id),
                ("date", "<=", wizard.date),
            ],
            "context": {"create": False},
        }
