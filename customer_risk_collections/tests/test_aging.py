from datetime import date, timedelta

from odoo import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.customer_risk import tools

from .common import CollectionsCommon

D = date(2025, 3, 31)


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingAsOf(CollectionsCommon):
    """The residual of each receivable at a past date: what was matched by documents
    dated on or before that date counts, what came later does not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["customer.risk.aging"]
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})

    def lines(self, day=D, partner=None, company=None):
        partner = partner or self.customer
        rows = self.Aging._aging_lines(company or self.company, day, partner_ids=partner.ids)
        return {row["line_id"]: row for row in rows}

    def test_partial_payments_before_and_after_the_date(self):
        invoice = self.make_invoice(
            amount=1000.0, invoice_date=date(2025, 1, 10), due_date=date(2025, 2, 9)
        )
        self.pay(invoice, 300.0, date(2025, 2, 20))
        self.pay(invoice, 200.0, date(2025, 4, 15))
        line = self.receivable_lines(invoice)
        self.assertEqual(line.amount_residual, 500.0)
        rows = self.lines()
        # At D, the payment of April does not count yet.
        self.assertEqual(list(rows), line.ids)
        self.assertEqual(rows[line.id]["residual"], 700.0)
        self.assertEqual(rows[line.id]["days_past_due"], 50)
        self.assertEqual(rows[line.id]["bucket"], 2)
        # Before the first payment the whole invoice was open; before the invoice, nothing.
        self.assertEqual(self.lines(date(2025, 2, 19))[line.id]["residual"], 1000.0)
        self.assertFalse(self.lines(date(2025, 1, 9)))
        # Today, the journal item's own residual.
        self.assertEqual(self.lines(date(2025, 6, 30))[line.id]["residual"], 500.0)

    def test_today_with_and_without_matches_dated_later(self):
        """As of today the items open today are read as they are, unless a match is dated
        after today (a payment registered in advance), which does not count yet."""
        today = date(2025, 6, 30)
        invoice = self.make_invoice(
            amount=800.0, invoice_date=date(2025, 5, 10), due_date=date(2025, 6, 9)
        )
        self.pay(invoice, 300.0, date(2025, 6, 20))
        line = self.receivable_lines(invoice)
        self.assertFalse(self.Aging._aging_matched_after(today))
        self.assertEqual(self.lines(today)[line.id]["residual"], 500.0)
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, today)[self.customer.id],
            [0.0, 500.0, 0.0, 0.0, 0.0, 0.0],
        )
        # A payment dated next week: open today at 500, settled only then.
        self.pay(invoice, 500.0, date(2025, 7, 7))
        self.assertTrue(line.reconciled)
        self.assertTrue(self.Aging._aging_matched_after(today))
        self.assertEqual(self.lines(today)[line.id]["residual"], 500.0)
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, today)[self.customer.id],
            [0.0, 500.0, 0.0, 0.0, 0.0, 0.0],
        )
        self.assertFalse(self.lines(date(2025, 7, 7)))

    def test_settled_items_drop_out_and_later_documents_are_ignored(self):
        paid = self.make_invoice(amount=250.0, invoice_date=date(2025, 1, 5))
        self.pay(paid, 250.0, date(2025, 3, 1))
        paid_later = self.make_invoice(
            amount=500.0, invoice_date=date(2025, 3, 15), due_date=date(2025, 4, 14)
        )
        self.pay(paid_later, 500.0, date(2025, 4, 5))
        self.make_invoice(amount=400.0, invoice_date=date(2025, 4, 10))
        rows = self.lines()
        self.assertEqual(list(rows), self.receivable_lines(paid_later).ids)
        row = rows[self.receivable_lines(paid_later).id]
        self.assertEqual((row["residual"], row["days_past_due"], row["bucket"]), (500.0, -14, 0))
        self.assertFalse(self.lines(date(2025, 6, 30)).get(self.receivable_lines(paid_later).id))

    def test_later_reconciliation_of_an_earlier_payment(self):
        invoice = self.make_invoice(amount=600.0, invoice_date=date(2025, 3, 1))
        payment = self.receive(self.customer, 150.0, date(2025, 3, 25))
        # Matched today, but both documents are dated before D: matched at D.
        (self.receivable_lines(invoice) | self.receivable_lines(payment)).reconcile()
        rows = self.lines()
        self.assertEqual(list(rows), self.receivable_lines(invoice).ids)
        self.assertEqual(rows[self.receivable_lines(invoice).id]["residual"], 450.0)
        # Before the payment's date the invoice was open in full and the payment absent.
        self.assertEqual(
            [row["residual"] for row in self.lines(date(2025, 3, 24)).values()], [600.0]
        )

    def test_unmatched_credits_count_negative(self):
        self.make_invoice(amount=200.0, invoice_date=date(2025, 3, 20), move_type="out_refund")
        self.receive(self.customer, 80.0, D)
        amounts = sorted(row["residual"] for row in self.lines().values())
        self.assertEqual(amounts, [-200.0, -80.0])
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, D, partner_ids=self.customer.ids),
            {self.customer.id: [-80.0, -200.0, 0.0, 0.0, 0.0, 0.0]},
        )

    def test_bucket_edges(self):
        expected = {
            -5: 0,
            0: 0,
            1: 1,
            30: 1,
            31: 2,
            60: 2,
            61: 3,
            90: 3,
            91: 4,
            120: 4,
            121: 5,
            400: 5,
        }
        invoices = {}
        for days, amount in zip(expected, range(1, len(expected) + 1), strict=True):
            due = D - timedelta(days=days)
            invoices[days] = self.make_invoice(
                amount=float(amount), invoice_date=min(due, D), due_date=due
            )
        rows = self.lines()
        for days, bucket in expected.items():
            row = rows[self.receivable_lines(invoices[days]).id]
            with self.subTest(days=days):
                self.assertEqual((row["days_past_due"], row["bucket"]), (days, bucket))
        totals = self.Aging._aging_by_partner(self.company, D, partner_ids=self.customer.ids)
        # Amounts 1..12 in the order of ``expected``.
        self.assertEqual(totals[self.customer.id], [1 + 2, 3 + 4, 5 + 6, 7 + 8, 9 + 10, 11 + 12])
        # Another bucket set splits the same items differently.
        totals = self.Aging._aging_by_partner(
            self.company, D, bounds=(45,), partner_ids=self.customer.ids
        )
        self.assertEqual(totals[self.customer.id], [1 + 2, 3 + 4 + 5, sum(range(6, 13))])

    def test_commercial_partner_and_filter(self):
        invoice = self.make_invoice(partner=self.contact, amount=100.0, invoice_date=D)
        self.make_invoice(partner=self.other, amount=70.0, invoice_date=D)
        rows = self.lines()
        self.assertEqual(rows[self.receivable_lines(invoice).id]["partner_id"], self.customer.id)
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, D),
            {self.customer.id: [100.0] + [0.0] * 5, self.other.id: [70.0] + [0.0] * 5},
        )

    def test_drafts_and_other_accounts_do_not_count(self):
        self.make_invoice(amount=100.0, invoice_date=D, post=False)
        cancelled = self.make_invoice(amount=90.0, invoice_date=D)
        cancelled.button_draft()
        cancelled.button_cancel()
        misc = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": D,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_revenue"].id,
                            "partner_id": self.customer.id,
                            "balance": -50.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_expense"].id,
                            "partner_id": self.customer.id,
                            "balance": 50.0,
                        }
                    ),
                ],
            }
        )
        misc.action_post()
        self.assertFalse(self.lines())


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingCurrencyAndCompany(CollectionsCommon):
    """Residuals are in the company currency at the accounting rates; each company ages its
    own items."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["customer.risk.aging"]
        # EUR per company currency: 2 until March, then 4.
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2025-03-01", 4.0)])

    def test_foreign_invoice_partly_paid_at_another_rate(self):
        invoice = self.make_invoice(
            amount=2000.0,
            currency=self.eur,
            invoice_date=date(2025, 2, 1),
            due_date=date(2025, 2, 28),
        )
        self.pay(invoice, 1000.0, date(2025, 3, 15), currency=self.eur)
        line = self.receivable_lines(invoice)
        self.assertEqual(line.amount_residual_currency, 1000.0)

        def residual(day):
            rows = self.Aging._aging_lines(self.company, day, partner_ids=self.customer.ids)
            return sum(row["residual"] for row in rows)

        # 2,000 EUR booked at 2 EUR per unit: 1,000 before the payment, whatever today's rate.
        self.assertEqual(residual(date(2025, 3, 14)), 1000.0)
        # The payment is worth 250 at 4 EUR per unit: 750 stay open, as in the ledger...
        self.assertEqual(residual(date(2025, 3, 15)), 750.0)
        # ...until the exchange difference Odoo books at the end of the month: from then on
        # the journal item's own company-currency residual, not the euros at today's rate.
        exchange = line.matched_credit_ids.exchange_move_id
        self.assertEqual(exchange.date, D)
        self.assertEqual(residual(D), line.amount_residual)
        self.assertEqual(line.amount_residual, 500.0)

    def test_each_company_ages_its_own_items(self):
        company_2 = self.setup_other_company(name="Risk Co 2")["company"]
        self.make_company_invoice(company_2, self.customer, 5000.0, date(2025, 3, 1))
        self.make_invoice(amount=300.0, invoice_date=date(2025, 3, 1))
        by_company = {
            company: self.Aging._aging_by_partner(company, D)[self.customer.id]
            for company in (self.company, company_2)
        }
        self.assertEqual(sum(by_company[self.company]), 300.0)
        self.assertEqual(sum(by_company[company_2]), 5000.0)


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingByPartnerAtPastDates(CollectionsCommon):
    """The per-customer sums and the items agree with the definition at every date, on
    both sides of the recent-date limit where the query starts from other candidates:
    partial payments, credit notes and payments matched after the date, items settled
    after it, a foreign-currency invoice paid at another rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["customer.risk.aging"]
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2025-03-01", 4.0)])
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        # Partly paid before and after several of the dates.
        invoice = cls.make_invoice(
            amount=1000.0, invoice_date=date(2025, 5, 1), due_date=date(2025, 5, 31)
        )
        cls.pay(invoice, 300.0, date(2025, 5, 20))
        cls.pay(invoice, 200.0, date(2025, 6, 25))
        # A credit note dated after the invoice, matched to it.
        invoice = cls.make_invoice(amount=600.0, invoice_date=date(2025, 6, 5))
        refund = cls.make_invoice(
            amount=150.0, invoice_date=date(2025, 6, 10), move_type="out_refund"
        )
        (cls.receivable_lines(invoice) | cls.receivable_lines(refund)).reconcile()
        # Settled in full long after it fell due.
        invoice = cls.make_invoice(
            amount=250.0, invoice_date=date(2025, 3, 1), due_date=date(2025, 3, 31)
        )
        cls.pay(invoice, 250.0, date(2025, 6, 15))
        # A payment received on account, matched to an older invoice only today.
        invoice = cls.make_invoice(partner=cls.other, amount=400.0, invoice_date=date(2025, 5, 10))
        payment = cls.receive(cls.other, 80.0, date(2025, 6, 1))
        (cls.receivable_lines(invoice) | cls.receivable_lines(payment)).reconcile()
        # An unmatched credit note.
        cls.make_invoice(
            partner=cls.other, amount=70.0, invoice_date=date(2025, 5, 5), move_type="out_refund"
        )
        # 2,000 EUR booked at 2 per unit, half paid in June at 4 per unit.
        invoice = cls.make_invoice(
            amount=2000.0,
            currency=cls.eur,
            invoice_date=date(2025, 2, 1),
            due_date=date(2025, 2, 28),
        )
        cls.pay(invoice, 1000.0, date(2025, 6, 20), currency=cls.eur)

    def definition(self, day):
        """Residual of every receivable item at ``day`` from the ORM: its balance minus
        the matches dated by ``day`` (the later date of the two matched items)."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.company.id),
                ("date", "<=", day),
            ]
        )
        residuals = {}
        for line in lines:
            matched = line.matched_credit_ids.filtered(lambda p: p.max_date <= day)
            against = line.matched_debit_ids.filtered(lambda p: p.max_date <= day)
            residual = self.currency.round(
                line.balance - sum(matched.mapped("amount")) + sum(against.mapped("amount"))
            )
            if residual:
                residuals[line.id] = (line, residual)
        return residuals

    def test_items_and_sums_at_every_date(self):
        days = [
            date(2025, 6, 30),
            date(2025, 6, 29),
            date(2025, 6, 24),
            date(2025, 6, 19),
            date(2025, 6, 12),
            date(2025, 6, 9),
            date(2025, 6, 1),  # 29 days back: from the items open today
            date(2025, 5, 31),
            date(2025, 5, 30),  # 31 days back: from the items dated by the date
            date(2025, 5, 19),
            date(2025, 4, 30),
            date(2025, 3, 31),
            date(2025, 2, 27),
            date(2025, 1, 31),
        ]
        for day in days:
            with self.subTest(day=day):
                expected = self.definition(day)
                rows = self.Aging._aging_lines(self.company, day)
                self.assertEqual(
                    {row["line_id"]: self.currency.round(row["residual"]) for row in rows},
                    {line_id: residual for line_id, (_line, residual) in expected.items()},
                )
                sums = {}
                for line, residual in expected.values():
                    days_past_due = (day - (line.date_maturity or line.date)).days
                    bucket = tools.aging.bucket_index(days_past_due)
                    partner_sums = sums.setdefault(
                        line.partner_id.commercial_partner_id.id, [0.0] * 6
                    )
                    partner_sums[bucket] = self.currency.round(partner_sums[bucket] + residual)
                by_partner = self.Aging._aging_by_partner(self.company, day)
                self.assertEqual(
                    {
                        partner_id: [self.currency.round(amount) for amount in amounts]
                        for partner_id, amounts in by_partner.items()
                    },
                    sums,
                )

    def test_amounts_before_and_after_the_recent_limit(self):
        customer, other = self.customer.id, self.other.id
        # 1 June: 700 of the May invoice open (the June payment comes later), 1 day past
        # due; the 250 of March settled in June, 62 days; the 2,000 EUR of February booked
        # at 1,000, 93 days. Other: 400 less the payment of 1 June, and the credit note.
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, date(2025, 6, 1)),
            {
                customer: [0.0, 700.0, 0.0, 250.0, 1000.0, 0.0],
                other: [0.0, 250.0, 0.0, 0.0, 0.0, 0.0],
            },
        )
        # 30 May, on the other side of the limit: the same invoices two days younger, the
        # payment of 1 June not received yet.
        self.assertEqual(
            self.Aging._aging_by_partner(self.company, date(2025, 5, 30)),
            {
                customer: [700.0, 0.0, 250.0, 0.0, 1000.0, 0.0],
                other: [0.0, 330.0, 0.0, 0.0, 0.0, 0.0],
            },
        )

    def test_jit_setting_is_restored(self):
        self.env.cr.execute("SELECT current_setting('jit')")
        before = self.env.cr.fetchone()[0]
        self.Aging._aging_by_partner(self.company, date(2025, 5, 30))
        self.Aging._aging_lines(self.company, date(2025, 6, 30))
        self.env.cr.execute("SELECT current_setting('jit')")
        self.assertEqual(self.env.cr.fetchone()[0], before)
