from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import CustomerRiskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestExposure(CustomerRiskCommon):
    """Exposure parts from real documents, and the snapshot figures lists rely on."""

    def parts(self, partner=None):
        partner = partner or self.customer
        return partner._risk_exposure_parts(self.company, date(2026, 6, 30))[
            partner.commercial_partner_id.id
        ]

    def test_receivables_split_by_due_date_and_oldest_overdue(self):
        self.make_invoice(amount=300.0, invoice_date=date(2026, 6, 1), due_date=date(2026, 7, 15))
        self.make_invoice(amount=200.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 31))
        # Invoiced to a contact: counts for the commercial partner.
        self.make_invoice(
            partner=self.contact,
            amount=50.0,
            invoice_date=date(2026, 4, 1),
            due_date=date(2026, 4, 10),
        )
        parts = self.parts()
        self.assertAlmostEqual(parts.open_not_due, 300.0)
        self.assertAlmostEqual(parts.overdue, 250.0)
        self.assertEqual(parts.max_days_overdue, 81)  # 2026-04-10 -> 2026-06-30

    def test_due_today_is_not_overdue(self):
        self.make_invoice(amount=80.0, invoice_date=date(2026, 6, 1), due_date=date(2026, 6, 30))
        parts = self.parts()
        self.assertAlmostEqual(parts.open_not_due, 80.0)
        self.assertAlmostEqual(parts.overdue, 0.0)
        self.assertEqual(parts.max_days_overdue, 0)

    def test_partial_payment_reduces_overdue(self):
        invoice = self.make_invoice(
            amount=1000.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 31)
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 400.0, "payment_date": date(2026, 6, 15)})._create_payments()
        self.assertAlmostEqual(self.parts().overdue, 600.0)

    def test_draft_invoices_and_uninvoiced_orders(self):
        self.make_invoice(amount=120.0, post=False)
        self.make_invoice(amount=20.0, post=False, move_type="out_refund")
        order = self.make_order(amount=500.0)
        order.action_confirm()
        parts = self.parts()
        self.assertAlmostEqual(parts.draft_invoices, 100.0)
        self.assertAlmostEqual(parts.uninvoiced_orders, 500.0)
        # An invoice drafted from the order is counted once, as the uninvoiced order.
        order._create_invoices()
        parts = self.parts()
        self.assertAlmostEqual(parts.draft_invoices, 100.0)
        self.assertAlmostEqual(parts.uninvoiced_orders, 500.0)

    def test_other_company_documents_do_not_count(self):
        other = self.setup_other_company()["company"]
        self.make_invoice(amount=100.0)
        order = self.make_order(amount=70.0)
        order.action_confirm()
        parts = self.customer._risk_exposure_parts(other, date(2026, 6, 30))[self.customer.id]
        self.assertEqual(parts.total(), 0.0)

    def test_foreign_currency_order_converted_once(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        order = self.make_order(amount=300.0, currency=eur)
        order.action_confirm()
        # 300 EUR at 2 EUR per company unit = 150.
        self.assertAlmostEqual(self.parts().uninvoiced_orders, 150.0)

    def test_snapshot_refresh_after_posting(self):
        self.set_risk(self.customer, tier=self.tier_low, limit=1000.0)
        self.make_invoice(amount=400.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 2))
        self.env.cr.precommit.run()
        customer = self.customer.with_company(self.company)
        self.assertAlmostEqual(customer.risk_exposure, 400.0)
        self.assertAlmostEqual(customer.risk_overdue_amount, 400.0)
        self.assertAlmostEqual(customer.risk_available_credit, 600.0)
        self.assertEqual(customer.risk_max_days_overdue, 59)
        self.make_invoice(amount=700.0)
        self.env.cr.precommit.run()
        self.assertTrue(customer.risk_over_limit)
        over = (
            self.env["res.partner"]
            .with_company(self.company)
            .search([("risk_over_limit", "=", True)])
        )
        self.assertIn(self.customer, over)

    def test_settings_choose_exposure_parts(self):
        self.set_risk(self.customer, tier=self.tier_low, limit=1000.0)
        self.make_invoice(amount=400.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 2))
        self.make_invoice(amount=100.0, post=False)
        self.company.risk_include_draft_invoices = False
        self.customer._risk_refresh_snapshot(self.company)
        self.assertAlmostEqual(self.customer.with_company(self.company).risk_exposure, 400.0)
        self.assertAlmostEqual(self.customer.with_company(self.company).risk_live_exposure, 400.0)


@tagged("post_install", "-at_install")
class TestPartnerRiskWrites(CustomerRiskCommon):
    """Who may write the risk profile; every path goes through the ORM write."""

    def test_context_keys_do_not_switch_the_check_off(self):
        for ctx in (
            {"tracking_disable": True},
            {"bypass_risk_check": True},
            {"mail_notrack": True},
        ):
            with self.assertRaises(AccessError):
                self.customer.with_user(self.user_billing).with_context(**ctx).write(
                    {"credit_limit": 1.0, "risk_limit_reason": "x"}
                )

    def test_import_and_create_are_checked_too(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_sales).create(
                {"name": "New", "risk_tier_id": self.tier_low.id}
            )
        result = (
            self.env["res.partner"]
            .with_user(self.user_billing)
            .load(["name", "credit_limit", "risk_limit_reason"], [["Imported", "999", "why"]])
        )
        self.assertFalse(result["ids"])
        self.assertTrue(result["messages"])

    def test_settings_are_for_credit_managers(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.user_officer).sudo(False).write(
                {"risk_unassessed_policy": "block"}
            )

    def test_tier_values_are_validated(self):
        with self.assertRaises(ValidationError):
            self.tier_low.write({"score_min": 80, "score_max": 60})
        with self.assertRaises(ValidationError):
            self.tier_low.write({"tolerance_percent": -1})
        with self.assertRaises(AccessError):
            self.tier_low.with_user(self.user_officer).write({"limit_amount": 1})
        self.assertEqual(self.tier_low._tier_limit(), self.tier_low.limit_amount)
        tier = self.env["customer.risk.tier"].create(
            {
                "name": "Share",
                "code": "SHARE",
                "limit_method": "sales_share",
                "limit_sales_share": 10,
                "limit_cap": 50,
                "payment_term_id": False,
                "company_id": self.company.id,
                "description": False,
            }
        )
        self.assertEqual(tier._tier_limit(sales_12m=300.0), 30.0)
        self.assertEqual(tier._tier_limit(sales_12m=3000.0), 50.0)
        self.assertTrue(tier.exists())
        self.assertFalse(tier.partner_count)
        self.set_risk(self.customer, tier=tier)
        tier.invalidate_recordset(["partner_count"])
        self.assertEqual(tier.partner_count, 1)
        self.assertEqual(tier.action_view_partners()["domain"], [("risk_tier_id", "=", tier.id)])


@tagged("at_install", "-post_install")
class TestPartnerRiskWritesByManagers(TransactionCase):
    """Credit managers writing limits and holds directly on the customer: this addon's own
    rule, tested at its installation because customer_risk_audit, once loaded, refuses
    these writes (limits and holds then change through four-eyes requests). No chart of
    accounts is loaded at that point, so the fixtures are a customer and users only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.customer = cls.env["res.partner"].create(
            {"name": "Risky Customer Ltd", "is_company": True, "customer_rank": 1}
        )
        # The roles of CustomerRiskCommon.
        roles = {
            "user_manager": "account.group_account_invoice,customer_risk.group_risk_manager",
            "user_officer": "account.group_account_invoice,customer_risk.group_risk_officer",
            "user_billing": "account.group_account_invoice",
            "user_accountant_ro": "account.group_account_readonly",
        }
        for name, group in roles.items():
            setattr(
                cls,
                name,
                new_test_user(cls.env, f"risk_i_{name}", groups=f"base.group_user,{group}"),
            )

    def test_manual_limit_needs_manager_and_reason(self):
        customer = self.customer.with_user(self.user_manager).with_company(self.company)
        with self.assertRaises(UserError):
            customer.write({"credit_limit": 5000.0})
        customer.write({"credit_limit": 5000.0, "risk_limit_reason": "Bank guarantee"})
        self.assertTrue(customer.risk_limit_manual)
        self.assertEqual(customer.sudo().credit_limit, 5000.0)
        for user in (self.user_officer, self.user_billing, self.user_accountant_ro):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).write({"credit_limit": 1.0, "risk_limit_reason": "x"})

    def test_hold_needs_reason_and_manager(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_officer).write(
                {"risk_hold": True, "risk_hold_reason": "Fraud suspicion"}
            )
        customer = self.customer.with_user(self.user_manager)
        with self.assertRaises(UserError):
            customer.write({"risk_hold": True})
        customer.write({"risk_hold": True, "risk_hold_reason": "Fraud suspicion"})
        self.assertTrue(customer.risk_hold)
        customer.write({"risk_hold": False})
        self.assertFalse(customer.risk_hold_reason)
