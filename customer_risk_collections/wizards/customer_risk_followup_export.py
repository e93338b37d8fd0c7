import io
from datetime import datetime, time

import xlsxwriter

from odoo import fields, models
from odoo.tools import format_date

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Follow-ups %(date)s.xlsx", date=fields.Date.to_string(self.date)
                ),
                "raw": self._xlsx_content(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": XLSX_MIMETYPE,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _xlsx_content(self):
        company = self.company_id
        # The report shows each customer's tier and collector to whoever may export it.
        partners = self.partner_ids.commercial_partner_id.with_company(company).sudo()
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        formats = self._xlsx_formats(book, company.currency_id)
        self._xlsx_summary(book, formats, partners, partners._followup_states(company, self.date))
        self._xlsx_items(book, formats, partners._followup_fetch_items(company))
        book.close()
        return output.getvalue()

    def _xlsx_formats(self, book, currency):
        digits = "0" * currency.decimal_places
        number = "#,##0" + (f".{digits}" if digits else "")
        symbol = '"{}"'.format(currency.symbol.replace('"', ""))
        money = f"{symbol} {number}" if currency.position == "before" else f"{number} {symbol}"
        return {
            "header": book.add_format(
                {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
            ),
            "text": book.add_format({}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "money": book.add_format({"num_format": money}),
            "integer": book.add_format({"num_format": "0"}),
            "total": book.add_format({"bold": True, "top": 1}),
            "total_money": book.add_format({"bold": True, "top": 1, "num_format": money}),
        }

    def _xlsx_sheet(self, book, formats, name, headers):
        sheet = book.add_worksheet(name)
        for col, (title, width) in enumerate(headers):
            sheet.write_string(0, col, title, formats["header"])
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        return sheet

    def _xlsx_write(self, sheet, row, values, formats):
        """Write one row of (kind, value): text as text, numbers as numbers, dates as
        dates; empty values leave the cell blank."""
        for col, (kind, value) in enumerate(values):
            if value is None or value is False:
                sheet.write_blank(row, col, None, formats["text"])
            elif kind == "text":
                sheet.write_string(row, col, str(value), formats["text"])
            elif kind == "date":
                sheet.write_datetime(row, col, datetime.combine(value, time.min), formats["date"])
            else:
                sheet.write_number(row, col, value, formats[kind])

    def _xlsx_summary(self, book, formats, partners, states):
        sheet = self._xlsx_sheet(
            book,
            formats,
            self.env._("Follow-ups"),
            [
                (self.env._("Customer"), 36),
                (self.env._("Risk Tier"), 14),
                (self.env._("Collector"), 20),
                (self.env._("Salesperson"), 20),
                (self.env._("Follow-up Level"), 24),
                (self.env._("Next Follow-up Level"), 24),
                (self.env._("Next Follow-up"), 14),
                (self.env._("Amount Due"), 16),
                (self.env._("Overdue (Undisputed)"), 16),
                (self.env._("Disputed"), 16),
                (self.env._("Last Promise"), 24),
                (self.env._("Promise State"), 14),
                (self.env._("Excluded"), 10),
            ],
        )
        promise_states = dict(
            self.env["customer.risk.promise"]._fields["state"]._description_selection(self.env)
        )
        totals = [0.0, 0.0, 0.0]
        for row, partner in enumerate(partners.sorted("display_name"), start=1):
            state = states[partner.id]
            promise = partner.followup_promise_id
            self._xlsx_write(
                sheet,
                row,
                [
                    ("text", partner.display_name),
                    ("text", partner.risk_tier_id.name),
                    ("text", partner.followup_responsible_id.name),
                    ("text", partner.user_id.name),
                    ("text", partner.followup_level_id.name),
                    ("text", partner.followup_next_level_id.name),
                    ("date", partner.followup_next_date),
                    ("money", state.amount_due),
                    ("money", state.amount_overdue),
                    ("money", state.amount_disputed),
                    ("text", promise.display_name if promise else None),
                    ("text", promise_states[promise.state] if promise else None),
                    ("text", self.env._("Yes") if partner.followup_excluded else self.env._("No")),
                ],
                formats,
            )
            totals = [
                totals[0] + state.amount_due,
                totals[1] + state.amount_overdue,
                totals[2] + state.amount_disputed,
            ]
        row = len(partners) + 1
        sheet.write_string(row, 0, self.env._("Total"), formats["total"])
        for col, amount in enumerate(totals, start=7):
            sheet.write_number(row, col, amount, formats["total_money"])

    def _xlsx_items(self, book, formats, items):
        sheet = self._xlsx_sheet(
            book,
            formats,
            self.env._("Open Items"),
            [
                (self.env._("Customer"), 36),
                (self.env._("Document"), 20),
                (self.env._("Invoice Date"), 14),
                (self.env._("Due Date"), 14),
                (self.env._("Days Past Due"), 10),
                (self.env._("Amount Due"), 16),
                (self.env._("Disputed"), 10),
            ],
        )
        lines = self.env["account.move.line"].sudo().browse([item["id"] for item in items])
        by_id = {line.id: line for line in lines}
        names = {p.id: p.display_name for p in lines.partner_id.commercial_partner_id}
        total = 0.0
        for row, item in enumerate(items, start=1):
            line = by_id[item["id"]]
            self._xlsx_write(
                sheet,
                row,
                [
                    ("text", names[item["partner_id"]]),
                    ("text", line.move_id.name),
                    ("date", line.move_id.invoice_date or line.date),
                    ("date", item["due"]),
                    ("integer", (self.date - item["due"]).days),
                    ("money", item["residual"]),
                    ("text", self.env._("Yes") if item["disputed"] else self.env._("No")),
                ],
                formats,
            )
            total += item["residual"]
        row = len(items) + 1
        sheet.write_string(row, 0, self.env._("Total"), formats["total"])
        sheet.write_number(row, 5, total, formats["total_money"])
        sheet.write_string(
            row + 2,
            0,
            self.env._("As of %(date)s", date=format_date(self.env, self.date)),
            formats["text"],
        )
