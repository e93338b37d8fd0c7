from odoo.tests import BaseCase

from odoo.addons.customer_risk import tools


class TestSamplingTools(BaseCase):
    """Audit samples: the same candidates, size and seed always give the same sample."""

    def test_draw_sample(self):
        releases = [("customer.risk.release", i) for i in range(1, 6)]
        assessments = [("customer.risk.assessment", i) for i in range(1, 6)]
        cases = [
            # candidates, size, seed, expected
            (range(1, 11), 3, 42, [1, 2, 5]),
            (range(1, 11), 3, 43, [1, 3, 5]),
            (range(1, 21), 5, 2025, [1, 3, 6, 16, 18]),
            # Pinned: a stored seed must draw the same sample years later.
            (
                releases + assessments,
                4,
                7,
                [
                    ("customer.risk.assessment", 3),
                    ("customer.risk.release", 1),
                    ("customer.risk.release", 2),
                    ("customer.risk.release", 5),
                ],
            ),
            (range(1, 4), 3, 1, [1, 2, 3]),  # size = population: everything
            (range(1, 4), 10, 1, [1, 2, 3]),  # size above the population
            ([5, 5, 3], 5, 1, [3, 5]),  # duplicates count once
            (range(1, 11), 0, 42, []),
            ([], 3, 42, []),
        ]
        for candidates, size, seed, expected in cases:
            with self.subTest(candidates=candidates, size=size, seed=seed):
                self.assertEqual(tools.draw_sample(candidates, size, seed), expected)

    def test_order_of_candidates_does_not_matter(self):
        ids = list(range(1, 31))
        sample = tools.draw_sample(ids, 7, 99)
        self.assertEqual(tools.draw_sample(list(reversed(ids)), 7, 99), sample)
        self.assertEqual(tools.draw_sample(set(ids), 7, 99), sample)
        self.assertEqual(len(sample), 7)
        self.assertEqual(sample, sorted(sample))

    def test_negative_size_is_refused(self):
        with self.assertRaises(ValueError):
            tools.draw_sample([1, 2], -1, 1)
