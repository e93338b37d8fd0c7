import logging
from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CustomerRiskCommon

# A tour must be able to wait for a first page on a busy machine; each step keeps Odoo's
# default step timeout.
TOUR_TIMEOUT = 240


@contextmanager
def expected_refusal(order):
    """The credit check's refusal is a UserError, which Odoo's HTTP layer logs as a warning;
    the tour provokes exactly that one on purpose, so drop it and nothing else."""
    logger = logging.getLogger("odoo.http")

    def keep(record):
        return not (isinstance(record.msg, UserError) and order.name in str(record.msg))

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


@tagged("post_install", "-at_install")
class TestCustomerRiskTours(CustomerRiskCommon, HttpCase):
    """The journeys of the credit core in a real browser (Odoo's web_tour, headless
    Chromium): every tour clicks through the product as its user does, and the test then
    checks in the database what the clicks did. Data is created here, never from demo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier = (
            cls.env["customer.risk.tier"]
            .sudo()
            .create(
                {
                    "name": "Tour tier",
                    "code": "TOUR",
                    "limit_method": "fixed",
                    "limit_amount": 1000.0,
                    "rule_limit": "block",
                    "rule_screening": "off",
                    "rule_review": "off",
                }
            )
        )
        cls.customer.name = "Tour Blocked Customer"
        cls.set_risk(
            cls.customer,
            tier=cls.tier,
            limit=1000.0,
            risk_screening_state="approved",
            risk_limit_reason="Tour limit",
        )
        cls.order = cls.make_order(amount=5000.0, user=cls.user_sales)
        cls.user_manager.sudo().with_company(cls.company).risk_release_max_amount = 10000.0
        cls.user_manager.name = "Tour Credit Manager"

    def open_order_url(self, order):
        return f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"

    def releases(self, order):
        return self.env["customer.risk.release"].sudo().search([("order_id", "=", order.id)])

    def assert_release_requested(self, order):
        release = self.releases(order)
        self.assertEqual(len(release), 1, "the tour requested exactly one release")
        self.assertEqual(release.state, "pending")
        self.assertEqual(release.requested_by_id, self.user_sales)
        self.assertTrue(release.request_note, "the salesperson's justification was saved")
        self.assertEqual(release.amount, order.amount_total)
        self.assertEqual(order.state, "draft", "the blocked quotation stayed a quotation")
        todos = release.activity_ids.filtered(lambda a: a.user_id == self.user_manager)
        self.assertTrue(todos, "the credit manager got a To-Do to decide")
        return release

    def test_salesperson_blocked_requests_release(self):
        """(a) The salesperson sees the block on the quotation, is refused at Confirm with
        the reasons, and requests a credit release with a justification."""
        with expected_refusal(self.order):
            self.start_tour(
                self.open_order_url(self.order),
                "customer_risk_salesperson_release_request",
                login=self.user_sales.login,
                timeout=TOUR_TIMEOUT,
            )
        release = self.assert_release_requested(self.order)
        self.assertIn("paid by letter of credit", release.request_note)
        self.assertIn("Credit limit exceeded", release.reasons)

    def test_salesperson_blocked_requests_release_zh(self):
        """(f) The same journey in Chinese: the tour finds its way by Chinese labels and
        language-independent selectors, and the server answers in Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["web", "sale", "sale_management", "customer_risk"], ["zh_CN"]
        )
        self.user_sales.lang = "zh_CN"
        with expected_refusal(self.order):
            self.start_tour(
                self.open_order_url(self.order),
                "customer_risk_salesperson_release_request_zh",
                login=self.user_sales.login,
                timeout=TOUR_TIMEOUT,
            )
        release = self.assert_release_requested(self.order)
        self.assertIn("信用证", release.request_note)
        # The reasons were written by the server in the requester's language.
        self.assertIn("超出信贷额度", release.reasons)

    def test_manager_approves_then_salesperson_confirms(self):
        """(b) A credit manager approves the pending release from Credit Holds; the
        salesperson then confirms the quotation, which uses the release."""
        release = (
            self.env["customer.risk.release"]
            .with_user(self.user_sales)
            .create({"order_id": self.order.id, "request_note": "Long-standing customer"})
        )
        self.start_tour(
            "/odoo/action-customer_risk.customer_risk_release_action_pending",
            "customer_risk_manager_approves_release",
            login=self.user_manager.login,
            timeout=TOUR_TIMEOUT,
        )
        release.invalidate_recordset()
        self.assertEqual(release.state, "approved")
        self.assertEqual(release.approved_by_id, self.user_manager)
        self.assertIn("three years", release.decision_note)
        self.assertEqual(self.order.state, "draft")

        self.start_tour(
            self.open_order_url(self.order),
            "customer_risk_salesperson_confirms_released",
            login=self.user_sales.login,
            timeout=TOUR_TIMEOUT,
        )
        self.order.invalidate_recordset()
        release.invalidate_recordset()
        self.assertEqual(self.order.state, "sale", "the released quotation is confirmed")
        self.assertEqual(release.state, "used", "the confirmation used the release")

    def test_officer_screens_and_assesses_new_customer(self):
        """(d) A credit officer screens a new customer (checks, review, approval), then
        assesses it: the customer gets its screening state, a tier and a limit."""
        newcomer = self.env["res.partner"].create(
            {
                "name": "Tour Newcomer Electronics",
                "is_company": True,
                "customer_rank": 1,
                "vat": "CN91310000TOUR0001",
            }
        )
        self.assertFalse(newcomer.risk_tier_id)
        self.start_tour(
            f"/odoo/action-customer_risk.res_partner_action_customer/{newcomer.id}",
            "customer_risk_officer_screens_and_assesses",
            login=self.user_officer.login,
            timeout=TOUR_TIMEOUT,
        )
        newcomer.invalidate_recordset()
        screening = self.env["customer.risk.screening"].search([("partner_id", "=", newcomer.id)])
        self.assertEqual(len(screening), 1)
        self.assertEqual((screening.state, screening.result), ("decided", "approved"))
        self.assertEqual(screening.decided_by_id, self.user_officer)
        self.assertFalse(screening.check_ids.filtered(lambda c: c.result == "pending"))
        self.assertEqual(newcomer.risk_screening_state, "approved")
        assessment = self.env["customer.risk.assessment"].search([("partner_id", "=", newcomer.id)])
        self.assertEqual(len(assessment), 1)
        self.assertEqual((assessment.state, assessment.kind), ("confirmed", "initial"))
        self.assertEqual(assessment.confirmed_by_id, self.user_officer)
        self.assertTrue(assessment.tier_id)
        self.assertEqual(newcomer.risk_tier_id, assessment.tier_id)
        self.assertTrue(newcomer.risk_review_date)

    def test_admin_configures_settings_and_tiers(self):
        """(e) The administrator changes the credit check's settings and a tier's rules."""
        admin = new_test_user(
            self.env,
            "risk_t_admin",
            groups="base.group_system,sales_team.group_sale_manager,"
            "account.group_account_manager,customer_risk.group_risk_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        # A company using pricelists and cash-basis taxes has these features on; without them
        # the settings page opens with warnings about switching them off.
        self.company.tax_exigibility = True
        self.env.ref("base.group_user").sudo().implied_ids += self.env.ref(
            "product.group_product_pricelist"
        )
        self.assertNotEqual(self.company.risk_release_validity_days, 14)
        self.assertNotEqual(self.company.risk_unassessed_policy, "block")
        self.start_tour(
            "/odoo/action-customer_risk.res_config_settings_action",
            "customer_risk_admin_configures",
            login=admin.login,
            timeout=TOUR_TIMEOUT,
        )
        self.company.invalidate_recordset()
        self.tier_high.invalidate_recordset()
        self.assertEqual(self.company.risk_release_validity_days, 14)
        self.assertEqual(self.company.risk_unassessed_policy, "block")
        self.assertEqual(self.tier_high.review_interval_months, 3)
        self.assertEqual(self.tier_high.max_overdue_days, 15)
