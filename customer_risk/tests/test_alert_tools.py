from dataclasses import replace
from datetime import date

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.customer_risk.tools import AlertFigures, alert_conditions, unusual_order

TODAY = date(2025, 6, 30)
THRESHOLDS = {
    "limit_utilization": 90.0,
    "overdue_days": 60.0,
    "overdue_jump": 50.0,
    "tier_downgrade": 0.0,
    "screening": 30.0,
    "review_overdue": 7.0,
    "contract_expiring": 30.0,
    "obligation_overdue": 0.0,
    # Raised by other code: no check here, never reported.
    "watchlist_hit": 0.0,
}
# A customer no rule fires for: the base row each case changes.
BASE = AlertFigures(
    today=TODAY,
    limit=1000.0,
    exposure=500.0,
    overdue=100.0,
    max_days_overdue=10,
    previous_overdue=100.0,
    tier_rank=20,
    previous_tier_rank=20,
    screening_state="approved",
    screening_valid_until=date(2025, 12, 31),
    review_date=date(2025, 9, 30),
    contract_end=date(2025, 12, 31),
    obligation_due=date(2025, 7, 15),
)


@tagged("post_install", "-at_install")
class TestAlertTools(BaseCase):
    """Every early-warning rule and its boundaries, without a database."""

    def check(self, table):
        for label, changes, expected in table:
            with self.subTest(label):
                met = alert_conditions(replace(BASE, **changes), THRESHOLDS)
                self.assertEqual(met, expected)

    def test_nothing_fires_on_the_base_row(self):
        self.assertEqual(alert_conditions(BASE, THRESHOLDS), {})

    def test_limit_utilization(self):
        used = {"exposure": 900.0, "limit": 1000.0}
        self.check(
            [
                ("just below", {"exposure": 899.99}, {}),
                (
                    "at the threshold",
                    {"exposure": 900.0},
                    {"limit_utilization": {"utilization": 90.0, **used}},
                ),
                (
                    "over the limit",
                    {"exposure": 1200.0},
                    {
                        "limit_utilization": {
                            "utilization": 120.0,
                            "exposure": 1200.0,
                            "limit": 1000.0,
                        }
                    },
                ),
                ("no limit means nothing to use", {"limit": 0.0, "exposure": 5000.0}, {}),
            ]
        )

    def test_overdue_days_and_jump(self):
        self.check(
            [
                ("at the threshold", {"max_days_overdue": 60}, {}),
                ("one day more", {"max_days_overdue": 61}, {"overdue_days": {"days": 61}}),
                ("jump of exactly 50 %", {"overdue": 150.0}, {}),
                (
                    "jump above 50 %",
                    {"overdue": 150.01},
                    {
                        "overdue_jump": {
                            "previous": 100.0,
                            "overdue": 150.01,
                            "increase_percent": 50.01,
                        }
                    },
                ),
                (
                    "nothing overdue before: no base",
                    {"previous_overdue": 0.0, "overdue": 900.0},
                    {},
                ),
                ("first run: no base", {"previous_overdue": None, "overdue": 900.0}, {}),
                ("float noise", {"overdue": 150.0000001}, {}),
            ]
        )

    def test_tier_downgrade(self):
        self.check(
            [
                (
                    "riskier tier",
                    {"tier_rank": 30},
                    {"tier_downgrade": {"tier_rank": 30, "previous_tier_rank": 20}},
                ),
                ("safer tier", {"tier_rank": 10}, {}),
                ("no previous tier", {"previous_tier_rank": None, "tier_rank": 30}, {}),
                ("tier removed", {"tier_rank": None}, {}),
            ]
        )

    def test_dates(self):
        self.check(
            [
                (
                    "screening expired (state)",
                    {"screening_state": "expired"},
                    {"screening": {"state": "expired"}},
                ),
                (
                    "screening expiring within 30 days",
                    {"screening_valid_until": date(2025, 7, 30)},
                    {"screening": {"valid_until": date(2025, 7, 30), "days_left": 30}},
                ),
                ("screening valid for 31 days", {"screening_valid_until": date(2025, 7, 31)}, {}),
                ("review 7 days late", {"review_date": date(2025, 6, 23)}, {}),
                (
                    "review 8 days late",
                    {"review_date": date(2025, 6, 22)},
                    {"review_overdue": {"review_date": date(2025, 6, 22), "days": 8}},
                ),
                (
                    "contract ends today",
                    {"contract_end": TODAY},
                    {"contract_expiring": {"date_end": TODAY, "days_left": 0}},
                ),
                ("contract ends in 31 days", {"contract_end": date(2025, 7, 31)}, {}),
                ("obligation due today", {"obligation_due": TODAY}, {}),
                (
                    "obligation a day late",
                    {"obligation_due": date(2025, 6, 29)},
                    {"obligation_overdue": {"due_date": date(2025, 6, 29), "days": 1}},
                ),
            ]
        )

    def test_only_the_rules_asked(self):
        figures = replace(BASE, max_days_overdue=90, tier_rank=30)
        self.assertEqual(set(alert_conditions(figures, {"overdue_days": 60.0})), {"overdue_days"})
        self.assertEqual(alert_conditions(figures, {}), {})

    def test_unusual_order(self):
        for label, args, expected in [
            ("three times is usual", (300.0, 100.0, 3.0), None),
            ("a cent more", (300.01, 100.0, 3.0), 3.0),
            ("five times", (500.0, 100.0, 3.0), 5.0),
            ("no history", (500.0, None, 3.0), None),
            ("zero average", (500.0, 0.0, 3.0), None),
            ("rule without a factor", (500.0, 100.0, 0.0), None),
        ]:
            with self.subTest(label):
                self.assertEqual(unusual_order(*args), expected)
