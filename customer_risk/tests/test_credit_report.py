from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import CustomerRiskCommon
from .test_watchlist_import import csv_file, xlsx_file

AT = date(2025, 6, 30)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestCreditReport(CustomerRiskCommon):
    """Agency reports and financial statements: their points, the agency file import, and
    how the newest of them feed the scorecard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env(user=cls.user_manager)["customer.risk.agency"].create(
            {
                "name": "Test Agency",
                "validity_months": 6,
                "scale_ids": [
                    Command.create({"rating": "AAA", "points": 100}),
                    Command.create({"rating": "A", "points": 80}),
                    Command.create({"rating": "B", "points": 40}),
                    Command.create({"score_from": 0, "score_to": 500, "points": 10}),
                    Command.create({"score_from": 500, "score_to": 0, "points": 70}),
                ],
            }
        )
        cls.customer.write({"vat": "CN 91310000-MA1FL", "ref": "C001"})
        Partner = cls.env["res.partner"]
        cls.by_ref = Partner.create({"name": "Ref Customer", "is_company": True, "ref": "C002"})
        cls.twin_1 = Partner.create({"name": "Twin One", "is_company": True, "ref": "TWIN"})
        cls.twin_2 = Partner.create({"name": "Twin Two", "is_company": True, "ref": "TWIN"})
        cls.Report = cls.env(user=cls.user_officer)["customer.risk.credit.report"]
        cls.Statement = cls.env(user=cls.user_officer)["customer.risk.financial.statement"]

    def _report(self, partner=None, **vals):
        return self.Report.create(
            {"partner_id": (partner or self.customer).id, "agency_id": self.agency.id, **vals}
        )

    def _statement(self, date_end, partner=None, **figures):
        return self.Statement.create(
            {
                "partner_id": (partner or self.customer).id,
                "date_start": date_end.replace(month=1, day=1),
                "date_end": date_end,
                **figures,
            }
        )

    def _wizard(self, file, filename="agency.csv"):
        return (
            self.env["customer.risk.credit.report.import"]
            .with_user(self.user_officer)
            .create({"agency_id": self.agency.id, "file": file, "filename": filename})
        )

    def test_points_from_the_agency_scale(self):
        cases = [
            ({"rating": "aaa"}, True, 100.0),
            ({"rating": "B", "score": 900}, True, 40.0),  # the rating wins
            ({"rating": "CCC"}, False, 0.0),  # not on the scale
            ({"score": 499}, True, 10.0),
            ({"score": 500}, True, 70.0),
            ({}, False, 0.0),
        ]
        for vals, rated, points in cases:
            with self.subTest(vals=vals):
                report = self._report(**vals)
                self.assertEqual((report.rated, report.points), (rated, points))
        report = self._report(rating="CCC")
        self.agency.scale_ids = [Command.create({"rating": "CCC", "points": 20})]
        self.assertEqual((report.rated, report.points), (True, 20.0))

    def test_validity(self):
        self.assertEqual(self._report(date=date(2025, 1, 31)).valid_until, date(2025, 7, 31))
        report = self._report(date=date(2025, 1, 31), valid_until=date(2025, 3, 31))
        self.assertEqual(report.valid_until, date(2025, 3, 31))

    def test_statement_ratios_and_strength(self):
        statement = self._statement(
            date(2024, 12, 31),
            revenue=1000.0,
            net_income=120.0,
            current_assets=300.0,
            current_liabilities=100.0,
            total_liabilities=100.0,
            equity=400.0,
        )
        self.assertEqual(
            (statement.current_ratio, statement.debt_to_equity, statement.net_margin),
            (3.0, 0.25, 12.0),
        )
        self.assertEqual(
            (statement.rated, statement.points, statement.ratio_warning), (True, 100.0, False)
        )
        statement.write({"current_liabilities": 0.0, "revenue": 0.0})
        self.assertEqual(statement.ratio_warning, "Current Ratio, Net Margin (%)")
        self.assertEqual(statement.points, 100.0)  # liquidity 100, leverage 100
        with self.assertRaises(UserError):
            self._statement(date(2024, 12, 31), date_start=date(2025, 1, 1))

    def test_scorecard_uses_the_newest_valid_report_and_statement(self):
        partners = (self.customer | self.by_ref).with_company(self.company)
        self.assertEqual(
            partners._risk_external_rating(self.company, AT),
            {self.customer.id: None, self.by_ref.id: None},
        )
        self._report(date=date(2025, 1, 10), rating="AAA", recommended_limit=9000.0)
        self._report(date=date(2025, 3, 1), rating="B", recommended_limit=4000.0)
        self._report(date=date(2025, 7, 1), rating="A", recommended_limit=1.0)  # future
        self._report(date=date(2024, 12, 1), rating="AAA")  # expired on 2025-06-01
        self._report(self.by_ref, date=date(2024, 12, 1), rating="AAA")
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 0.5)])
        self._report(
            self.by_ref,
            date=date(2025, 2, 1),
            rating="CCC",  # not on the scale: no rating, a limit all the same
            recommended_limit=1000.0,
            currency_id=eur.id,
        )
        self.assertEqual(
            partners._risk_external_rating(self.company, AT),
            {self.customer.id: 40.0, self.by_ref.id: None},
        )
        self.assertEqual(
            partners._risk_agency_limit(self.company, AT),
            {self.customer.id: 4000.0, self.by_ref.id: 2000.0},
        )
        strong = {"revenue": 100.0, "net_income": 20.0, "current_assets": 300.0}
        self._statement(date(2023, 12, 31), **strong, current_liabilities=100.0)
        self._statement(
            date(2024, 12, 31), **strong, current_liabilities=400.0, total_liabilities=500.0
        )
        self._statement(date(2025, 12, 31), revenue=100.0, net_income=-50.0)  # not ended yet
        # Newest ended: current ratio 0.75 (0), no equity with debts (0), margin 20 % (100).
        self.assertEqual(
            partners._risk_financial_ratio_points(self.company, AT),
            {self.customer.id: 33.3, self.by_ref.id: None},
        )
        # An assessment shows both factors and the agency limit.
        assessment = self.env(user=self.user_officer)["customer.risk.assessment"].create(
            {"partner_id": self.customer.id, "date": AT}
        )
        assessment.action_compute()
        lines = {line.factor_type: line for line in assessment.line_ids}
        self.assertEqual(
            (lines["external_rating"].value, lines["external_rating"].counted), (40.0, True)
        )
        self.assertEqual(lines["financial_ratios"].value, 33.3)
        self.assertEqual(assessment.agency_limit, 4000.0)

    def test_import_matches_by_vat_and_reference(self):
        file = csv_file(
            "vat,ref,name,date,rating,score,recommended_limit,currency,payment_delay_index",
            "cn91310000ma1fl,,Risky,2025-06-01,A,,5000,,12",  # VAT written differently
            ',C002,Ref Customer,2025-06-02,,650,"1,200.50",USD,',
            ",TWIN,Twin,2025-06-02,A,,,,",  # two customers have this reference
            "CN000,C404,Ghost,2025-06-02,A,,,,",
            "CN91310000MA1FL,C002,Mixed,2025-06-02,A,,,,",  # VAT and reference disagree
            ",C002,Bad date,June 2,A,,,,",
            ",C002,Bad currency,2025-06-02,A,,,QQQ,",  # no such currency code
            ",C002,Empty,,,,,,",
        )
        wizard = self._wizard(file)
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        rows = {line.row: line for line in wizard.line_ids}
        self.assertEqual(len(rows), 8)
        self.assertEqual(
            (rows[2].status, rows[2].partner_id, rows[2].matched_by),
            ("matched", self.customer, "vat"),
        )
        self.assertEqual(
            (rows[3].status, rows[3].partner_id, rows[3].matched_by),
            ("matched", self.by_ref, "ref"),
        )
        self.assertEqual(rows[3].recommended_limit, 1200.5)
        self.assertIn("several customers", rows[4].reason)
        self.assertIn("no customer", rows[5].reason)
        self.assertIn("different customers", rows[6].reason)
        self.assertEqual(rows[7].status, "error")
        self.assertIn("column date", rows[7].reason)
        self.assertIn("unknown currency QQQ", rows[8].reason)
        self.assertIn("a date is required", rows[9].reason)
        self.assertIn("give a rating or a score", rows[9].reason)
        self.assertEqual((wizard.matched_count, wizard.unmatched_count), (2, 6))
        self.assertFalse(self.Report.search([]))  # nothing before the import
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        reports = self.Report.search([])
        self.assertEqual(reports, wizard.report_ids)
        risky = reports.filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(
            (
                risky.date,
                risky.rating,
                risky.points,
                risky.recommended_limit,
                risky.payment_delay_index,
            ),
            (date(2025, 6, 1), "A", 80.0, 5000.0, 12.0),
        )
        self.assertEqual(risky.valid_until, date(2025, 12, 1))
        self.assertEqual(risky.note, "Imported from agency.csv.")
        ref = reports.filtered(lambda r: r.partner_id == self.by_ref)
        self.assertEqual((ref.score, ref.points), (650.0, 70.0))
        # Importing the file again creates nothing twice.
        again = self._wizard(file)
        again.action_preview()
        self.assertEqual(again.matched_count, 0)
        self.assertIn(
            "already imported", again.line_ids.filtered(lambda line: line.row == 2).reason
        )
        with self.assertRaisesRegex(UserError, "No row of the file matches"):
            again.action_import()

    def test_import_xlsx_with_valid_until(self):
        wizard = self._wizard(
            xlsx_file(
                ("VAT", "Date", "Rating", "Valid Until"),
                ("CN91310000MA1FL", date(2025, 6, 1), "B", date(2025, 8, 31)),
            ),
            filename="agency.xlsx",
        )
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(wizard.report_ids.valid_until, date(2025, 8, 31))

    def test_import_header_errors(self):
        cases = [
            (("vat,rating", "CN1,A"), "missing columns date"),
            (("date,rating", "2025-06-01,A"), "missing columns vat / ref"),
            (("vat,date", "CN1,2025-06-01"), "missing columns rating / score"),
        ]
        for lines, fragment in cases:
            with self.subTest(lines=lines), self.assertRaises(UserError) as caught:
                self._wizard(csv_file(*lines)).action_preview()
            self.assertIn("Row 1", str(caught.exception))
            self.assertIn(fragment, str(caught.exception))

    def test_access_by_role(self):
        report = self._report(rating="A")
        statement = self._statement(date(2024, 12, 31), revenue=1.0)
        for user in (self.user_sales, self.user_billing):
            for record in (report, statement):
                with self.subTest(user=user.login, model=record._name):
                    with self.assertRaises(AccessError):
                        record.with_user(user).read(["partner_id"])
                    with self.assertRaises(AccessError):
                        record.with_user(user).write({"note": "Mine"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._wizard(csv_file("vat,date,rating", "CN1,2025-06-01,A")).with_user(
                    user
                ).action_preview()
        # Officers read agencies; only managers configure them.
        agency = self.agency.with_user(self.user_officer)
        self.assertEqual(agency.name, "Test Agency")
        for action in (
            lambda: agency.write({"validity_months": 1}),
            lambda: agency.scale_ids[0].write({"points": 0}),
            lambda: agency.create({"name": "Officer Agency"}),
        ):
            with self.assertRaises(AccessError):
                action()
        for model in (
            "customer.risk.credit.report",
            "customer.risk.financial.statement",
            "customer.risk.agency",
        ):
            with self.subTest(model=model):
                self.env[model].with_user(self.user_officer).get_views(
                    [(False, "list"), (False, "form")]
                )
        self.env["res.partner"].with_user(self.user_sales).get_views([(False, "form")])

    def test_multi_company(self):
        other = self.env["res.company"].sudo().create({"name": "Other Report Company"})
        self.Report.sudo().create(
            {
                "partner_id": self.customer.id,
                "company_id": other.id,
                "agency_id": self.agency.id,
                "date": date(2025, 6, 1),
                "rating": "AAA",
            }
        )
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner._risk_external_rating(self.company, AT), {self.customer.id: None})
        self.assertEqual(partner._risk_external_rating(other, AT), {self.customer.id: 100.0})
        self.assertFalse(self.Report.search([]))
