from datetime import date

from odoo.tests import BaseCase

from odoo.addons.customer_risk import tools
from odoo.addons.customer_risk.tools.limits import round_to


class TestLimitTools(BaseCase):
    """Pure limit and exposure arithmetic, table-driven (no database)."""

    def test_tier_limit(self):
        cases = [
            # method, kwargs, expected
            ("fixed", {"fixed": 1000.0}, 1000.0),
            ("fixed", {"fixed": 1000.0, "cap": 600.0}, 600.0),
            ("fixed", {"fixed": 0.0}, 0.0),
            ("sales_share", {"sales_share_percent": 25, "sales_12m": 1000.0}, 250.0),
            ("sales_share", {"sales_share_percent": 25, "sales_12m": -50.0}, 0.0),
            ("sales_share", {"sales_share_percent": 25, "sales_12m": 1000.0, "cap": 100}, 100.0),
            ("agency", {"agency_limit": 7000.0}, 7000.0),
            ("agency", {"agency_limit": None}, 0.0),
            ("agency", {"agency_limit": -3.0}, 0.0),
        ]
        for method, kwargs, expected in cases:
            with self.subTest(method=method, **kwargs):
                self.assertEqual(tools.tier_limit(method, **kwargs), expected)
        with self.assertRaises(ValueError):
            tools.tier_limit("guess")

    def test_valid_amount(self):
        cases = [
            (0, True),
            (1234.56, True),
            (None, True),
            (False, True),
            (tools.MAX_AMOUNT, True),
            (-0.01, False),
            (float("nan"), False),
            (float("inf"), False),
            (float("-inf"), False),
            (1e300, False),
            ("1000", False),
            (True, False),
            ([1], False),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(tools.valid_amount(value), expected)
        self.assertTrue(tools.valid_amount(-0.01, signed=True))
        self.assertFalse(tools.valid_amount(-1e300, signed=True))
        self.assertEqual(tools.MAX_AMOUNT_TEXT, f"{tools.MAX_AMOUNT:,.0f}")

    def test_limit_with_tolerance(self):
        cases = [
            (1000.0, 0.0, 0.01, 1000.0),
            (1000.0, 5.0, 0.01, 1050.0),
            (999.99, 10.0, 0.01, 1099.99),  # 1099.989 rounds to the minor unit
            (0.0, 50.0, 0.01, 0.0),
            (100.0, -5.0, 0.01, 100.0),  # a negative tolerance is ignored
            (1000.0, 2.5, 1.0, 1025.0),  # currency without decimals
        ]
        for limit, tolerance, rounding, expected in cases:
            with self.subTest(limit=limit, tolerance=tolerance):
                self.assertEqual(tools.limit_with_tolerance(limit, tolerance, rounding), expected)

    def test_round_to(self):
        cases = [
            (2.675, 0.01, 2.68),
            (-2.675, 0.01, -2.68),
            (0.005, 0.01, 0.01),
            (12.5, 1.0, 13.0),
            (7.0, 0.0, 7.0),
            (1.2345, 0.001, 1.235),
        ]
        for amount, rounding, expected in cases:
            with self.subTest(amount=amount, rounding=rounding):
                self.assertEqual(round_to(amount, rounding), expected)

    def test_days_overdue(self):
        today = date(2026, 3, 1)
        cases = [
            (None, 0),
            (date(2026, 3, 1), 0),
            (date(2026, 3, 2), 0),
            (date(2026, 2, 28), 1),
            (date(2025, 3, 1), 365),
        ]
        for due, expected in cases:
            with self.subTest(due=due):
                self.assertEqual(tools.days_overdue(due, today), expected)
        with self.assertRaises(TypeError):
            tools.days_overdue("2026-01-01", today)

    def test_exposure_parts(self):
        parts = tools.ExposureParts(
            open_not_due=100.0,
            overdue=50.0,
            draft_invoices=25.0,
            uninvoiced_orders=10.0,
            max_days_overdue=12,
        )
        self.assertEqual(parts.total(), 185.0)
        self.assertEqual(parts.total(("overdue", "draft_invoices")), 75.0)
        self.assertEqual(parts.total(()), 0)
        with self.assertRaises(ValueError):
            parts.total(("other",))
        both = parts + tools.ExposureParts(overdue=5.0, max_days_overdue=40)
        self.assertEqual(both.overdue, 55.0)
        self.assertEqual(both.max_days_overdue, 40)
        self.assertEqual(tools.available_credit(100.0, 130.0), -30.0)
        self.assertEqual(tools.available_credit(None, None), 0.0)
