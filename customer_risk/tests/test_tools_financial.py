from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.customer_risk import tools


@tagged("post_install", "-at_install")
class TestFinancialTools(BaseCase):
    """Ratios of financial statements, their strength points and agency rating points,
    without a database."""

    def test_ratios(self):
        cases = [
            # (function, numerator, denominator, expected)
            (tools.current_ratio, 150.0, 100.0, 1.5),
            (tools.current_ratio, 0.0, 100.0, 0.0),
            (tools.current_ratio, 150.0, 0.0, None),  # zero denominator
            (tools.current_ratio, 150.0, -10.0, None),
            (tools.current_ratio, None, None, None),
            (tools.debt_to_equity, 300.0, 200.0, 1.5),
            (tools.debt_to_equity, 300.0, 0.0, None),
            (tools.debt_to_equity, 300.0, -50.0, None),  # negative equity: no ratio
            (tools.debt_to_equity, 0.0, 200.0, 0.0),
            (tools.net_margin, 5.0, 200.0, 2.5),
            (tools.net_margin, -10.0, 200.0, -5.0),
            (tools.net_margin, 5.0, 0.0, None),
        ]
        for function, numerator, denominator, expected in cases:
            with self.subTest(function=function.__name__, args=(numerator, denominator)):
                self.assertEqual(function(numerator, denominator), expected)

    def test_financial_strength_points(self):
        cases = [
            # (figures, expected): ca, cl, tl, eq, ni, rev
            ((200, 100, 50, 100, 12, 100), 91.7),  # 100, 75, 100
            ((200, 100, 50, 100, 10, 100), 91.7),  # a 10 % margin is in the top band
            ((199, 100, 50, 100, 9.99, 100), 75.0),  # just below the top edges: 75 each
            ((79, 100, 400, 100, -1, 100), 0.0),  # illiquid, indebted, loss-making
            ((80, 100, 399, 100, 0, 100), 25.0),  # lower edges included
            ((100, 0, 0, 100, 5, 100), 91.7),  # no current liabilities: 100, 100, 75
            ((100, 100, 50, 0, 5, 100), 41.7),  # zero equity with debts: 50, 0, 75
            ((100, 100, 50, -20, 5, 100), 41.7),  # negative equity: 0 points
            ((100, 100, 0, 0, 5, 100), 62.5),  # no equity and no debts: leverage left out
            ((100, 100, 50, 100, 5, 0), 62.5),  # no revenue: margin left out (50, 75)
            ((0, 0, 0, 0, 0, 0), None),  # nothing to measure
            ((0, 0, 0, 0, 5, 100), 75.0),  # only the margin
        ]
        for figures, expected in cases:
            with self.subTest(figures=figures):
                self.assertEqual(tools.financial_strength_points(*figures), expected)

    def test_rating_key(self):
        for rating, expected in (("aa+", "AA+"), (" A A ", "AA"), ("", ""), (None, "")):
            with self.subTest(rating=rating):
                self.assertEqual(tools.rating_key(rating), expected)

    def test_agency_points(self):
        ratings = {"AAA": 100.0, "AA": 90.0, "D": 0.0}
        bands = [(0, 300, 0.0), (300, 600, 40.0), (600, None, 80.0)]
        cases = [
            ({"rating": "AA"}, 90.0),
            ({"rating": " aa "}, 90.0),
            ({"rating": "D"}, 0.0),
            ({"rating": "BBB"}, None),  # not on the scale
            ({"rating": "BBB", "score": 700}, None),  # a rating wins over a score
            ({"score": 299.99}, 0.0),
            ({"score": 300}, 40.0),
            ({"score": 1000}, 80.0),
            ({"score": -1}, None),
            ({}, None),
            ({"rating": " ", "score": 650}, 80.0),
        ]
        for kwargs, expected in cases:
            with self.subTest(**kwargs):
                self.assertEqual(
                    tools.agency_points(ratings=ratings, score_bands=bands, **kwargs), expected
                )
