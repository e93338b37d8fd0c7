from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import CustomerRiskCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestDashboard(CustomerRiskCommon):
    """The Credit Control overview: real figures from invoices, orders, releases and alerts,
    read with each user's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.low = Partner.create({"name": "Low Co", "is_company": True, "customer_rank": 1})
        cls.high = Partner.create(
            {
                "name": "High Co",
                "is_company": True,
                "customer_rank": 1,
                "user_id": cls.user_sales.id,
            }
        )
        cls.set_risk(cls.low, cls.tier_low, 10000.0)
        cls.set_risk(cls.high, cls.tier_high, 1000.0, risk_review_date="2026-03-01")
        cls.set_risk(cls.customer, limit=0.0)
        today = fields.Date.today()
        # Low Co: 3,000 not yet due. High Co: 800 overdue 40 days and 500 not due: over limit.
        cls.make_invoice(cls.low, 3000.0, today, today + relativedelta(days=30))
        cls.make_invoice(
            cls.high, 800.0, today - relativedelta(days=70), today - relativedelta(days=40)
        )
        cls.make_invoice(cls.high, 500.0, today, today + relativedelta(days=30))
        cls.make_invoice(
            cls.customer, 200.0, today - relativedelta(days=20), today - relativedelta(days=5)
        )
        (cls.low | cls.high | cls.customer)._risk_refresh_snapshot(cls.company, today)
        cls.order = cls.make_order(cls.high, 400.0, user=cls.user_sales)
        cls.release = cls.env["customer.risk.release"].create({"order_id": cls.order.id})
        Alert = cls.env["customer.risk.alert"]
        Alert._risk_raise(cls.high, "watchlist_hit", "Found on a list", severity="critical")
        Alert._risk_raise(cls.low, "broken_promise", "Promise broken", severity="medium")
        cls.Dashboard = cls.env["customer.risk.dashboard"]

    def data(self, user=None):
        dashboard = self.Dashboard.with_user(user) if user else self.Dashboard
        return dashboard.with_company(self.company).get_data()

    def test_figures_of_the_credit_team(self):
        data = self.data(self.user_manager)
        totals = data["totals"]
        self.assertEqual(totals["customer_count"], 3)
        self.assertAlmostEqual(totals["exposure"], 4500.0)
        self.assertAlmostEqual(totals["overdue"], 1000.0)
        self.assertAlmostEqual(totals["credit_limit"], 11000.0)
        self.assertEqual(totals["over_limit_count"], 2)  # High Co, and the customer without limit
        self.assertEqual(totals["not_assessed"], 1)
        self.assertEqual(totals["utilization"], round(100 * 4500 / 11000, 1))

        tiers = {row["name"]: row for row in data["tiers"]}
        self.assertEqual(list(tiers), [self.tier_low.name, self.tier_high.name, "Not assessed"])
        self.assertEqual(tiers[self.tier_high.name]["count"], 1)
        self.assertAlmostEqual(tiers[self.tier_high.name]["exposure"], 1300.0)
        self.assertAlmostEqual(tiers[self.tier_high.name]["overdue"], 800.0)
        self.assertEqual(tiers[self.tier_high.name]["utilization"], 130.0)
        self.assertEqual(tiers[self.tier_low.name]["utilization"], 30.0)

        self.assertEqual(
            [row["name"] for row in data["top_exposure"]], ["Low Co", "High Co", self.customer.name]
        )
        self.assertEqual(
            [row["name"] for row in data["top_overdue"]], ["High Co", self.customer.name]
        )
        self.assertEqual(data["top_overdue"][0]["days"], 40)

        self.assertEqual(data["releases"]["count"], 1)
        self.assertAlmostEqual(data["releases"]["amount"], 400.0)
        self.assertEqual(data["releases"]["items"][0]["order"], self.order.name)

        severities = {row["severity"]: row["count"] for row in data["alerts"]["by_severity"]}
        self.assertEqual(severities, {"critical": 1, "high": 0, "medium": 1, "low": 0})
        self.assertEqual(data["alerts"]["count"], 2)

        self.assertEqual(data["reviews"]["due"], 1)
        self.assertEqual(data["reviews"]["items"][0]["name"], "High Co")
        self.assertEqual(data["history"][-1]["date"], "2026-03-15")
        self.assertAlmostEqual(data["history"][-1]["exposure"], 4500.0)

    def test_salesperson_sees_own_customers(self):
        data = self.data(self.user_sales)
        self.assertTrue(data["own_only"])
        self.assertEqual(data["totals"]["customer_count"], 1)
        self.assertAlmostEqual(data["totals"]["exposure"], 1300.0)
        self.assertEqual([row["name"] for row in data["top_exposure"]], ["High Co"])
        self.assertEqual(data["releases"]["count"], 1)
        # Alerts follow the salesperson record rule: only their customer's alert.
        self.assertEqual(data["alerts"]["count"], 1)
        self.assertEqual(len(data["history"]), 1)
        self.assertEqual(self.data(self.user_sales_2)["releases"]["count"], 0)

    def test_users_outside_credit_control_are_refused(self):
        with self.assertRaises(AccessError):
            self.data(self.user_billing)
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(self.user_billing).action_open("customers")

    def test_history_from_the_snapshot_job(self):
        History = self.env["customer.risk.exposure.history"]
        with freeze_time("2026-01-31"):
            History._risk_record(self.company, fields.Date.today())
        with freeze_time("2026-02-27"):
            History._risk_record(self.company, fields.Date.today())
        with freeze_time("2026-02-28"), patch.object(self.env.cr, "commit"):
            self.env["res.partner"]._cron_risk_refresh_snapshots()
        rows = History.search([("company_id", "=", self.company.id)], order="date")
        self.assertEqual(
            [str(d) for d in rows.mapped("date")], ["2026-01-31", "2026-02-27", "2026-02-28"]
        )
        feb = rows[-1]
        self.assertEqual(feb.customer_count, 3)
        self.assertEqual(feb.over_limit_count, 2)
        # Recording the same day again replaces the row.
        with freeze_time("2026-02-28"):
            History._risk_record(self.company, fields.Date.today())
        self.assertEqual(History.search_count([("company_id", "=", self.company.id)]), 3)
        history = self.data(self.user_manager)["history"]
        self.assertEqual([p["date"] for p in history], ["2026-01-31", "2026-02-28", "2026-03-15"])

    def test_links_open_the_lists_behind_the_figures(self):
        dashboard = self.Dashboard.with_user(self.user_manager).with_company(self.company)
        action = dashboard.action_open("customers", self.tier_high.id)
        partners = self.env["res.partner"].search(action["domain"])
        self.assertEqual(partners, self.high)
        action = dashboard.action_open("customers", "overdue")
        self.assertEqual(action["context"], {"search_default_overdue": 1})
        action = dashboard.action_open("alerts", "critical")
        self.assertEqual(
            self.env["customer.risk.alert"].search(action["domain"]).partner_id, self.high
        )
        action = dashboard.action_open("release", self.release.id)
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("customer.risk.release", self.release.id)
        )
        action = self.Dashboard.with_user(self.user_sales_2).action_open("releases")
        self.assertFalse(
            self.env["customer.risk.release"].search(action["domain"]),
            "another salesperson's releases are not listed",
        )
