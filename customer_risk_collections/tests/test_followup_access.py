from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupAccess(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_other = cls.make_customer(
            "Other Seller Goods", tier=cls.tier_low, salesperson=cls.user_sales_2
        )
        cls.invoice = cls.make_invoice(cls.customer_low, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        cls.make_invoice(cls.customer_other, 500.0, date(2025, 4, 1), date(2025, 5, 1))

    def setUp(self):
        super().setUp()
        self.run_followups(date(2025, 5, 9))
        self.mine, self.others = (
            self.executions(self.customer_low),
            self.executions(self.customer_other),
        )

    def test_only_collectors_run_follow_ups(self):
        for user in (self.user_officer, self.user_manager, self.user_sales, self.user_billing):
            with self.subTest(user=user.login):
                customer = self.customer_low.with_user(user)
                with self.assertRaises(AccessError):
                    customer.action_followup_process()
                with self.assertRaises(AccessError):
                    customer.action_followup_run_now()
                with self.assertRaises(AccessError):
                    customer.action_followup_promise()
                with self.assertRaises(AccessError):
                    self.mine.with_user(user).action_print_letters()
        triggers = self.env["ir.cron.trigger"].sudo()
        cron = self.env.ref("customer_risk_collections.ir_cron_followup")
        before = triggers.search_count([("cron_id", "=", cron.id)])
        self.customer_low.with_user(self.user_accountant).action_followup_run_now()
        self.assertEqual(triggers.search_count([("cron_id", "=", cron.id)]), before + 1)

    def test_credit_officers_see_follow_ups_and_set_them(self):
        Execution = self.env["customer.risk.followup.execution"].with_user(self.user_officer)
        self.assertEqual(Execution.search([]), self.mine | self.others)
        officer_view = self.customer_low.with_user(self.user_officer)
        self.assertEqual(officer_view.followup_level_id, self.level_reminder)
        officer_view.write({"followup_responsible_id": self.user_officer.id})
        self.assertEqual(self.state(self.customer_low).followup_responsible_id, self.user_officer)
        self.invoice.with_user(self.user_officer).write(
            {"followup_disputed": True, "followup_dispute_reason": "Wrong price"}
        )
        self.assertTrue(self.invoice.followup_disputed)

    def test_salespeople_read_their_customers_follow_ups(self):
        Execution = self.env["customer.risk.followup.execution"].with_user(self.user_sales)
        self.assertEqual(Execution.search([]), self.mine)
        self.assertEqual(
            self.customer_low.with_user(self.user_sales).followup_level_id, self.level_reminder
        )
        with self.assertRaises(AccessError):
            self.others.with_user(self.user_sales).read(["amount"])
        with self.assertRaises(AccessError):
            self.customer_low.with_user(self.user_sales).write({"followup_mode": "manual"})

    def test_outsiders_change_neither_follow_ups_nor_disputes(self):
        for user in (self.user_billing, self.user_default, self.user_sales):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.customer_low.with_user(user).write(
                        {"followup_excluded": True, "followup_exclusion_reason": "Friend"}
                    )
                with self.assertRaises(AccessError):
                    self.invoice.with_user(user).write(
                        {"followup_disputed": True, "followup_dispute_reason": "Friend"}
                    )
        # The run's own state is written by the run only, even for accountants.
        with self.assertRaises(AccessError):
            self.customer_low.with_user(self.user_accountant).write(
                {"followup_next_date": date(2030, 1, 1)}
            )
        with self.assertRaises(AccessError):
            self.env["customer.risk.followup.execution"].with_user(self.user_accountant).create(
                {
                    "partner_id": self.customer_low.id,
                    "level_id": self.level_letter.id,
                    "episode_date": date(2025, 5, 1),
                    "company_id": self.company.id,
                }
            )
        with self.assertRaises(AccessError):
            self.mine.with_user(self.user_manager).write({"summary": "Nothing happened"})

    def test_follow_ups_stay_in_their_company(self):
        other = self.setup_other_company(name="Collections Co 2")["company"]
        foreign_level = self.make_level("Company 2 reminder", 1, send_letter=True)
        foreign_level.company_id = other
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer_low.id,
                    "invoice_date": date(2025, 4, 1),
                    "invoice_date_due": date(2025, 5, 1),
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "price_unit": 100.0, "tax_ids": False})
                    ],
                }
            )
        )
        invoice.action_post()
        self.run_followups(date(2025, 5, 9))
        foreign = self.executions(self.customer_low).filtered(lambda e: e.company_id == other)
        self.assertEqual(foreign.level_id, foreign_level)
        self.assertEqual(foreign.move_ids, invoice)
        # Each company's follow-up state of the customer is its own.
        self.assertEqual(self.state(self.customer_low).followup_level_id, self.level_reminder)
        other_state = self.customer_low.sudo().with_company(other)
        self.assertEqual(other_state.followup_level_id, foreign_level)
        for user in (self.user_accountant, self.user_officer):
            with self.subTest(user=user.login):
                Execution = self.env["customer.risk.followup.execution"].with_user(user)
                self.assertNotIn(foreign, Execution.search([]))
                Level = self.env["customer.risk.followup.level"].with_user(user)
                self.assertNotIn(foreign_level, Level.search([]))

    def test_forms_and_report_open_for_every_role(self):
        for user in (self.user_accountant, self.user_officer, self.user_sales):
            with self.subTest(user=user.login):
                partner = self.customer_low.with_user(user)
                partner.get_views([(False, "form")])
                partner.read(["followup_level_id", "followup_next_date", "followup_amount_due"])
                self.mine.with_user(user).read(["summary", "amount", "level_id"])
        with freeze_time(date(2025, 5, 9)):
            Partner = self.env["res.partner"].with_user(self.user_accountant)
            action = self.env.ref("customer_risk_collections.res_partner_action_followup")
            Partner.get_views([(action.view_ids[0].view_id.id, "list")])
            rows = Partner.search_read(
                [("followup_next_date", "<=", date(2025, 6, 9))],
                ["followup_amount_due", "followup_amount_overdue", "followup_next_level_id"],
            )
        amounts = {row["id"]: row["followup_amount_due"] for row in rows}
        self.assertEqual(amounts[self.customer_low.id], 500.0)
