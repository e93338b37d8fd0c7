import datetime
import io
import os

import openpyxl

from odoo.tests import BaseCase

from odoo.addons.customer_risk.tools.xlsx import (
    Column,
    XlsxReport,
    currency_number_format,
    sheet_title,
)


class FakeCurrency:
    def __init__(self, symbol, position, decimal_places):
        self.symbol = symbol
        self.position = position
        self.decimal_places = decimal_places


class TestXlsxWriter(BaseCase):
    """The workbook helper every report of the suite uses, without a database."""

    def test_currency_formats(self):
        for currency, expected in (
            (FakeCurrency("$", "before", 2), '"$"#,##0.00'),
            (FakeCurrency("€", "after", 2), '#,##0.00" €"'),
            (FakeCurrency("¥", "before", 0), '"¥"#,##0'),
            (FakeCurrency('"', "after", 3), "#,##0.000"),
        ):
            with self.subTest(symbol=currency.symbol):
                self.assertEqual(currency_number_format(currency), expected)

    def test_sheet_titles(self):
        for name, expected in (
            ("Summary", "Summary"),
            ("a/b:c*d?[e]", "a b c d  e"),
            ("x" * 40, "x" * 31),
            ("///", "Sheet"),
        ):
            with self.subTest(name=name):
                self.assertEqual(sheet_title(name), expected)

    def test_values_keep_their_type(self):
        book = XlsxReport(FakeCurrency("$", "before", 2))
        values = ["=1+1", "+1", "-1", "@A1", '=HYPERLINK("http://x")', "账龄分析", None]
        book.add_sheet(
            "账龄",
            [
                Column("名称"),
                Column("Amount", "amount", total=True),
                Column("Days", "integer"),
                Column("Date", "date"),
                Column("Share", "percent", total=True),
            ],
            [[value, 10.5, 3, datetime.date(2025, 1, 2), 50.0] for value in values],
            title=["Title", "Subtitle"],
            totals_label="合计",
        )
        book.add_sheet("账龄", [Column("x")], [])
        sheets = openpyxl.load_workbook(io.BytesIO(book.to_bytes())).worksheets
        self.assertEqual([s.title for s in sheets], ["账龄", "账龄 1"])
        sheet = sheets[0]
        self.assertEqual(sheet.freeze_panes, "A5")
        self.assertEqual([c.value for c in sheet[4]], ["名称", "Amount", "Days", "Date", "Share"])
        for row, value in enumerate(values, start=5):
            cell = sheet.cell(row, 1)
            with self.subTest(value=value):
                self.assertEqual(cell.data_type, "s" if value else "n")
                self.assertEqual(cell.value, value)
        self.assertEqual(sheet.cell(5, 4).value, datetime.datetime(2025, 1, 2))
        self.assertEqual(sheet.cell(5, 5).value, 0.5)
        totals = [c.value for c in sheet[5 + len(values)]]
        self.assertEqual(totals, ["合计", 10.5 * len(values), None, None, 0.5 * len(values)])
        self.assertFalse(
            [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        )

    def test_unknown_kind(self):
        with self.assertRaises(ValueError):
            Column("x", "money")

    def test_streamed_workbook_is_the_same(self):
        """In constant-memory mode, a sheet placed first may be written last: the cells,
        formats, frozen header, filter and totals are those of the workbook in memory, and
        the temporary files go when the workbook is closed or discarded."""
        columns = [
            Column("Name"),
            Column("Amount", "amount", total=True),
            Column("Date", "date"),
            Column("Share", "percent", total=True),
        ]
        rows = [
            [f"=name {i}", i * 1.5, datetime.date(2025, 1, 1 + i % 28), 2.0] for i in range(300)
        ]
        summary = [["All", sum(row[1] for row in rows), None, 100.0]]

        def read(content):
            book = openpyxl.load_workbook(io.BytesIO(content))
            return [
                (
                    sheet.title,
                    sheet.freeze_panes,
                    sheet.auto_filter.ref,
                    [
                        [(c.value, c.data_type, c.number_format, c.font.b) for c in row]
                        for row in sheet.iter_rows()
                    ],
                )
                for sheet in book.worksheets
            ]

        currency = FakeCurrency("$", "before", 2)
        in_memory = XlsxReport(currency)
        in_memory.add_sheet("Summary", columns, summary, title=["T", "S"], totals_label="Total")
        in_memory.add_sheet("Detail", columns, rows, title=["T", "S"], totals_label="Total")
        streamed = XlsxReport(currency, constant_memory=True)
        tmpdir = streamed._tmpdir.name
        first = streamed.open_sheet("Summary", columns, title=["T", "S"])
        detail = streamed.open_sheet("Detail", columns, title=["T", "S"])
        for row in rows:
            detail.append(row)
        detail.close(totals_label="Total")
        for row in summary:
            first.append(row)
        first.close(totals_label="Total")
        self.assertTrue(os.path.isdir(tmpdir))
        self.assertEqual(read(streamed.to_bytes()), read(in_memory.to_bytes()))
        self.assertFalse(os.path.exists(tmpdir))
        # An abandoned workbook leaves no file behind either.
        abandoned = XlsxReport(currency, constant_memory=True)
        tmpdir = abandoned._tmpdir.name
        abandoned.open_sheet("Detail", columns).append(rows[0])
        abandoned.discard()
        self.assertFalse(os.path.exists(tmpdir))
