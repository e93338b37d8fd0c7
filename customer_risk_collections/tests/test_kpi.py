import contextlib
from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common import CollectionsCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 12:00:00")
class TestCollectionKpis(CollectionsCommon):
    """DSO, CEI, average days delinquent and overdue ratio of March 2025, checked by hand.

    Risky Customer (high tier, salesperson S) is invoiced 3,100 on 10 January, 2,800 on
    10 February and 3,100 on 10 March, each due 30 days later, and pays January's invoice on
    20 March. Other Customer (low tier, no salesperson) is invoiced 1,000 on 5 March."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["customer.risk.kpi.snapshot"]
        cls.set_risk(cls.customer, tier=cls.tier_high)
        cls.customer.user_id = cls.user_sales
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        cls.set_risk(cls.other, tier=cls.tier_low)
        january = cls.make_invoice(
            amount=3100.0, invoice_date=date(2025, 1, 10), due_date=date(2025, 2, 9)
        )
        cls.make_invoice(amount=2800.0, invoice_date=date(2025, 2, 10), due_date=date(2025, 3, 12))
        cls.make_invoice(amount=3100.0, invoice_date=date(2025, 3, 10), due_date=date(2025, 4, 9))
        cls.pay(january, 3100.0, date(2025, 3, 20))
        cls.make_invoice(
            partner=cls.other,
            amount=1000.0,
            invoice_date=date(2025, 3, 5),
            due_date=date(2025, 4, 4),
        )

    def kpis(self, month=MARCH):
        rows = self.Snapshot.search([("company_id", "=", self.company.id), ("month", "=", month)])
        return {(row.dimension, row.tier_id or row.user_id or None): row for row in rows}

    def assertFigures(self, row, **expected):
        for name, value in expected.items():
            with self.subTest(dimension=row.dimension, figure=name):
                self.assertAlmostEqual(row[name], value, places=2)

    def test_march_by_hand(self):
        self.Snapshot._kpi_compute_month(self.company, MARCH)
        rows = self.kpis()
        # Whole company: begin 5,900 (3,100 + 2,800), sales 4,100, end 6,900 of which 4,100
        # not due. DSO: March's 4,100 of sales cover 31 days, February's 2,800 the other
        # 28 days; best DSO: the 4,100 not due are March's sales, 31 days.
        self.assertFigures(
            rows["company", None],
            receivables_begin=5900.0,
            sales=4100.0,
            receivables_end=6900.0,
            current_end=4100.0,
            overdue_end=2800.0,
            dso=59.0,
            best_dso=31.0,
            avg_days_delinquent=28.0,
            cei=3100.0 / 5900.0 * 100.0,
            overdue_ratio=2800.0 / 6900.0 * 100.0,
        )
        self.assertEqual(rows["company", None].date, date(2025, 3, 31))
        high = {
            "receivables_begin": 5900.0,
            "sales": 3100.0,
            "receivables_end": 5900.0,
            "current_end": 3100.0,
            "dso": 59.0,
            "best_dso": 31.0,
            "avg_days_delinquent": 28.0,
            "cei": 3100.0 / 5900.0 * 100.0,
            "overdue_ratio": 2800.0 / 5900.0 * 100.0,
        }
        self.assertFigures(rows["tier", self.tier_high], **high)
        self.assertFigures(rows["collector", self.user_sales], **high)
        # Other Customer: 1,000 invoiced and not due; nothing was collectible, CEI 0.
        low = {"sales": 1000.0, "receivables_end": 1000.0, "dso": 31.0, "best_dso": 31.0}
        low.update(avg_days_delinquent=0.0, cei=0.0, overdue_ratio=0.0)
        self.assertFigures(rows["tier", self.tier_low], **low)
        self.assertFigures(rows["collector", None], **low)
        self.assertEqual(len(rows), 5)

    def test_current_month_counts_the_days_so_far(self):
        self.Snapshot._kpi_compute_month(self.company, date(2025, 4, 1))
        row = self.kpis(date(2025, 4, 1))["company", None]
        self.assertEqual(row.date, date(2025, 4, 15))
        # 6,900 open on 15 April: no April sales (15 days), March's 4,100 (31 days), then
        # 2,800 of February's 2,800 (28 days).
        self.assertFigures(row, sales=0.0, receivables_end=6900.0, dso=15.0 + 31.0 + 28.0)

    def test_recompute_replaces_and_trend_over_months(self):
        wizard = self.env["customer.risk.kpi.recompute"].with_user(self.user_accountant)
        wizard = wizard.create({"date_from": date(2025, 1, 1), "date_to": date(2025, 3, 31)})
        wizard.action_recompute()
        wizard.action_recompute()
        companies = self.Snapshot.search(
            [("company_id", "=", self.company.id), ("dimension", "=", "company")]
        )
        self.assertEqual(
            companies.mapped("month"), [date(2025, 3, 1), date(2025, 2, 1), date(2025, 1, 1)]
        )
        self.assertEqual(companies.mapped("receivables_end"), [6900.0, 5900.0, 3100.0])
        # Read like the graph view: months in order, DSO per month.
        trend = self.Snapshot.with_user(self.user_accountant)._read_group(
            [("dimension", "=", "company"), ("company_id", "=", self.company.id)],
            ["month:month"],
            ["dso:avg"],
        )
        self.assertEqual(len(trend), 3)
        self.assertAlmostEqual(trend[-1][1], 59.0)

    def test_cron_resumes_without_redoing(self):
        computed = []
        compute = type(self.Snapshot)._kpi_compute_month

        crashed = []

        def crash_on_second(snapshot, company, month, today=None):
            computed.append((company, month))
            if len(computed) == 2 and not crashed:
                crashed.append(True)
                raise RuntimeError("worker killed")
            return compute(snapshot, company, month, today=today)

        with (
            patch.object(self.env.cr, "commit"),
            patch.object(type(self.Snapshot), "_kpi_compute_month", crash_on_second),
        ):
            # Not assertRaises, which would roll back what the mocked commits kept.
            with contextlib.suppress(RuntimeError):
                self.Snapshot._cron_compute_kpis()
            self.assertEqual(crashed, [True])
            first, second = computed
            computed.clear()
            self.Snapshot._cron_compute_kpis()
        # The rerun starts with the chunk that crashed: the first one is not done twice.
        self.assertNotIn(first, computed)
        self.assertEqual(computed[0], second)
        self.Snapshot.flush_model()
        march = self.kpis()
        april = self.kpis(date(2025, 4, 1))
        self.assertEqual(len(march["company", None]), 1)
        self.assertEqual(len(april["company", None]), 1)
