from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common_check import CreditCheckCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestRelease(CreditCheckCommon):
    """Credit releases: request, four eyes, approval authority, validity, use and voiding."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.single_order_max = 0.0
        cls.authority(cls.user_manager, 5000.0)
        cls.authority(cls.user_manager_2, 500.0)

    @classmethod
    def authority(cls, user, amount):
        user.sudo().with_company(cls.company).risk_release_max_amount = amount

    def request(self, order, user=None):
        action = order.with_user(user or self.user_sales).action_request_risk_release()
        return self.env["customer.risk.release"].browse(action["res_id"])

    def blocked_release(self, amount=1200.0):
        order = self.order_as_sales(amount)
        return order, self.request(order)

    def new_manager(self, login, authority):
        user = new_test_user(
            self.env,
            login,
            groups="sales_team.group_sale_salesman_all_leads,customer_risk.group_risk_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.authority(user, authority)
        return user

    def test_request_records_the_figures_and_asks_the_managers(self):
        self.make_invoice(amount=100.0, due_date=date(2025, 4, 30))
        order, release = self.blocked_release(1200.0)
        self.assertRecordValues(
            release,
            [
                {
                    "state": "pending",
                    "order_id": order.id,
                    "partner_id": self.customer.id,
                    "amount": 1200.0,
                    "amount_company": 1200.0,
                    "credit_limit": 1000.0,
                    "exposure": 100.0,
                    "requested_by_id": self.user_sales.id,
                }
            ],
        )
        self.assertIn("Credit limit exceeded", release.reasons)
        deciders = release.activity_ids.user_id
        self.assertIn(self.user_manager, deciders)
        self.assertIn(self.user_manager_2, deciders)
        self.assertNotIn(self.user_sales, deciders)
        # The requester explains; the order stays blocked until a decision.
        release.with_user(self.user_sales).request_note = "Strategic customer, paid in 10 days"
        with self.assertRaisesRegex(UserError, "waiting for approval"):
            self.confirm(order)
        with self.assertRaises(UserError):
            self.request(order)

    def test_people_without_email_can_request_and_decide(self):
        # Odoo refuses a chatter author without an email address; a credit decision must
        # still go through and be recorded with its author.
        (self.user_sales | self.user_manager).sudo().partner_id.email = False
        order, release = self.blocked_release(1200.0)
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "approved")
        authors = release.message_ids.author_id
        self.assertIn(self.user_sales.partner_id, authors)
        self.assertIn(self.user_manager.partner_id, authors)
        self.confirm(order)
        self.assertEqual(release.state, "used")

    def test_requester_and_salesperson_cannot_approve(self):
        _order, release = self.blocked_release()
        with self.assertRaises(AccessError):
            release.with_user(self.user_sales).action_approve()
        # The manager sells the order, another manager requests: neither decides.
        order = self.make_order(amount=1200.0, user=self.user_manager_2)
        release = self.request(order, user=self.user_manager)
        for user in (self.user_manager, self.user_manager_2):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                release.with_user(user).action_approve()
        with self.assertRaises(AccessError):
            release.with_user(self.user_manager).action_reject()
        third = self.new_manager("risk_t_manager3", 5000.0)
        release.with_user(third).action_approve()
        self.assertEqual(release.state, "approved")
        self.assertEqual(release.approved_by_id, third)

    def test_amount_above_authority_needs_a_second_approver(self):
        order, release = self.blocked_release(1200.0)
        release.with_user(self.user_manager_2).action_approve()
        self.assertEqual(release.state, "pending")
        self.assertEqual(release.first_approved_by_id, self.user_manager_2)
        with self.assertRaises(AccessError):
            release.with_user(self.user_manager_2).action_approve()
        low = self.new_manager("risk_t_low", 1000.0)
        with self.assertRaisesRegex(AccessError, "above your approval authority"):
            release.with_user(low).action_approve()
        release.with_user(self.user_manager).action_approve()
        self.assertRecordValues(
            release,
            [
                {
                    "state": "approved",
                    "approved_by_id": self.user_manager.id,
                    "first_approved_by_id": self.user_manager_2.id,
                    "valid_until": date(2025, 3, 22),
                }
            ],
        )
        self.assertFalse(release.activity_ids)
        notified = release.message_ids.filtered(
            lambda m: self.user_sales.partner_id in m.partner_ids
        )
        self.assertTrue(notified)
        self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(release.state, "used")

    def test_manager_without_authority_cannot_approve(self):
        _order, release = self.blocked_release()
        none = self.new_manager("risk_t_none", 0.0)
        with self.assertRaisesRegex(AccessError, "no authority"):
            release.with_user(none).action_approve()

    def test_approved_release_covers_the_order_and_is_used(self):
        order, release = self.blocked_release(1200.0)
        release.with_user(self.user_manager).action_approve()
        banner = order.with_user(self.user_sales)
        self.assertFalse(banner.risk_check_blocked)
        self.assertIn("Covered by the credit release", banner.risk_check_warnings)
        self.confirm(order)
        self.assertEqual(release.state, "used")
        self.assertEqual(order.state, "sale")

    def test_release_is_valid_for_the_configured_days(self):
        order, release = self.blocked_release()
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.valid_until, date(2025, 3, 22))
        with freeze_time("2025-03-23 12:00:00"):
            with self.assertRaises(UserError):
                self.confirm(order)
            self.env["customer.risk.release"]._cron_expire()
        self.assertEqual(release.state, "expired")

    def test_expired_release_gives_way_to_a_new_request(self):
        order, release = self.blocked_release()
        release.with_user(self.user_manager).action_approve()
        with freeze_time("2025-03-23 12:00:00"):
            renewed = self.request(order)
        self.assertEqual(release.state, "expired")
        self.assertEqual(renewed.state, "pending")

    def test_release_used_on_its_last_valid_day(self):
        order, release = self.blocked_release()
        release.with_user(self.user_manager).action_approve()
        with freeze_time("2025-03-22 18:00:00"):
            self.confirm(order)
        self.assertEqual(release.state, "used")

    def test_editing_the_order_above_the_amount_voids_the_release(self):
        order, release = self.blocked_release(1200.0)
        release.with_user(self.user_manager).action_approve()
        line = order.order_line
        order.with_user(self.user_sales).write(
            {"order_line": [Command.update(line.id, {"price_unit": 1100.0})]}
        )
        self.assertEqual(release.state, "approved")
        order.with_user(self.user_sales).write(
            {"order_line": [Command.update(line.id, {"price_unit": 1200.01})]}
        )
        self.assertEqual(release.state, "expired")
        self.assertIn("1,200.01", release.message_ids[0].body)
        with self.assertRaises(UserError):
            self.confirm(order)
        # A new request is possible for the new amount.
        self.assertEqual(self.request(order).amount, 1200.01)

    def test_adding_a_line_voids_the_release(self):
        order, release = self.blocked_release(1200.0)
        release.with_user(self.user_manager).action_approve()
        self.env["sale.order.line"].with_user(self.user_sales).create(
            {
                "order_id": order.id,
                "product_id": self.product.id,
                "price_unit": 1.0,
                "tax_id": False,
            }
        )
        self.assertEqual(release.state, "expired")

    def test_reject_needs_a_note_and_tells_the_requester(self):
        order, release = self.blocked_release()
        manager_release = release.with_user(self.user_manager)
        with self.assertRaises(UserError):
            manager_release.action_reject()
        manager_release.decision_note = "Too many overdue invoices"
        manager_release.action_reject()
        self.assertEqual(release.state, "rejected")
        self.assertEqual(release.rejected_by_id, self.user_manager)
        last = release.message_ids[0]
        self.assertIn(self.user_sales.partner_id, last.partner_ids)
        self.assertIn("Too many overdue invoices", last.body)
        with self.assertRaises(UserError):
            self.confirm(order)
        self.assertEqual(self.request(order).state, "pending")

    def test_no_release_when_not_needed_or_on_hold(self):
        with self.assertRaisesRegex(UserError, "no release is needed"):
            self.request(self.order_as_sales(100.0))
        self.set_risk(self.customer, risk_hold=True, risk_hold_reason="Legal dispute")
        with self.assertRaisesRegex(UserError, "credit hold"):
            self.request(self.order_as_sales(1200.0))

    def test_hold_is_not_lifted_by_a_release(self):
        order, release = self.blocked_release()
        release.with_user(self.user_manager).action_approve()
        self.set_risk(self.customer, risk_hold=True, risk_hold_reason="Legal dispute")
        with self.assertRaisesRegex(UserError, "Legal dispute"):
            self.confirm(order)
        self.assertEqual(release.state, "approved")

    def test_release_fields_change_only_through_the_actions(self):
        order, release = self.blocked_release()
        Release = self.env["customer.risk.release"]
        with self.assertRaises(AccessError):
            Release.with_user(self.user_sales).create(
                {"order_id": order.id, "amount": 10**6, "state": "approved"}
            )
        for user, vals in (
            (self.user_sales, {"state": "approved"}),
            (self.user_sales, {"amount": 10**6}),
            (self.user_sales, {"decision_note": "Fine by me"}),
            (self.user_sales_2, {"request_note": "Not my request"}),
            (self.user_manager, {"state": "approved"}),
            (self.user_manager, {"approved_by_id": self.user_manager.id}),
        ):
            with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                release.with_user(user).write(vals)
        with self.assertRaises(AccessError):
            release.with_user(self.user_sales).unlink()
        release.with_user(self.user_manager).decision_note = "Looking into it"
        self.assertEqual(release.state, "pending")

    def test_release_authorities_are_set_by_other_managers(self):
        self.user_manager_2.with_user(self.user_manager).risk_release_max_amount = 750.0
        self.assertEqual(
            self.user_manager_2.sudo().with_company(self.company).risk_release_max_amount, 750.0
        )
        with self.assertRaises(AccessError):
            self.user_manager.with_user(self.user_manager).risk_release_max_amount = 10**9
        with self.assertRaises(AccessError):
            self.user_sales.with_user(self.user_sales).write({"risk_release_max_amount": 10**9})
