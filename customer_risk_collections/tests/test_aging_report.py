import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import SQL

from .common import CollectionsCommon

D = date(2025, 3, 31)
CHINESE = "深圳龙腾贸易有限公司"
FORMULA = '=HYPERLINK("x")'
# Values a spreadsheet would take for formulas, were they not written as text.
INJECTIONS = ("@SUM(1+1)", "+1", "-2")


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingReport(CollectionsCommon):
    """The aging report as of a past date: its workbook, its PDF and its pivot agree with
    the ledger, whatever the customers are called."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.set_risk(cls.customer, tier=cls.tier_high)
        cls.customer.user_id = cls.user_sales
        cls.chinese = cls.env["res.partner"].create({"name": CHINESE, "is_company": True})
        cls.set_risk(cls.chinese, tier=cls.tier_low)
        cls.formula = cls.env["res.partner"].create({"name": FORMULA, "is_company": True})
        cls.injections = cls.env["res.partner"].create(
            [{"name": name, "is_company": True} for name in INJECTIONS]
        )
        # Risky Customer: 700 of 1,000 open at D (the April payment comes later), 500 not
        # due (paid in April), an unmatched refund of 100.
        invoice = cls.make_invoice(
            amount=1000.0, invoice_date=date(2025, 1, 10), due_date=date(2025, 2, 9)
        )
        cls.pay(invoice, 300.0, date(2025, 2, 20))
        cls.pay(invoice, 200.0, date(2025, 4, 15))
        later = cls.make_invoice(
            amount=500.0, invoice_date=date(2025, 3, 15), due_date=date(2025, 4, 14)
        )
        cls.pay(later, 500.0, date(2025, 4, 5))
        cls.make_invoice(amount=100.0, invoice_date=date(2025, 3, 20), move_type="out_refund")
        # Documents after D never count.
        cls.make_invoice(amount=9999.0, invoice_date=date(2025, 4, 2))
        cls.make_invoice(
            partner=cls.chinese,
            amount=800.0,
            invoice_date=date(2024, 12, 1),
            due_date=date(2024, 12, 31),
        )
        cls.make_invoice(
            partner=cls.chinese,
            amount=120.0,
            invoice_date=date(2025, 2, 1),
            due_date=date(2025, 3, 1),
        )
        cls.make_invoice(
            partner=cls.formula,
            amount=60.0,
            invoice_date=date(2024, 8, 1),
            due_date=date(2024, 8, 31),
        )
        for amount, partner in enumerate(cls.injections, start=1):
            cls.make_invoice(partner=partner, amount=float(amount), invoice_date=D)
        cls.expected = {
            cls.customer.name: [500.0, -100.0, 700.0, 0.0, 0.0, 0.0],
            CHINESE: [0.0, 120.0, 0.0, 800.0, 0.0, 0.0],
            FORMULA: [0.0, 0.0, 0.0, 0.0, 0.0, 60.0],
            "@SUM(1+1)": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "+1": [2.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "-2": [3.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }

    def independent_residuals(self, day):
        """Open amount per customer name at ``day``, the other way round: today's residual
        of each receivable item dated by ``day``, plus what was matched to it later."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH later AS (
                    SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                     WHERE max_date > %(day)s
                    UNION ALL
                    SELECT credit_move_id, -amount FROM account_partial_reconcile
                     WHERE max_date > %(day)s
                )
                SELECT cp.name, SUM(l.amount_residual
                                    + COALESCE((SELECT SUM(amount) FROM later
                                                 WHERE later.line_id = l.id), 0))
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                  JOIN account_move m ON m.id = l.move_id
                  JOIN res_partner p ON p.id = l.partner_id
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND m.state = 'posted'
                   AND l.date <= %(day)s
                   AND l.company_id = %(company)s
                 GROUP BY cp.name
                """,
                day=day,
                company=self.company.id,
            )
        )
        return {name: amount for name, amount in self.env.cr.fetchall() if amount}

    def ledger_balance(self, day):
        """The receivable accounts' balance at ``day``: what the aging must add up to."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT SUM(l.balance) FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                 WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
                   AND l.date <= %s AND l.company_id = %s
                """,
                day,
                self.company.id,
            )
        )
        return self.env.cr.fetchone()[0]

    def test_xlsx_totals_equal_an_independent_computation(self):
        book = self.read_xlsx(self.aging_wizard(D).action_export_xlsx())
        summary, detail = book["Summary"], book["Detail"]
        self.assertEqual(
            summary["header"],
            [
                "Customer",
                "Not due",
                "1-30",
                "31-60",
                "61-90",
                "91-120",
                "Over 120",
                "Total",
                "Share",
            ],
        )
        *rows, totals = summary["rows"]
        per_customer = {row[0]: row[-2] for row in rows}
        independent = self.independent_residuals(D)
        self.assertEqual(set(per_customer), set(independent))
        for name, amount in independent.items():
            with self.subTest(customer=name):
                self.assertAlmostEqual(per_customer[name], amount, places=2)
        for row in rows:
            with self.subTest(customer=row[0]):
                self.assertEqual(row[1:7], self.expected[row[0]])
                self.assertAlmostEqual(row[7], sum(row[1:7]), places=2)
        # Grand total: the sum of the open items of the detail, the ledger's balance at D.
        *items, detail_total = detail["rows"]
        self.assertEqual(len(items), 9)
        self.assertAlmostEqual(totals[7], sum(item[6] for item in items), places=2)
        self.assertAlmostEqual(detail_total[6], totals[7], places=2)
        self.assertAlmostEqual(totals[7], self.ledger_balance(D), places=2)
        self.assertAlmostEqual(totals[7], 2086.0, places=2)
        self.assertEqual(totals[0], "Total")
        self.assertEqual(totals[1:7], [506.0, 20.0, 700.0, 800.0, 0.0, 60.0])
        self.assertAlmostEqual(totals[8], 1.0)
        share = {row[0]: row[8] for row in rows}
        self.assertAlmostEqual(share[CHINESE], 920.0 / 2086.0)

    def test_xlsx_text_stays_text(self):
        book = self.read_xlsx(self.aging_wizard(D).action_export_xlsx())
        for title, sheet in book.items():
            for cell in sheet["cells"]:
                with self.subTest(sheet=title, cell=cell.coordinate):
                    self.assertNotEqual(cell.data_type, "f")
        names = [row[0] for row in book["Detail"]["rows"]]
        for name in (FORMULA, *INJECTIONS, CHINESE):
            with self.subTest(name=name):
                self.assertIn(name, names)
                self.assertIn(name, [row[0] for row in book["Summary"]["rows"]])
        formula_cell = next(c for c in book["Summary"]["cells"] if c.value == FORMULA)
        self.assertEqual(formula_cell.data_type, "s")

    def test_xlsx_layout(self):
        wizard = self.aging_wizard(D)
        action = wizard.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(action["url"].endswith("?download=true"))
        book = self.read_xlsx(action)
        attachment = book["Summary"]["attachment"]
        self.assertEqual((attachment.res_model, attachment.res_id), (wizard._name, wizard.id))
        detail = book["Detail"]
        self.assertEqual(
            detail["header"],
            ["Customer", "Document", "Date", "Due Date", "Days Past Due", "Bucket", "Residual"],
        )
        sheet = detail["sheet"]
        self.assertEqual(sheet.freeze_panes, "A5")
        self.assertTrue(sheet["A4"].font.b)
        row = next(r for r in detail["rows"] if r[0] == CHINESE and r[6] == 800.0)
        self.assertEqual(row[2].date(), date(2024, 12, 1))
        self.assertEqual(row[3].date(), date(2024, 12, 31))
        self.assertEqual(row[4:6], [90, "61-90"])
        amount_cell = next(c for c in detail["cells"] if c.value == 800.0)
        self.assertIn(self.currency.symbol, amount_cell.number_format)
        self.assertIn("0.00", amount_cell.number_format)

    def test_groupings(self):
        cases = {
            "user": {self.user_sales.name: 1100.0, "No salesperson": 986.0},
            "tier": {self.tier_high.name: 1100.0, self.tier_low.name: 920.0, "No tier": 66.0},
            "company": {self.company.name: 2086.0},
        }
        for group_by, expected in cases.items():
            with self.subTest(group_by=group_by):
                data = self.aging_wizard(D, group_by=group_by)._aging_report_data()
                self.assertEqual({g["name"]: g["total"] for g in data["groups"]}, expected)
                self.assertAlmostEqual(sum(g["share"] for g in data["groups"]), 100.0)

    def test_partner_filter(self):
        data = self.aging_wizard(
            D, partner_ids=[Command.set(self.chinese.ids)]
        )._aging_report_data()
        self.assertEqual([g["name"] for g in data["groups"]], [CHINESE])
        self.assertEqual(data["total"], 920.0)

    def test_view_and_drill_down(self):
        wizard = self.aging_wizard(D, group_by="tier")
        action = wizard.action_view()
        self.assertEqual(action["context"]["search_default_group_tier"], 1)
        Line = self.env[action["res_model"]].with_user(self.user_accountant)
        lines = Line.search(action["domain"])
        self.assertEqual(len(lines), 9)
        self.assertAlmostEqual(sum(lines.mapped("residual")), 2086.0)
        groups = Line._read_group(action["domain"], ["bucket_id"], ["residual:sum"])
        self.assertEqual(
            [(bucket.display_name, amount) for bucket, amount in groups],
            [
                ("Not due", 506.0),
                ("1-30", 20.0),
                ("31-60", 700.0),
                ("61-90", 800.0),
                ("Over 120", 60.0),
            ],
        )
        line = lines.filtered(
            lambda item: item.partner_id == self.customer and item.residual == 700.0
        )
        self.assertEqual(line.tier_id, self.tier_high)
        self.assertEqual(line.user_id, self.user_sales)
        self.assertEqual(line.action_open_document()["res_id"], line.move_id.id)
        items = (
            self.env["account.move.line"]
            .with_user(self.user_accountant)
            .search(line.action_open_customer_items()["domain"])
        )
        self.assertIn(line.move_line_id, items)
        self.assertTrue(all(item.date <= D for item in items))
        # Viewing again replaces the items.
        wizard.action_view()
        self.assertEqual(len(wizard.line_ids), 9)

    def test_pdf(self):
        wizard = self.aging_wizard(D)
        action = wizard.action_print_pdf()
        self.assertEqual(action["type"], "ir.actions.report")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user_accountant)
            ._render_qweb_html(action["report_name"], wizard.ids)[0]
            .decode()
        )
        self.assertIn(CHINESE, html)
        self.assertIn("HYPERLINK", html)
        self.assertIn("2,086.00", html)
        self.assertIn("Over 120", html)


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingReportCompanies(CollectionsCommon):
    """Several companies in one report: each keeps its items, amounts in another currency are
    converted at the rate of the date; nobody reads a company they do not work in."""

    def test_two_companies_two_currencies(self):
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2025-04-01", 5.0)])
        company_2 = self.setup_other_company(name="Risk Co EUR", currency_id=eur.id)["company"]
        self.make_company_invoice(company_2, self.customer, 5000.0, date(2025, 3, 1))
        self.make_invoice(amount=300.0, invoice_date=date(2025, 3, 1))
        user = new_test_user(
            self.env,
            "risk_t_acc_multi",
            groups="account.group_account_user,customer_risk.group_risk_user",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        wizard = self.aging_wizard(
            D,
            user=user,
            group_by="company",
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        self.assertEqual(wizard.currency_id, self.currency)
        data = wizard._aging_report_data()
        # 5,000 EUR at 2 EUR per unit on D (not at April's 5).
        self.assertEqual(
            {g["name"]: g["total"] for g in data["groups"]},
            {self.company.name: 300.0, "Risk Co EUR": 2500.0},
        )
        detail = self.read_xlsx(wizard.action_export_xlsx())["Detail"]
        self.assertEqual(detail["header"][-1], "Company")
        # A user of the first company only cannot read the second one's receivables.
        with self.assertRaises(AccessError):
            self.aging_wizard(
                D, company_ids=[Command.set((self.company | company_2).ids)]
            )._aging_report_data()


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestAgingExportInChunks(CollectionsCommon):
    """The workbook is the same whether the items are read one customer at a time or all
    at once, items without a customer included (last, as in one read)."""

    def test_chunks_give_the_same_workbook(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Chunk Customer {index}", "is_company": True} for index in range(4)]
        )
        contact = self.env["res.partner"].create(
            {"name": "Chunk Contact", "parent_id": customers[0].id}
        )
        for index, partner in enumerate(customers):
            invoice = self.make_invoice(
                partner=partner, amount=100.0 * (index + 1), invoice_date=date(2025, 2, index + 1)
            )
            if index % 2:
                self.pay(invoice, 30.0, date(2025, 4, 1))
        self.make_invoice(partner=contact, amount=55.0, invoice_date=date(2025, 3, 3))
        self.make_invoice(partner=customers[1], amount=20.0, invoice_date=D, move_type="out_refund")
        no_customer = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2025, 3, 10),
                "line_ids": [
                    Command.create({"account_id": self.receivable.id, "balance": 40.0}),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_revenue"].id,
                            "balance": -40.0,
                        }
                    ),
                ],
            }
        )
        no_customer.action_post()
        Aging = self.env["customer.risk.aging"]
        one_read = Aging._aging_lines(self.company, D)
        chunks = list(Aging._aging_lines_in_chunks(self.company, D, size=2))
        self.assertEqual([len(rows) for rows in chunks], [4, 2, 1])
        self.assertEqual([row for rows in chunks for row in rows], one_read)
        self.assertIsNone(one_read[-1]["partner_id"])
        wizard = self.aging_wizard(D)
        workbooks = {}
        for chunk in (1, 2, 1000):
            wizard.invalidate_recordset()
            book = openpyxl.load_workbook(io.BytesIO(wizard._aging_xlsx(chunk=chunk)))
            workbooks[chunk] = {
                sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
                for sheet in book.worksheets
            }
        self.assertEqual(workbooks[1], workbooks[1000])
        self.assertEqual(workbooks[2], workbooks[1000])
        summary, detail = workbooks[1000]["Summary"], workbooks[1000]["Detail"]
        self.assertEqual(
            [row[0] for row in summary[4:-1]],
            [*(f"Chunk Customer {index}" for index in range(4)), "No customer"],
        )
        self.assertEqual([row[-2] for row in summary[4:-1]], [155.0, 180.0, 300.0, 400.0, 40.0])
        self.assertEqual(detail[-2][0], "No customer")
        self.assertEqual(summary[-1][-2], detail[-1][6])
        self.assertAlmostEqual(summary[-1][-2], 1075.0)
