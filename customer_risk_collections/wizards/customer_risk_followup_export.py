from odoo import fields, models
from odoo.tools import format_date

from odoo.addons.customer_risk.tools.xlsx import Column, XlsxReport, download_action


class CustomerRiskFollowupExport(models.TransientModel):
    """The follow-up report in Excel: a sheet of customers and a sheet of their open items.

    Text is always written as text, so a name starting with "=", "+", "-" or "@" never
    becomes a formula; amounts are numbers in the company currency's format.
    """

    _name = "customer.risk.followup.export"
    _description = "Follow-up Report Export"

    partner_ids = fields.Many2many(
        "res.partner", relation="customer_risk_followup_export_partner_rel", string="Customers"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(required=True, default=fields.Date.context_today)

    def action_export_xlsx(self):
        """Store the workbook as an attachment of this export and download it."""
        self.ensure_one()
        filename = self.env._("Follow-ups %(date)s.xlsx", date=fields.Date.to_string(self.date))
        return download_action(self, filename, self._xlsx_content())

    def _xlsx_content(self):
        company = self.company_id
        # The report shows each customer's tier and collector to whoever may export it.
        partners = self.partner_ids.commercial_partner_id.with_company(company).sudo()
        book = XlsxReport(company.currency_id)
        self._xlsx_summary(book, partners, partners._followup_states(company, self.date))
        self._xlsx_items(book, partners._followup_fetch_items(company))
        return book.to_bytes()

    def _yes_no(self, value):
        return self.env._("Yes") if value else self.env._("No")

    def _xlsx_summary(self, book, partners, states):
        promise_states = dict(
            self.env["customer.risk.promise"]._fields["state"]._description_selection(self.env)
        )
        rows = []
        for partner in partners.sorted("display_name"):
            state = states[partner.id]
            promise = partner.followup_promise_id
            rows.append(
                [
                    partner.display_name,
                    partner.risk_tier_id.name,
                    partner.followup_responsible_id.name,
                    partner.user_id.name,
                    partner.followup_level_id.name,
                    partner.followup_next_level_id.name,
                    partner.followup_next_date,
                    state.amount_due,
                    state.amount_overdue,
                    state.amount_disputed,
                    promise.display_name if promise else None,
                    promise_states[promise.state] if promise else None,
                    self._yes_no(partner.followup_excluded),
                ]
            )
        book.add_sheet(
            self.env._("Follow-ups"),
            [
                Column(self.env._("Customer"), width=36),
                Column(self.env._("Risk Tier"), width=14),
                Column(self.env._("Collector"), width=20),
                Column(self.env._("Salesperson"), width=20),
                Column(self.env._("Follow-up Level"), width=24),
                Column(self.env._("Next Follow-up Level"), width=24),
                Column(self.env._("Next Follow-up"), "date", width=14),
                Column(self.env._("Amount Due"), "amount", total=True),
                Column(self.env._("Overdue (Undisputed)"), "amount", total=True),
                Column(self.env._("Disputed"), "amount", total=True),
                Column(self.env._("Last Promise"), width=24),
                Column(self.env._("Promise State"), width=14),
                Column(self.env._("Excluded"), width=10),
            ],
            rows,
            totals_label=self.env._("Total"),
        )

    def _xlsx_items(self, book, items):
        lines = self.env["account.move.line"].sudo().browse([item["id"] for item in items])
        by_id = {line.id: line for line in lines}
        names = {p.id: p.display_name for p in lines.partner_id.commercial_partner_id}
        rows = []
        for item in items:
            line = by_id[item["id"]]
            rows.append(
                [
                    names[item["partner_id"]],
                    line.move_id.name,
                    line.move_id.invoice_date or line.date,
                    item["due"],
                    (self.date - item["due"]).days,
                    item["residual"],
                    self._yes_no(item["disputed"]),
                ]
            )
        book.add_sheet(
            self.env._("Open Items"),
            [
                Column(self.env._("Customer"), width=36),
                Column(self.env._("Document"), width=20),
                Column(self.env._("Invoice Date"), "date", width=14),
                Column(self.env._("Due Date"), "date", width=14),
                Column(self.env._("Days Past Due"), "integer"),
                Column(self.env._("Amount Due"), "amount", total=True),
                Column(self.env._("Disputed"), width=10),
            ],
            rows,
            totals_label=self.env._("Total"),
            footer=[self.env._("As of %(date)s", date=format_date(self.env, self.date))],
        )
