from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common_check import CreditCheckCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestExposureCurrency(CreditCheckCommon):
    """Amounts are compared in the company currency: invoices at their accounting rate,
    orders converted once at the check date; only the document's company counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.single_order_max = 0.0
        # EUR per USD (the company currency): 2 until March, then 4.
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2025-03-01", 4.0)])

    def banner(self, order, **context):
        return order.with_user(self.user_sales).with_context(**context)

    def test_order_in_another_currency_is_converted_at_the_check_date(self):
        order = self.order_as_sales(4000.04, currency=self.eur)
        self.assertEqual(self.banner(order).risk_exposure, 0.0)
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        self.assertIn("1,000.01", str(caught.exception))
        order.order_line.price_unit = 4000.0
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_invoice_in_another_currency_counts_at_its_accounting_rate(self):
        # 2,000 EUR invoiced at 2 EUR/USD is 1,000 USD of receivable, whatever today's rate.
        self.make_invoice(
            amount=2000.0,
            currency=self.eur,
            invoice_date=date(2025, 2, 1),
            due_date=date(2025, 4, 30),
        )
        order = self.order_as_sales(0.01)
        self.assertEqual(self.banner(order).risk_exposure, 1000.0)
        with self.assertRaises(UserError):
            self.confirm(order)

    def test_partial_payment_reduces_exposure(self):
        invoice = self.make_invoice(amount=1000.0, due_date=date(2025, 4, 30))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 400.0, "payment_date": date(2025, 3, 15)})._create_payments()
        self.assertEqual(invoice.amount_residual, 600.0)
        with self.assertRaises(UserError):
            self.confirm(self.order_as_sales(400.01))
        self.confirm(self.order_as_sales(400.0))

    def test_partial_payment_in_another_currency(self):
        invoice = self.make_invoice(
            amount=2000.0,
            currency=self.eur,
            invoice_date=date(2025, 2, 1),
            due_date=date(2025, 4, 30),
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"amount": 1000.0, "currency_id": self.eur.id, "payment_date": date(2025, 3, 15)}
        )._create_payments()
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual_currency, 1000.0)
        # What is still owed, in company currency, is the journal item's residual.
        order = self.order_as_sales(0.0)
        self.assertEqual(self.banner(order).risk_exposure, receivable.amount_residual)
        self.assertLess(receivable.amount_residual, 1000.0)

    def test_rate_change_between_order_and_invoice(self):
        with freeze_time("2025-02-10 12:00:00"):
            order = self.order_as_sales(1000.0, currency=self.eur)
            self.confirm(order)
            # Uninvoiced at 2 EUR/USD.
            self.assertEqual(self.banner(self.order_as_sales(0.0)).risk_exposure, 500.0)
        # The rate moved to 4: what is still to invoice is worth 250 USD today.
        probe = self.order_as_sales(0.0)
        self.assertEqual(self.banner(probe).risk_exposure, 250.0)
        invoice = order.with_env(self.env)._create_invoices()
        invoice.invoice_date = date(2025, 3, 15)
        invoice.action_post()
        # Invoiced at 4 EUR/USD: counted once, as a receivable, not also as an order.
        probe.invalidate_recordset()
        self.assertEqual(self.banner(probe).risk_exposure, 250.0)

    def test_same_decision_whatever_the_active_companies(self):
        company_2 = self.setup_other_company(name="Risk Co 2")["company"]
        self.customer.sudo().with_company(company_2).write(
            {"credit_limit": 10**6, "risk_tier_id": self.tier.id}
        )
        # A large receivable in the other company never counts here.
        self.env["account.move"].sudo().with_company(company_2).create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2025, 3, 1),
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "price_unit": 5000.0, "tax_ids": False})
                ],
            }
        ).action_post()
        seller = new_test_user(
            self.env,
            "risk_t_multi",
            groups="sales_team.group_sale_salesman",
            company_id=company_2.id,
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        self.make_invoice(amount=400.0, due_date=date(2025, 4, 30))
        over = self.make_order(amount=600.01, user=seller)
        at_limit = self.make_order(amount=600.0, user=seller)
        for allowed in (self.company.ids, [company_2.id, self.company.id]):
            with self.subTest(allowed=allowed):
                order = over.with_user(seller).with_context(allowed_company_ids=allowed)
                self.assertEqual(order.risk_credit_limit, 1000.0)
                self.assertEqual(order.risk_exposure, 400.0)
                self.assertTrue(order.risk_check_blocked)
                with self.assertRaises(UserError):
                    order.action_confirm()
        at_limit.with_user(seller).with_context(
            allowed_company_ids=[company_2.id, self.company.id]
        ).action_confirm()
        self.assertEqual(at_limit.state, "sale")
