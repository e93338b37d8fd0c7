from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_check import CreditCheckCommon

# Context keys a client may send: none of them switches a check off.
CLIENT_KEYS = {
    "bypass_risk_check": True,
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_activity_automation_skip": True,
}


@tagged("post_install", "-at_install")
class TestRiskAccess(CreditCheckCommon):
    """Limits, holds, tiers and releases are guarded in Python, whatever the path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsiders = (
            cls.user_sales,
            cls.user_accountant_ro,
            cls.user_billing,
            cls.user_default,
        )
        cls.user_manager.sudo().with_company(cls.company).risk_release_max_amount = 10**6

    def test_outsiders_cannot_write_the_risk_profile(self):
        for user in self.outsiders:
            for vals in (
                {"credit_limit": 10**6, "risk_limit_reason": "Why not"},
                {"risk_hold": False},
                {"risk_hold": True, "risk_hold_reason": "Prank"},
                {"risk_tier_id": self.tier_low.id},
            ):
                for context in ({}, CLIENT_KEYS):
                    with (
                        self.subTest(user=user.login, vals=vals, context=context),
                        self.assertRaises(AccessError),
                    ):
                        self.customer.with_user(user).with_context(**context).write(vals)
        self.assertEqual(self.customer.sudo().with_company(self.company).credit_limit, 1000.0)

    def test_amounts_that_are_not_amounts_are_refused(self):
        tier = self.tier_low.with_user(self.user_manager)
        for value in (-1.0, float("nan"), float("inf"), 1e300, "a lot"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                tier.write({"limit_amount": value})
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.user_sales.with_user(self.user_manager).write(
                    {"risk_release_max_amount": value}
                )
        tier.write({"limit_amount": 2500.0})
        self.assertEqual(self.tier_low.limit_amount, 2500.0)
        line = self.make_order(amount=100.0).order_line[:1]
        for value in (1e308, float("nan"), float("-inf"), "many"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                line.write({"price_unit": value})
        with self.assertRaises(ValidationError):
            line.order_id.write({"order_line": [Command.update(line.id, {"price_unit": 1e308})]})
        line.write({"price_unit": -50.0})
        self.assertEqual(line.price_unit, -50.0)

    def test_outsiders_cannot_decide_on_a_release(self):
        order = self.order_as_sales(1200.0)
        action = order.with_user(self.user_sales).action_request_risk_release()
        release = self.env["customer.risk.release"].browse(action["res_id"])
        for user in self.outsiders:
            for method in ("action_approve", "action_reject"):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(release.with_user(user).with_context(**CLIENT_KEYS), method)()
        self.assertEqual(release.state, "pending")

    def test_forms_open_for_every_role(self):
        # Banner and buttons are restricted to the risk groups; other roles get the
        # order form without them.
        for user in (*self.outsiders, self.user_manager):
            with self.subTest(user=user.login):
                self.env["sale.order"].with_user(user).get_views([(False, "form")])
        for user in (self.user_sales, self.user_manager):
            with self.subTest(user=user.login):
                self.env["customer.risk.release"].with_user(user).get_views(
                    [(False, "list"), (False, "form"), (False, "search")]
                )

    def test_client_context_keys_do_not_skip_the_check(self):
        order = self.order_as_sales(1000.01)
        with self.assertRaises(UserError):
            self.confirm(order, **CLIENT_KEYS)
        # Nor does confirming through server code running as superuser.
        with self.assertRaises(UserError):
            order.sudo().with_context(**CLIENT_KEYS).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_request_is_documented_whatever_the_context(self):
        order = self.order_as_sales(1200.0)
        action = (
            order.with_user(self.user_sales)
            .with_context(**CLIENT_KEYS)
            .action_request_risk_release()
        )
        release = self.env["customer.risk.release"].browse(action["res_id"])
        self.assertTrue(release.activity_ids)
        self.assertTrue(release.message_ids)

    def test_salesperson_sees_releases_of_their_company_only(self):
        Release = self.env["customer.risk.release"]
        order = self.order_as_sales(1200.0)
        action = order.with_user(self.user_sales).action_request_risk_release()
        own = Release.browse(action["res_id"])
        other = self.setup_other_company(name="Other Risk Co")["company"]
        other.sudo().risk_unassessed_policy = "block"
        other_order = (
            self.env["sale.order"]
            .sudo()
            .with_company(other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 10.0})
                    ],
                }
            )
        )
        foreign = Release.sudo().create({"order_id": other_order.id})
        visible = Release.with_user(self.user_sales).search([])
        self.assertIn(own, visible)
        self.assertNotIn(foreign, visible)
