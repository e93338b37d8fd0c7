from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from ..exceptions import CreditCheckBlocked
from .common_check import CreditCheckCommon

TODAY = date(2025, 3, 15)


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestCreditCheck(CreditCheckCommon):
    """Each rule through real orders and invoices, as the salesperson confirms them."""

    def assertBlocked(self, order, *fragments):
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertIn(order.state, ("draft", "sent"))
        return message

    def test_exactly_at_the_limit_passes(self):
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        order = self.order_as_sales(600.0)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_one_minor_unit_above_blocks_and_names_the_figures(self):
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        order = self.order_as_sales(600.01)
        message = self.assertBlocked(order, "1,000.00", "400.00", "600.01", "1,000.01")
        self.assertIn("credit release", message)

    def test_tolerance(self):
        self.tier.tolerance_percent = 5.0
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        self.assertBlocked(self.order_as_sales(650.01), "5% tolerance", "1,050.00")
        order = self.order_as_sales(650.0)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_zero_limit_gives_no_credit(self):
        self.set_risk(self.customer, limit=0.0)
        self.assertBlocked(self.order_as_sales(0.01), "Credit limit exceeded")

    def test_draft_invoices_and_overdue_count_in_exposure(self):
        self.make_invoice(amount=300.0, post=False)
        self.make_invoice(amount=200.0, due_date=TODAY - timedelta(days=5))
        self.assertBlocked(self.order_as_sales(500.01), "500.00")
        self.confirm(self.order_as_sales(500.0))

    def test_exposure_parts_follow_company_settings(self):
        self.make_invoice(amount=900.0, post=False)
        self.assertBlocked(self.order_as_sales(200.0))
        self.company.sudo().risk_include_draft_invoices = False
        self.confirm(self.order_as_sales(200.0))

    def test_overdue_days(self):
        self.make_invoice(amount=10.0, due_date=TODAY - timedelta(days=31))
        self.assertBlocked(self.order_as_sales(10.0), "31 days overdue", "allows 30")
        other = self.env["res.partner"].create({"name": "Thirty Days Ltd", "is_company": True})
        self.set_risk(other, tier=self.tier, limit=1000.0, risk_screening_state="approved")
        self.make_invoice(partner=other, amount=10.0, due_date=TODAY - timedelta(days=30))
        order = self.make_order(partner=other, amount=10.0, user=self.user_sales)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_overdue_amount(self):
        due = TODAY - timedelta(days=5)
        self.make_invoice(amount=500.01, due_date=due)
        self.assertBlocked(self.order_as_sales(10.0), "500.01", "500.00")
        self.make_invoice(amount=0.01, move_type="out_refund", due_date=due)
        self.confirm(self.order_as_sales(10.0))

    def test_single_order_maximum(self):
        self.assertBlocked(self.order_as_sales(800.01), "single-order maximum", "800.00")
        self.confirm(self.order_as_sales(800.0))

    def test_prepayment_needs_immediate_terms(self):
        self.tier.prepayment_required = True
        self.assertBlocked(
            self.order_as_sales(100.0, payment_term_id=self.terms_30.id), "requires prepayment"
        )
        immediate = self.env.ref("account.account_payment_term_immediate")
        self.confirm(self.order_as_sales(100.0, payment_term_id=immediate.id))
        self.confirm(self.order_as_sales(100.0, payment_term_id=False))
        online = self.order_as_sales(
            100.0, payment_term_id=self.terms_30.id, require_payment=True, prepayment_percent=1.0
        )
        self.confirm(online)
        self.assertEqual(online.state, "sale")

    def test_contract_required(self):
        self.tier.contract_required = True
        self.assertBlocked(self.order_as_sales(100.0), "valid contract")
        self.tier.rule_contract = "warn"
        self.confirm(self.order_as_sales(100.0))

    def test_manual_hold_blocks_whatever_the_rules(self):
        self.set_risk(self.customer, risk_hold=True, risk_hold_reason="Disputed delivery")
        self.tier.write({f"rule_{r}": "off" for r in ("limit", "screening", "review")})
        message = self.assertBlocked(self.order_as_sales(1.0), "Disputed delivery")
        self.assertIn("credit manager", message)
        self.set_risk(self.customer, risk_hold=False)
        self.confirm(self.order_as_sales(1.0))

    def test_blocked_message_offers_the_release_request(self):
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        order = self.order_as_sales(700.0)
        with self.assertRaises(CreditCheckBlocked) as caught:
            self.confirm(order)
        message, action_id, button, context = caught.exception.args
        self.assertIn("1,100.00", message)
        self.assertEqual(str(caught.exception), message)
        self.assertEqual(button, "Request Credit Release")
        self.assertEqual(context["active_id"], order.id)
        # The button runs the server action as the salesperson: it creates the request.
        server_action = self.env["ir.actions.server"].browse(action_id)
        result = (
            server_action.with_user(self.user_sales)
            .with_context(active_model="sale.order", active_id=order.id, active_ids=order.ids)
            .run()
        )
        release = self.env["customer.risk.release"].browse(result["res_id"])
        self.assertEqual((release.order_id, release.state), (order, "pending"))
        self.assertEqual(release.requested_by_id, self.user_sales)
        # With the request waiting, the message says so and offers nothing more.
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        self.assertNotIsInstance(caught.exception, CreditCheckBlocked)
        self.assertIn("waiting for approval", str(caught.exception))

    def test_hold_offers_no_release_request(self):
        self.set_risk(self.customer, risk_hold=True, risk_hold_reason="Disputed delivery")
        with self.assertRaises(UserError) as caught:
            self.confirm(self.order_as_sales(1.0))
        self.assertNotIsInstance(caught.exception, CreditCheckBlocked)

    def test_review_date(self):
        self.set_risk(self.customer, risk_review_date=TODAY - timedelta(days=1))
        self.assertBlocked(self.order_as_sales(10.0), "review")
        self.set_risk(self.customer, risk_review_date=TODAY)
        self.confirm(self.order_as_sales(10.0))

    def test_screening(self):
        for state in ("rejected", "expired", "in_progress", "none"):
            with self.subTest(state):
                self.set_risk(self.customer, risk_screening_state=state)
                self.assertBlocked(self.order_as_sales(10.0), "screening")
        self.set_risk(self.customer, risk_screening_state="conditional")
        self.confirm(self.order_as_sales(10.0))

    def test_warnings_do_not_block(self):
        self.tier.rule_limit = "warn"
        order = self.order_as_sales(700.0)
        self.make_invoice(amount=900.0, due_date=TODAY + timedelta(days=10))
        order = order.with_user(self.user_sales)
        self.assertFalse(order.risk_check_blocked)
        self.assertIn("Credit limit exceeded", order.risk_check_warnings)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_sequential_orders_second_crosses_the_limit(self):
        first = self.order_as_sales(700.0)
        second = self.order_as_sales(300.01)
        self.confirm(first)
        self.assertBlocked(second, "700.00", "300.01")
        second.order_line.price_unit = 300.0
        self.confirm(second)
        self.assertEqual(second.state, "sale")
        self.assertBlocked(self.order_as_sales(0.01))

    def test_orders_confirmed_together_count_each_other(self):
        orders = self.order_as_sales(600.0) | self.order_as_sales(500.0)
        with self.assertRaises(UserError):
            self.confirm(orders)
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        self.confirm(orders[0])

    def test_confirmation_writes_the_customer_row(self):
        # The write is what makes a concurrent confirmation fail to serialize (DESIGN 5).
        before = self.customer.sudo().risk_check_count
        self.confirm(self.make_order(partner=self.contact, amount=10.0, user=self.user_sales))
        self.assertEqual(self.customer.sudo().risk_check_count, before + 1)

    def test_banner_shows_the_decision(self):
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        order = self.order_as_sales(700.0).with_user(self.user_sales)
        self.assertTrue(order.risk_check_blocked)
        self.assertIn("Credit limit exceeded", order.risk_check_blocking)
        self.assertEqual(order.risk_tier_id, self.tier)
        self.assertEqual(order.risk_credit_limit, 1000.0)
        self.assertEqual(order.risk_exposure, 400.0)
        self.assertEqual(order.risk_available_credit, 600.0)
        self.assertEqual(order.risk_available_after, -100.0)
        self.assertFalse(order.risk_release_pending)
        order.order_line.price_unit = 600.0
        self.assertFalse(order.risk_check_blocked)
        self.assertFalse(order.risk_check_blocking)
        self.assertEqual(order.risk_available_after, 0.0)
        order.order_line.price_unit = 700.0
        order.action_request_risk_release()
        self.assertTrue(order.risk_release_pending)

    def test_banner_follows_edits_in_the_form(self):
        self.make_invoice(amount=400.0, due_date=TODAY + timedelta(days=10))
        with Form(self.order_as_sales(600.0).with_user(self.user_sales)) as form:
            self.assertFalse(form.risk_check_blocked)
            self.assertEqual(form.risk_available_credit, 600.0)
            with form.order_line.edit(0) as line:
                line.price_unit = 600.01
            self.assertTrue(form.risk_check_blocked)
            self.assertIn("1,000.01", form.risk_check_blocking)

    def test_unassessed_customer_follows_company_policy(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer SA", "is_company": True})
        order = self.make_order(partner=newcomer, amount=10**6, user=self.user_sales)
        order = order.with_user(self.user_sales)
        # Default "warn": installing the addon does not stop a running business.
        self.assertEqual(self.company.risk_unassessed_policy, "warn")
        self.assertFalse(order.risk_check_blocked)
        self.assertIn("not been assessed", order.risk_check_warnings)
        self.company.sudo().risk_unassessed_policy = "block"
        order.invalidate_recordset()
        self.assertTrue(order.risk_check_blocked)
        self.assertBlocked(order, "not been assessed")
        self.company.sudo().risk_unassessed_policy = "allow"
        self.set_risk(newcomer, limit=100.0)
        order.invalidate_recordset()
        self.assertFalse(order.risk_check_warnings)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_unassessed_customer_with_a_limit_under_warn(self):
        newcomer = self.env["res.partner"].create({"name": "Limited SA", "is_company": True})
        self.set_risk(newcomer, limit=100.0)
        order = self.make_order(partner=newcomer, amount=100.01, user=self.user_sales)
        self.assertIn("Credit limit exceeded", order.with_user(self.user_sales).risk_check_warnings)
        self.confirm(order)
        self.company.sudo().risk_unassessed_policy = "block"
        self.set_risk(newcomer, risk_hold=True, risk_hold_reason="Fraud suspicion")
        self.assertBlocked(
            self.make_order(partner=newcomer, amount=1.0, user=self.user_sales), "Fraud suspicion"
        )
