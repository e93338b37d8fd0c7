from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestDashboardFollowups(FollowupCommon):
    """The overview's follow-up block: this month's figures from real runs and promises."""

    def card(self, user, day):
        with freeze_time(day):
            data = (
                self.env["customer.risk.dashboard"]
                .with_user(user)
                .with_company(self.company)
                .get_data()
            )
        [card] = [c for c in data["cards"] if c["key"] == "followups"]
        return {item["kind"]: item["figure"] for item in card["items"]}

    def test_followups_of_the_month(self):
        invoice = self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        self.make_invoice(self.customer_high, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 8))
        Promise = self.env["customer.risk.promise"].with_user(self.user_accountant)
        with freeze_time(date(2025, 5, 8)):
            kept = Promise.create(
                {
                    "partner_id": self.customer_low.id,
                    "amount": 1000.0,
                    "date": date(2025, 5, 20),
                    "move_ids": [Command.set(invoice.ids)],
                }
            )
        figures = self.card(self.user_manager, date(2025, 5, 9))
        self.assertEqual(figures["followup_executed"], 2)
        self.assertEqual(figures["promises_open"], 1000.0)
        self.assertEqual(figures["promises_broken"], 0)
        self.check_promises(date(2025, 5, 21))
        self.assertEqual(kept.state, "broken")
        figures = self.card(self.user_manager, date(2025, 5, 22))
        self.assertEqual(figures["promises_open"], 0.0)
        self.assertEqual(figures["promises_broken"], 1)
        # Next month starts from zero.
        figures = self.card(self.user_manager, date(2025, 6, 2))
        self.assertEqual((figures["followup_executed"], figures["promises_broken"]), (0, 0))
        self.assertGreaterEqual(figures["followup_today"], 1)

    def test_salesperson_sees_own_customers_follow_ups(self):
        other = self.make_customer(
            "Other Trading", tier=self.tier_low, salesperson=self.user_sales_2
        )
        self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        self.make_invoice(other, 700.0, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 8))
        figures = self.card(self.user_sales_2, date(2025, 5, 9))
        self.assertEqual(figures["followup_executed"], 1)
        with freeze_time(date(2025, 5, 9)):
            action = (
                self.env["customer.risk.dashboard"]
                .with_user(self.user_sales_2)
                .with_company(self.company)
                .action_open("followup_executed")
            )
        executions = (
            self.env["customer.risk.followup.execution"]
            .with_user(self.user_sales_2)
            .search(action["domain"])
        )
        self.assertEqual(executions.partner_id, other)

    def test_report_opens_the_open_invoices_of_a_customer(self):
        open_invoice = self.make_invoice(
            self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1)
        )
        paid = self.make_invoice(self.customer_low, 200.0, date(2025, 4, 1), date(2025, 5, 1))
        self.pay(paid, 200.0, date(2025, 5, 2))
        self.make_invoice(self.customer_high, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        contact = self.customer_low.child_ids[:1]
        action = contact.with_user(self.user_accountant).action_followup_view_invoices()
        invoices = self.env["account.move"].with_user(self.user_accountant).search(action["domain"])
        self.assertEqual(invoices, open_invoice)
