import base64
import io
from datetime import date, datetime
from unittest.mock import patch

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import CustomerRiskCommon
from .test_tools_screening import full_width


def csv_file(*lines, encoding="utf-8"):
    return base64.b64encode("\n".join(lines).encode(encoding))


def xlsx_file(*rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return base64.b64encode(buffer.getvalue())


@freeze_time("2025-03-15 12:00:00")
@tagged("post_install", "-at_install")
class TestWatchlistImport(CustomerRiskCommon):
    """Importing watchlists: a bad file imports nothing and says where it is wrong, a good
    one flags the customers it names, however their names are written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.lotus = Partner.create(
            {"name": "上海莲花贸易有限公司", "is_company": True, "customer_rank": 1}
        )
        cls.societe = Partner.create(
            {"name": "Société Générale d'Import S.A.", "is_company": True, "customer_rank": 1}
        )
        cls.clean = Partner.create(
            {"name": "Clean Trading Ltd", "is_company": True, "customer_rank": 1}
        )
        cls.Watchlist = cls.env(user=cls.user_officer)["customer.risk.watchlist"]
        cls.Screening = cls.env(user=cls.user_officer)["customer.risk.screening"]

    def _import(self, file, filename="list.csv", user=None, **vals):
        wizard = (
            self.env["customer.risk.watchlist.import"]
            .with_user(user or self.user_officer)
            .create({"file": file, "filename": filename, **({"name": "Sanctions"} | vals)})
        )
        action = wizard.action_import()
        return self.Watchlist.browse(action["res_id"])

    def _flagged(self):
        """Customers with a screening in review because of a watchlist hit."""
        return self.Screening.search(
            [("state", "=", "in_review"), ("watchlist_hit", "=", True)]
        ).partner_id

    def test_customers_written_differently_are_flagged(self):
        watchlist = self._import(
            csv_file(
                "name,aliases,country,identifiers,date",
                f"{full_width('RISKY CUSTOMER LIMITED')},,CN,,2025-01-31",
                f"Shanghai Lotus Trading,{full_width('上海莲花贸易(集团)有限公司')},China,,",
                "SOCIETE GENERALE D'IMPORT,,FR,,",
                "Unrelated Party GmbH,,DE,DE 999 999,",
            )
        )
        self.assertEqual(watchlist.entry_count, 4)
        entry = watchlist.entry_ids.filtered(lambda e: e.country_id.code == "FR")
        self.assertEqual(entry.name_key, "societegeneraledimport")
        self.assertEqual(
            watchlist.entry_ids.filtered(lambda e: e.list_date == date(2025, 1, 31)).name_key,
            "riskycustomer",
        )
        self.assertFalse(watchlist.rescreen_pending)
        self.assertEqual(self._flagged(), self.customer | self.lotus | self.societe)
        for partner in self.customer | self.lotus | self.societe:
            with self.subTest(partner=partner.name):
                self.assertEqual(
                    partner.sudo().with_company(self.company).risk_screening_state, "in_progress"
                )
        lotus_hit = self.Screening.search([("partner_id", "=", self.lotus.id)]).hit_ids
        self.assertEqual((lotus_hit.match_type, lotus_hit.matched_key), ("name", "上海莲花贸易"))
        self.assertFalse(self.Screening.search([("partner_id", "=", self.clean.id)]))

    def test_xlsx_and_gb18030_files(self):
        watchlist = self._import(
            xlsx_file(
                ("Name", "Identifiers", "Date"),
                ("Clean-Trading LIMITED", 12345678, datetime(2025, 2, 1)),
                (None, None, None),
            ),
            filename="list.xlsx",
        )
        self.assertEqual(watchlist.entry_ids.identifiers, "12345678")
        self.assertEqual(watchlist.entry_ids.list_date, date(2025, 2, 1))
        self.assertEqual(self._flagged(), self.clean)
        other = self._import(
            csv_file("name;country", "上海莲花贸易股份有限公司;China", encoding="gb18030"),
            name="Chinese list",
        )
        self.assertEqual(other.entry_ids.country_id.code, "CN")
        self.assertEqual(self._flagged(), self.clean | self.lotus)

    def test_bad_header_imports_nothing(self):
        cases = [
            (("nom,country", "Acme,FR"), ["Row 1", "unknown columns nom", "missing columns name"]),
            (("name,identifer", "Acme,1"), ["Row 1", "unknown columns identifer"]),
            (("name,name", "Acme,Acme"), ["Row 1", "columns given twice: name"]),
            (("name",), ["no rows"]),
        ]
        for lines, fragments in cases:
            with self.subTest(lines=lines):
                with self.assertRaises(UserError) as caught:
                    self._import(csv_file(*lines))
                for fragment in fragments:
                    self.assertIn(fragment, str(caught.exception))
        self.assertFalse(self.Watchlist.search([]))

    def test_bad_rows_import_nothing_and_are_named(self):
        with self.assertRaises(UserError) as caught:
            self._import(
                csv_file(
                    "name,country,date",
                    f"{full_width('RISKY CUSTOMER LIMITED')},CN,2025-01-31",
                    "Atlantis Trading,Atlantis,",
                    ",FR,",
                    "Bad Date Ltd,FR,31/01/2025",
                )
            )
        message = str(caught.exception)
        self.assertIn("Nothing was imported", message)
        self.assertIn("Row 3, column country: unknown country Atlantis", message)
        self.assertIn("Row 4, column name: a name is required", message)
        self.assertIn("Row 5, column date: 31/01/2025 is not a date", message)
        self.assertNotIn("Row 2", message)
        self.assertFalse(self.Watchlist.with_context(active_test=False).search([]))
        self.assertFalse(self.env["customer.risk.watchlist.entry"].search([]))
        self.assertFalse(self._flagged())

    def test_unreadable_files(self):
        for file, filename in (
            (base64.b64encode(b"PK\x03\x04 not a workbook"), "list.xlsx"),
            (base64.b64encode(b"\xff\xfe\x00\xd8 binary \x81\x30"), "list.csv"),
        ):
            with self.subTest(filename=filename), self.assertRaises(UserError):
                self._import(file, filename=filename)

    def test_reimport_replaces_entries_and_flags_nobody_twice(self):
        lines = ("name", full_width("RISKY CUSTOMER LIMITED"))
        watchlist = self._import(csv_file(*lines))
        first = self.Screening.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(first.hit_ids), 1)
        # The officer finds the entry is the customer's namesake and approves it.
        for check in first.check_ids:
            check.write({"result": "pass", "note": "Namesake: other registration"})
        first.action_approve()
        self.assertEqual(
            self.customer.sudo().with_company(self.company).risk_screening_state, "approved"
        )
        old_entry = watchlist.entry_ids
        again = self._import(
            csv_file(*lines, "Clean Trading"), watchlist_id=watchlist.id, name=False
        )
        self.assertEqual(again, watchlist)
        self.assertFalse(old_entry.active)
        self.assertEqual(first.hit_ids.entry_id, old_entry)  # the hit keeps its entry
        self.assertEqual(watchlist.entry_count, 2)
        # The customer's hit was already reviewed: no new round for it.
        self.assertEqual(self.Screening.search_count([("partner_id", "=", self.customer.id)]), 1)
        self.assertEqual(self._flagged(), self.clean)
        # Appending keeps the entries.
        self._import(csv_file("name", "Another Party"), watchlist_id=watchlist.id, mode="append")
        self.assertEqual(watchlist.entry_count, 3)

    def test_rescreen_job_works_in_chunks_and_resumes(self):
        Partner = self.env["res.partner"]
        many = Partner.create(
            [
                {"name": f"Chunk Customer {index} Ltd", "is_company": True, "customer_rank": 1}
                for index in range(5)
            ]
        )
        entries = [{"name": f"CHUNK CUSTOMER {index}"} for index in range(5)]
        watchlist = self.Watchlist.create(
            {"name": "Chunks", "entry_ids": [(0, 0, vals) for vals in entries]}
        ).sudo()
        watchlist.write({"rescreen_pending": True, "rescreen_cursor": 0})
        Watchlist = self.env["customer.risk.watchlist"].sudo()
        with (
            patch.object(self.env.cr, "commit") as commit,
            patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress,
        ):
            Watchlist._cron_rescreen(chunk_size=2)
        self.assertGreaterEqual(commit.call_count, 3)
        self.assertTrue(progress.called)
        self.assertFalse(watchlist.rescreen_pending)
        self.assertEqual(watchlist.rescreen_cursor, 0)
        self.assertEqual(self._flagged(), many)
        # A job interrupted after its first chunk resumes from its cursor, and running
        # again over customers already flagged records nothing twice.
        watchlist.write({"rescreen_pending": True, "rescreen_cursor": many[1].id})
        with patch.object(self.env.cr, "commit"):
            Watchlist._cron_rescreen(chunk_size=2)
            Watchlist._cron_rescreen(chunk_size=2)
        screenings = self.Screening.search([("partner_id", "in", many.ids)])
        self.assertEqual(len(screenings), 5)
        self.assertEqual(len(screenings.hit_ids), 5)

    def test_large_customer_base_is_screened_in_the_background(self):
        watchlist = self.Watchlist.create(
            {"name": "Big", "entry_ids": [(0, 0, {"name": "CLEAN TRADING"})]}
        )
        cron = self.env.ref("customer_risk.ir_cron_risk_watchlist_rescreen")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        watchlist._start_rescreen(limit=1)
        self.assertTrue(watchlist.rescreen_pending)
        self.assertGreater(watchlist.rescreen_cursor, 0)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers)
        with patch.object(self.env.cr, "commit"):
            self.env["customer.risk.watchlist"].sudo()._cron_rescreen()
        self.assertFalse(watchlist.rescreen_pending)
        self.assertEqual(self._flagged(), self.clean)

    def test_only_credit_officers_import(self):
        for user in (self.user_sales, self.user_billing):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._import(csv_file("name", "Acme"), user=user)
