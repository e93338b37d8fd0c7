from collections import defaultdict
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CustomerRiskCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestExposureSql(CustomerRiskCommon):
    """The one-statement exposure against Odoo's own definitions computed by the ORM:
    ``amount_residual`` of the receivables, ``amount_total_signed`` of draft invoices and
    ``sale.order.amount_to_invoice`` of confirmed orders, converted per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2026-01-01", 1.7317), ("2026-06-01", 0.913)]
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Customer", "is_company": True, "customer_rank": 1}
        )
        cls.service = cls._create_product(
            name="Delivered Service", lst_price=10.0, taxes_id=False, invoice_policy="delivery"
        )

    def orm_reference(self, partners, company, today=TODAY):
        """{partner id: (open not due, overdue, drafts, uninvoiced)} by the ORM."""
        result = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        lines = self.env["account.move.line"].search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
            ]
        )
        for line in lines:
            due = line.date_maturity or line.date
            result[line.partner_id.commercial_partner_id.id][0 if due >= today else 1] += (
                line.amount_residual
            )
        drafts = self.env["account.move"].search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "=", "draft"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ]
        )
        for move in drafts.filtered(lambda m: not m.invoice_line_ids.sale_line_ids):
            result[move.partner_id.commercial_partner_id.id][2] += move.amount_total_signed
        orders = self.env["sale.order"].search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
            ]
        )
        for order in orders:
            amount = order.amount_to_invoice
            if amount:
                result[order.partner_id.commercial_partner_id.id][3] += order.currency_id._convert(
                    amount, company.currency_id, company, today
                )
        return result

    def assert_same(self, partners=None, company=None):
        partners = partners or (self.customer | self.other)
        company = company or self.company
        self.env.invalidate_all()
        expected = self.orm_reference(partners, company)
        parts = partners._risk_exposure_parts(company, TODAY)
        # The form for large batches (the snapshot job) gives the same figures.
        with patch.object(type(partners), "_RISK_LITERAL_PARTNERS", 0):
            self.assertEqual(partners._risk_exposure_parts(company, TODAY), parts)
        for partner in partners:
            exp = parts[partner.id]
            got = (exp.open_not_due, exp.overdue, exp.draft_invoices, exp.uninvoiced_orders)
            for name, value, reference in zip(
                ("open not due", "overdue", "drafts", "uninvoiced"),
                got,
                expected[partner.id],
                strict=True,
            ):
                self.assertAlmostEqual(value, reference, places=6, msg=f"{partner.name}: {name}")
        return parts

    def make_lines_order(self, lines, partner=None, currency=None):
        order = self.make_order(partner=partner, currency=currency)
        order.order_line = [Command.clear()] + [
            Command.create({"tax_id": False, **vals}) for vals in lines
        ]
        return order

    def test_foreign_currency_invoices_credit_notes_and_partial_payments(self):
        invoice = self.make_invoice(
            amount=1234.57,
            invoice_date=date(2026, 5, 1),
            due_date=date(2026, 5, 31),
            currency=self.eur,
        )
        self.make_invoice(amount=333.33, invoice_date=date(2026, 6, 20), due_date=date(2026, 7, 20))
        self.make_invoice(
            amount=99.99, move_type="out_refund", invoice_date=date(2026, 6, 1), currency=self.eur
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 400.01, "payment_date": date(2026, 6, 15)})._create_payments()
        self.make_invoice(partner=self.contact, amount=10.05, invoice_date=date(2026, 3, 1))
        parts = self.assert_same()
        self.assertEqual(parts[self.customer.id].max_days_overdue, 121)

    def test_draft_invoices_and_refunds(self):
        self.make_invoice(amount=120.5, post=False)
        self.make_invoice(amount=20.25, post=False, move_type="out_refund", currency=self.eur)
        self.make_invoice(partner=self.other, amount=7.0, post=False)
        self.assert_same()

    def test_orders_partly_invoiced_delivered_and_in_foreign_currency(self):
        order = self.make_lines_order(
            [
                {"product_id": self.product.id, "product_uom_qty": 3, "price_unit": 33.335},
                {"product_id": self.service.id, "product_uom_qty": 7, "price_unit": 12.345},
                {
                    "product_id": self.product.id,
                    "product_uom_qty": 2.5,
                    "price_unit": 0.125,
                    "discount": 12.5,
                },
            ]
        )
        order.action_confirm()
        order.order_line[1].qty_delivered = 4.0
        self.assert_same()
        # Partly invoiced: a posted invoice of 1 of the 3 widgets and the delivered service.
        invoice = order._create_invoices()
        invoice.invoice_line_ids.filtered(lambda line: line.quantity == 3).quantity = 1
        invoice.action_post()
        self.assert_same()
        # A draft invoice of what is left keeps the order counted as uninvoiced.
        order._create_invoices()
        self.assert_same()
        foreign = self.make_lines_order(
            [{"product_id": self.product.id, "product_uom_qty": 3, "price_unit": 10.005}],
            partner=self.other,
            currency=self.eur,
        )
        foreign.action_confirm()
        self.assert_same()
        # A credit note of an invoiced quantity puts it back to invoice.
        invoice_foreign = foreign._create_invoices()
        invoice_foreign.action_post()
        self.assert_same()
        refund = invoice_foreign._reverse_moves()
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        self.assert_same()

    def test_invoice_in_another_unit(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        order = self.make_lines_order(
            [{"product_id": self.product.id, "product_uom_qty": 30, "price_unit": 1.01}]
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.write({"product_uom_id": dozen.id, "quantity": 1})
        invoice.action_post()
        self.assert_same()

    def test_down_payment_order(self):
        order = self.make_order(amount=1000.0)
        order.action_confirm()
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "percentage", "amount": 30})._create_invoices(order)
        self.assert_same()
        order.invoice_ids.action_post()
        self.assert_same()
        # The final invoice deducts the down payment.
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "delivered"})._create_invoices(order)
        self.assert_same()
        order.invoice_ids.filtered(lambda m: m.state == "draft").action_post()
        self.assert_same()

    def test_multi_company(self):
        other_company = self.setup_other_company()["company"]
        self.make_invoice(amount=50.0, invoice_date=date(2026, 5, 1))
        self.make_order(amount=70.0).action_confirm()
        order = (
            self.env["sale.order"]
            .with_company(other_company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other_company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "price_unit": 45.0, "tax_id": False}
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        self.assert_same()
        parts = self.assert_same(company=other_company)
        self.assertAlmostEqual(parts[self.customer.id].uninvoiced_orders, 45.0)
        self.assertAlmostEqual(parts[self.customer.id].open_not_due, 0.0)

    def test_snapshot_after_confirmation_reuses_the_check(self):
        """The list figures refreshed at commit from the check's figures equal a fresh
        recomputation, and another change of the customer recomputes them."""
        self.set_risk(self.customer, tier=self.tier_low, limit=100000.0)
        self.make_invoice(amount=400.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 2))
        self.make_invoice(amount=80.0, post=False)
        self.make_order(amount=300.0, currency=self.eur).action_confirm()
        self.env.cr.precommit.run()
        order = self.make_lines_order(
            [
                {"product_id": self.product.id, "product_uom_qty": 3, "price_unit": 1.115},
                {"product_id": self.service.id, "product_uom_qty": 2, "price_unit": 50.0},
            ]
        )
        order.action_confirm()
        known = self.env.cr.precommit.data["customer_risk.snapshot_known"]
        self.assertIn((self.company.id, self.customer.id), known)
        self.env.cr.precommit.run()
        customer = self.customer.with_company(self.company)
        reused = customer.risk_exposure
        self.customer._risk_refresh_snapshot(self.company, TODAY)
        self.assertAlmostEqual(reused, customer.risk_exposure, places=6)
        self.assertAlmostEqual(customer.risk_exposure, customer.risk_live_exposure, places=6)
        self.assertAlmostEqual(customer.risk_available_credit, 100000.0 - reused, places=6)
        # A payment in the same transaction: recomputed, not reused.
        second = self.make_order(amount=10.0)
        second.action_confirm()
        self.make_invoice(amount=5.0)
        self.assertFalse(self.env.cr.precommit.data.get("customer_risk.snapshot_known"))
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertAlmostEqual(customer.risk_exposure, reused + 15.0, places=6)
        self.assertAlmostEqual(customer.risk_exposure, customer.risk_live_exposure, places=6)

    def test_cron_writes_figures_like_the_orm(self):
        self.set_risk(self.customer, tier=self.tier_low, limit=1000.0)
        self.make_invoice(amount=400.0, invoice_date=date(2026, 5, 1), due_date=date(2026, 5, 2))
        with patch.object(self.env.cr, "commit"):
            self.env["res.partner"]._cron_risk_refresh_snapshots()
        customer = self.customer.with_company(self.company)
        other = self.other.with_company(self.company)
        self.assertAlmostEqual(customer.risk_exposure, 400.0)
        self.assertAlmostEqual(customer.risk_available_credit, 600.0)
        self.assertAlmostEqual(customer.risk_overdue_amount, 400.0)
        self.assertEqual(customer.risk_max_days_overdue, 59)
        self.assertTrue(customer.risk_snapshot_date)
        self.assertEqual(other.risk_exposure, 0.0)
        self.env.cr.execute(
            "SELECT risk_exposure, risk_snapshot_date ->> %s FROM res_partner WHERE id = %s",
            [str(self.company.id), self.other.id],
        )
        exposure, stamp = self.env.cr.fetchone()
        self.assertIsNone(exposure, "a zero is not kept, as the ORM does")
        self.assertRegex(stamp, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

    def check_queries(self, partner):
        """Queries of the credit check of a new quotation of ``partner``."""
        order = self.make_order(partner=partner, amount=10.0)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        order._risk_check_confirmation()
        return self.env.cr.sql_log_count - before

    def test_check_queries_do_not_grow_with_documents(self):
        """The check costs the same number of queries for a customer with one document
        and for one with many invoices, payments, draft invoices and orders."""
        self.set_risk(self.customer, tier=self.tier_low, limit=1e9)
        self.set_risk(self.other, tier=self.tier_low, limit=1e9)
        self.make_invoice(partner=self.other, amount=10.0)
        self.check_queries(self.other)  # warm the caches
        few = self.check_queries(self.other)
        for i in range(6):
            invoice = self.make_invoice(amount=100.0 + i, invoice_date=date(2026, 5, i + 1))
            if i % 2:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create({"amount": 10.0})._create_payments()
            self.make_invoice(amount=5.0 + i, post=False, currency=self.eur)
            self.make_order(amount=50.0 + i, currency=self.eur if i % 2 else None).action_confirm()
        self.assertEqual(self.check_queries(self.customer), few)

    def test_size_job_skips_orders_left_unconfirmed(self):
        """The check flags the orders for the order-size job before the confirmation; an
        order whose confirmation did not go through is cleared without comparison."""
        self.set_risk(self.customer, tier=self.tier_low, limit=1e9)
        order = self.make_order(amount=100000.0)
        order._risk_check_confirmation()
        self.assertTrue(order.sudo().risk_size_check_pending)
        with patch.object(self.env.cr, "commit"):
            self.env["sale.order"].sudo()._cron_risk_order_size()
        self.assertFalse(order.sudo().risk_size_check_pending)
        self.assertEqual(order.state, "draft")
        alerts = (
            self.env["customer.risk.alert"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("rule_code", "=", "order_size")])
        )
        self.assertFalse(alerts)

    def test_receivable_booked_on_a_contact(self):
        """A journal entry may book a receivable on a contact: it counts for the
        commercial partner."""
        receivable = self.company_data["default_account_receivable"]
        income = self.company_data["default_account_revenue"]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2026, 5, 10),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": self.contact.id,
                            "debit": 25.5,
                            "date_maturity": date(2026, 5, 20),
                        }
                    ),
                    Command.create({"account_id": income.id, "credit": 25.5}),
                ],
            }
        )
        entry.action_post()
        self.make_invoice(amount=10.0, invoice_date=date(2026, 6, 29), due_date=date(2026, 7, 15))
        parts = self.assert_same()
        self.assertAlmostEqual(parts[self.customer.id].overdue, 25.5)
        self.assertEqual(parts[self.customer.id].max_days_overdue, 41)
