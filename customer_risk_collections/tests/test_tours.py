import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_followup import FollowupCommon

# A tour must be able to wait for a first page on a busy machine; each step keeps Odoo's
# default step timeout.
TOUR_TIMEOUT = 240


@tagged("post_install", "-at_install")
class TestCollectionsTours(FollowupCommon, HttpCase):
    """The accountant's day in a real browser (Odoo's web_tour, headless Chromium); the test
    then checks what the clicks did. Data is created here, never from demo."""

    def test_accountant_followups_and_aging_export(self):
        """(c) The accountant sends the due reminder from the follow-up report and exports
        the aging to XLSX."""
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(
            self.customer_low, 800.0, today - timedelta(days=40), today - timedelta(days=10)
        )
        self.customer_low._followup_refresh(self.company)
        self.assertEqual(self.state(self.customer_low).followup_next_level_id, self.level_reminder)
        self.assertFalse(self.executions(self.customer_low))

        self.start_tour(
            "/odoo/action-customer_risk_collections.res_partner_action_followup",
            "customer_risk_collections_accountant",
            login=self.user_accountant.login,
            timeout=TOUR_TIMEOUT,
        )

        execution = self.executions(self.customer_low)
        self.assertEqual(len(execution), 1, "one reminder was sent, once")
        self.assertEqual(execution.level_id, self.level_reminder)
        self.assertEqual(execution.trigger, "manual")
        self.assertEqual(execution.user_id, self.user_accountant)
        mails = self.reminders(self.customer_low)
        self.assertEqual(len(mails), 1)
        self.assertIn("ap@low.example.com", mails.email_to or mails.recipient_ids.email)
        self.assertIn(invoice.name, mails.body_html)

        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "customer.risk.aging.report"),
                    ("name", "=", f"aging-{today.isoformat()}.xlsx"),
                ]
            )
        )
        self.assertEqual(len(attachment), 1, "the aging was exported to Excel")
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        summary = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
        row = next(r for r in summary if "Low Risk Trading" in r)
        self.assertIn(800.0, row)
        detail = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]
        self.assertTrue(any(invoice.name in r for r in detail))
