from odoo.tests import BaseCase

from odoo.addons.customer_risk.tools import aging, kpi


class TestAgingTools(BaseCase):
    """Bucket edges and provision arithmetic, table-driven (no database)."""

    def test_bucket_index_edges(self):
        cases = [
            (-10, 0),
            (0, 0),
            (1, 1),
            (30, 1),
            (31, 2),
            (60, 2),
            (61, 3),
            (90, 3),
            (91, 4),
            (120, 4),
            (121, 5),
            (5000, 5),
        ]
        for days, expected in cases:
            with self.subTest(days=days):
                self.assertEqual(aging.bucket_index(days), expected)
        self.assertEqual(aging.bucket_index(8, (7, 14)), 2)
        self.assertEqual(aging.bucket_index(15, (7, 14)), 3)

    def test_buckets_and_labels(self):
        labels = [b.label for b in aging.buckets()]
        self.assertEqual(labels, ["Not due", "1-30", "31-60", "61-90", "91-120", "Over 120"])
        for bucket in aging.buckets((15, 45)):
            for days in (bucket.min_days, bucket.max_days):
                if days is not None and days > 0:
                    self.assertEqual(aging.bucket_index(days, (15, 45)), bucket.index)

    def test_bounds_are_validated(self):
        for bad in ((), (0, 30), (30, 30), (60, 30), (1.5,), (-1,)):
            with self.subTest(bounds=bad), self.assertRaises(ValueError):
                aging.buckets(bad)

    def test_provision(self):
        amounts = {0: 1000.0, 1: 500.0, 5: 200.0, 3: -50.0}
        rates = {0: 0.0, 1: 1.0, 3: 20.0, 5: 100.0}
        self.assertAlmostEqual(aging.provision(amounts, rates), 205.0)
        self.assertEqual(aging.provision({}, rates), 0)


class TestKpiTools(BaseCase):
    """Collection KPIs on hand-checked examples."""

    def test_dso_countback(self):
        months = [(30, 1000.0), (31, 2000.0), (30, 3000.0)]
        cases = [
            (0.0, 0.0),
            (500.0, 15.0),  # half of the last month
            (1000.0, 30.0),
            (2000.0, 30.0 + 15.5),  # last month + half of the one before
            (6000.0, 91.0),
            (9000.0, 91.0),  # more than all sales: every day counts
            (-100.0, 0.0),  # a credit balance has no DSO
        ]
        for receivables, expected in cases:
            with self.subTest(receivables=receivables):
                self.assertAlmostEqual(kpi.dso_countback(receivables, months), expected)
        self.assertAlmostEqual(kpi.dso_countback(100.0, [(30, 0.0), (31, 200.0)]), 45.5)

    def test_cei(self):
        # Begin 1000, sales 4000, end 1500 of which 1000 current:
        # (1000 + 4000 - 1500) / (1000 + 4000 - 1000) = 3500 / 4000 = 87.5 %
        self.assertAlmostEqual(kpi.cei(1000.0, 4000.0, 1500.0, 1000.0), 87.5)
        self.assertAlmostEqual(kpi.cei(0.0, 100.0, 0.0, 0.0), 100.0)
        self.assertIsNone(kpi.cei(0.0, 0.0, 0.0, 0.0))

    def test_average_days_delinquent(self):
        self.assertEqual(kpi.average_days_delinquent(45.0, 30.0), 15.0)
        self.assertEqual(kpi.average_days_delinquent(20.0, 30.0), 0.0)
