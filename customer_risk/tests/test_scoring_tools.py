from datetime import date

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.customer_risk import tools

DELAY_BANDS = [(0, 1, 100), (1, 30, 60), (30, None, 0)]


@tagged("post_install", "-at_install")
class TestScoringTools(BaseCase):
    """The scoring arithmetic, without a database."""

    def test_band_points(self):
        cases = [
            (None, DELAY_BANDS, None),
            (0, DELAY_BANDS, 100),
            (0.99, DELAY_BANDS, 100),
            (1, DELAY_BANDS, 60),  # lower bound included
            (29.99, DELAY_BANDS, 60),
            (30, DELAY_BANDS, 0),  # upper bound excluded
            (10_000, DELAY_BANDS, 0),  # open end
            (-1, DELAY_BANDS, None),  # below every band
            (-1, [(None, 0, 10), (0, None, 90)], 10),
            (5, [(0, 3, 10), (6, 9, 90)], None),  # gap between bands
            (5, [], None),
        ]
        for value, bands, expected in cases:
            with self.subTest(value=value, bands=bands):
                self.assertEqual(tools.band_points(value, bands), expected)

    def test_band_index_first_match_wins(self):
        self.assertEqual(tools.band_index(5, [(0, 10, 1), (5, 10, 2)]), 0)

    def test_weighted_score(self):
        cases = [
            ([], None),
            ([(None, 10)], None),  # no value at all
            ([(80, 0), (None, 5)], None),  # zero weights only
            ([(80, 1)], 80.0),
            ([(100, 3), (0, 1)], 75.0),
            ([(100, 3), (0, 1), (None, 50)], 75.0),  # a missing factor leaves the weights
            ([(100, 1), (0, 2)], 33.3),  # rounded to 0.1
            ([(100, 2), (0, 1)], 66.7),
            ([(0, 1), (0, 1)], 0.0),
            ([(100, 1), (100, 0)], 100.0),
        ]
        for items, expected in cases:
            with self.subTest(items=items):
                self.assertEqual(tools.weighted_score(items), expected)

    def test_weighted_score_rejects_bad_input(self):
        for items in ([(50, -1)], [(101, 1)], [(-0.1, 1)], [(50, None)]):
            with self.subTest(items=items), self.assertRaises(ValueError):
                tools.weighted_score(items)

    def test_score_contributions_add_up_to_score(self):
        items = [(100, 25), (40, 15), (None, 10), (70, 10)]
        contributions = tools.score_contributions(items)
        self.assertIsNone(contributions[2])
        self.assertAlmostEqual(sum(c for c in contributions if c is not None), 76.0)
        self.assertEqual(tools.weighted_score(items), 76.0)

    def test_tier_for_score(self):
        tiers = [("HIGH", 0), ("MEDIUM", 40), ("LOW", 70)]
        cases = [
            (None, tiers, None),
            (0, tiers, "HIGH"),
            (39.9, tiers, "HIGH"),
            (40, tiers, "MEDIUM"),
            (69.995, tiers, "MEDIUM"),  # in the gap between 69.99 and 70
            (70, tiers, "LOW"),
            (100, tiers, "LOW"),
            (10, [("MEDIUM", 40), ("LOW", 70)], None),  # below every tier
            (50, [], None),
            (80, [("LOW", 70), ("HIGH", 0)], "LOW"),  # order of the tiers does not matter
        ]
        for score, tier_list, expected in cases:
            with self.subTest(score=score, tiers=tier_list):
                self.assertEqual(tools.tier_for_score(score, tier_list), expected)

    def test_payment_delay(self):
        cases = [
            ([], None),
            ([(0.0, 10)], None),  # nothing paid
            ([(100.0, 0)], 0.0),
            ([(100.0, -5)], 0.0),  # paid early counts as on time
            ([(300.0, 0), (100.0, 40)], 10.0),  # weighted by amount
            ([(100.0, 10), (100.0, 30)], 20.0),
            ([(100.0, 10), (-50.0, 90)], 10.0),  # negative amounts ignored
        ]
        for payments, expected in cases:
            with self.subTest(payments=payments):
                self.assertEqual(tools.payment_delay(payments), expected)

    def test_ratio_percent(self):
        cases = [
            ((50, 200), {}, 25.0),
            ((0, 200), {}, 0.0),
            ((300, 200), {}, 150.0),
            ((50, 0), {}, None),  # zero denominator
            ((50, -10), {}, None),
            ((50, None), {}, None),
            ((0, 0), {"default": 0.0}, 0.0),
            ((None, 100), {}, 0.0),
        ]
        for args, kwargs, expected in cases:
            with self.subTest(args=args, kwargs=kwargs):
                self.assertEqual(tools.ratio_percent(*args, **kwargs), expected)

    def test_months_between(self):
        cases = [
            (date(2025, 1, 31), date(2025, 2, 28), 0),
            (date(2025, 1, 15), date(2025, 2, 15), 1),
            (date(2024, 6, 30), date(2025, 6, 30), 12),
            (date(2025, 6, 30), date(2025, 1, 1), 0),  # end before start
        ]
        for start, end, expected in cases:
            with self.subTest(start=start, end=end):
                self.assertEqual(tools.months_between(start, end), expected)

    def test_screening_values(self):
        values = tools.SCREENING_VALUES
        self.assertGreater(values["approved"], values["conditional"])
        self.assertGreater(values["conditional"], values["none"])
        self.assertEqual(values["none"], values["in_progress"])
        self.assertGreater(values["none"], values["rejected"])
        self.assertEqual(values["rejected"], values["expired"])
