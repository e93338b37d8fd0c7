import base64
import io
from datetime import date

from openpyxl import load_workbook

from odoo.tests import freeze_time, tagged

from .common_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupXlsx(FollowupCommon):
    def test_export_reads_back_as_text_and_numbers(self):
        chinese = self.make_customer("上海莲花贸易有限公司", tier=self.tier_low)
        formula = self.make_customer('=HYPERLINK("http://evil.example.com")', tier=self.tier_low)
        plus = self.make_customer("+86 Trading", tier=self.tier_high)
        disputed = self.make_invoice(chinese, 250.0, date(2025, 3, 1), date(2025, 4, 1))
        disputed.write({"followup_disputed": True, "followup_dispute_reason": "Damaged"})
        self.make_invoice(chinese, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        self.make_invoice(formula, 333.33, date(2025, 4, 1), date(2025, 6, 1))
        self.make_invoice(plus, 50.5, date(2025, 4, 1), date(2025, 4, 20))
        self.run_followups(date(2025, 5, 10))
        partners = chinese | formula | plus
        with freeze_time(date(2025, 5, 10)):
            export = (
                self.env["customer.risk.followup.export"]
                .with_user(self.user_accountant)
                .create({"partner_ids": partners.ids})
            )
            action = export.action_export_xlsx()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", export._name), ("res_id", "=", export.id)]
        )
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        book = load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        summary, items = book.worksheets
        self.assertEqual(summary.freeze_panes, "A2")
        for sheet in (summary, items):
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(
                        cell.data_type, "f", f"formula in {sheet.title}!{cell.coordinate}"
                    )
        rows = {row[0]: row for row in summary.iter_rows(min_row=2, values_only=True)}
        self.assertIn('=HYPERLINK("http://evil.example.com")', rows)
        self.assertIn("+86 Trading", rows)
        # Amount due, overdue and disputed as numbers, totals equal to the report's figures.
        states = partners._followup_states(self.company, date(2025, 5, 10))
        for partner in partners:
            state = states[partner.id]
            self.assertEqual(
                rows[partner.name][7:10],
                (state.amount_due, state.amount_overdue, state.amount_disputed),
            )
        self.assertEqual(rows["上海莲花贸易有限公司"][7:10], (1250.0, 1000.0, 250.0))
        self.assertEqual(rows["上海莲花贸易有限公司"][4], "Payment reminder")
        self.assertEqual(rows["+86 Trading"][4], "High: call")
        self.assertEqual(rows["Total"][7], 1250.0 + 333.33 + 50.5)
        item_rows = list(items.iter_rows(min_row=2, values_only=True))
        details = [row for row in item_rows if row[1]]
        self.assertEqual(len(details), 4)
        self.assertEqual({row[0] for row in details}, set(partners.mapped("name")))
        self.assertEqual(round(sum(row[5] for row in details), 2), 1633.83)
        total = next(row for row in item_rows if row[0] == "Total")
        self.assertAlmostEqual(total[5], 1633.83)
        self.assertEqual(
            {row[6] for row in details if row[0] == "上海莲花贸易有限公司"}, {"Yes", "No"}
        )
