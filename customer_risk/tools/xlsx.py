"""Excel workbooks of the suite's reports, written with ``xlsxwriter`` (no Odoo import).

Every report builds its workbook the same way:

    book = XlsxReport(currency)
    book.add_sheet(
        env._("Summary"),
        [Column(env._("Customer")), Column(env._("Total"), "amount", total=True)],
        rows,
        title=[env._("Aging as of %(date)s", date=...)],
        totals_label=env._("Total"),
    )
    return download_action(wizard, "aging.xlsx", book.to_bytes())

Amounts are numbers with the currency's format, headers bold on a frozen row, and every
text cell is written as a string: a value such as ``=HYPERLINK(...)`` or ``+1`` stays text
and never becomes a formula.

A large report streams its rows instead: ``XlsxReport(currency, constant_memory=True)``
keeps no cell in memory (xlsxwriter writes each finished row to a temporary file of its
own directory, removed when the workbook is closed or discarded). Each sheet is then
written top to bottom with ``open_sheet``, ``append`` and ``close``; sheets may be filled
in any order, so a summary sheet placed first can be written after the detail it sums:

    summary = book.open_sheet(env._("Summary"), summary_columns, title=title)
    detail = book.open_sheet(env._("Detail"), detail_columns, title=title)
    for rows in chunks:
        for values in rows:
            detail.append(values)
    detail.close(totals_label=env._("Total"))
    ... summary.append(...), summary.close(...)
"""

import base64
import datetime
import io
import re
import tempfile
from dataclasses import dataclass

import xlsxwriter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("text", "amount", "integer", "number", "date", "percent")
DEFAULT_WIDTHS = {"text": 30, "amount": 16, "integer": 10, "number": 12, "date": 12, "percent": 10}


@dataclass(frozen=True)
class Column:
    """A column: translated header, kind of its values, width in characters, and whether
    the totals row sums it."""

    header: str
    kind: str = "text"
    width: int | None = None
    total: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def currency_number_format(currency):
    """Excel number format of ``currency``: its decimals and its symbol on its side."""
    decimals = currency.decimal_places or 0
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    symbol = (currency.symbol or "").replace('"', "")
    if not symbol:
        return number
    if currency.position == "before":
        return f'"{symbol}"{number}'
    return f'{number}" {symbol}"'


def sheet_title(name):
    """A valid, unique-enough worksheet name: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"


class XlsxReport:
    """One workbook; ``add_sheet`` per view (or ``open_sheet`` to stream rows), then
    ``attach`` or ``to_bytes``.

    ``constant_memory``: finished rows go to temporary files instead of memory (for
    reports of many rows); each sheet must then be written top to bottom."""

    def __init__(self, currency, constant_memory=False):
        self._buffer = io.BytesIO()
        self._tmpdir = (
            tempfile.TemporaryDirectory(prefix="customer-risk-xlsx-") if constant_memory else None
        )
        memory = (
            {"constant_memory": True, "tmpdir": self._tmpdir.name}
            if constant_memory
            else {"in_memory": True}
        )
        # The options only guard ``write()``; this module writes each type explicitly.
        self.book = xlsxwriter.Workbook(
            self._buffer,
            {
                **memory,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        num_formats = {
            "amount": currency_number_format(currency),
            "integer": "0",
            "date": "yyyy-mm-dd",
            "percent": "0.00%",
        }
        self.formats = {
            "title": self.book.add_format({"bold": True, "font_size": 13}),
            "subtitle": self.book.add_format({"italic": True}),
            "header": self.book.add_format(
                {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
            ),
            "label": self.book.add_format({"bold": True}),
        }
        for kind in KINDS:
            num_format = {"num_format": num_formats[kind]} if kind in num_formats else {}
            self.formats[kind] = self.book.add_format(num_format)
            self.formats[f"total_{kind}"] = self.book.add_format(
                {"bold": True, "top": 1, **num_format}
            )
        self._titles = set()

    def add_sheet(self, name, columns, rows, title=(), totals_label=None, footer=()):
        """A worksheet: ``title`` lines, the header row (frozen, with a filter), one row per
        item of ``rows`` (sequences in column order), a totals row when ``totals_label`` is
        given, then the ``footer`` lines after an empty row. Returns the worksheet."""
        writer = self.open_sheet(name, columns, title=title)
        for values in rows:
            writer.append(values)
        return writer.close(totals_label=totals_label, footer=footer)

    def open_sheet(self, name, columns, title=()):
        """The worksheet of :meth:`add_sheet` written a row at a time: ``append`` each row,
        then ``close`` with the totals label and footer. Returns its :class:`SheetWriter`."""
        sheet = self.book.add_worksheet(self._unique_title(name))
        return SheetWriter(self, sheet, columns, title)

    def add_facts(self, name, facts, widths=(28, 60)):
        """A worksheet of (label, value) rows, such as the heading facts of a report: labels
        bold, each value written by its Python type (text stays text). Returns it."""
        sheet = self.book.add_worksheet(self._unique_title(name))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for row, (label, value) in enumerate(facts):
            sheet.write_string(row, 0, label, self.formats["label"])
            self._write(sheet, row, 1, kind_of(value), value)
        return sheet

    def _unique_title(self, name):
        title = sheet_title(name)
        while title.lower() in self._titles:
            title = sheet_title(title[:28] + f" {len(self._titles)}")
        self._titles.add(title.lower())
        return title

    def _write_totals(self, sheet, row, columns, sums, label):
        sheet.write_string(row, 0, label, self.formats["total_text"])
        for col, column in enumerate(columns[1:], start=1):
            if column.total:
                self._write(sheet, row, col, column.kind, sums[col], prefix="total_")
            else:
                sheet.write_blank(row, col, None, self.formats["total_text"])

    def _write(self, sheet, row, col, kind, value, prefix=""):
        cell_format = self.formats[prefix + kind]
        if value is None or value is False:
            sheet.write_blank(row, col, None, cell_format)
        elif kind == "text":
            sheet.write_string(row, col, str(value), cell_format)
        elif kind == "date":
            if not isinstance(value, datetime.datetime):
                value = datetime.datetime.combine(value, datetime.time())
            sheet.write_datetime(row, col, value, cell_format)
        elif kind == "number":
            sheet.write_number(row, col, value, cell_format)
        elif kind == "percent":
            sheet.write_number(row, col, value / 100.0, cell_format)
        else:
            sheet.write_number(row, col, value, cell_format)

    def to_bytes(self):
        try:
            self.book.close()
        finally:
            self.discard()
        return self._buffer.getvalue()

    def discard(self):
        """Remove the temporary files of a streamed workbook (also after an error)."""
        if self._tmpdir is None:
            return
        for sheet in self.book.worksheets():
            # xlsxwriter's file of the sheet's rows: closed once the workbook is written.
            handle = getattr(sheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()
        self._tmpdir.cleanup()
        self._tmpdir = None


class SheetWriter:
    """Rows of one worksheet, written top to bottom (see :meth:`XlsxReport.open_sheet`)."""

    def __init__(self, report, sheet, columns, title=()):
        self.report = report
        self.sheet = sheet
        self.columns = columns
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width or DEFAULT_WIDTHS[column.kind])
        for index, line in enumerate(title):
            sheet.write_string(index, 0, line, report.formats["subtitle" if index else "title"])
        self.header_row = len(title) + 1 if title else 0
        for col, column in enumerate(columns):
            sheet.write_string(self.header_row, col, column.header, report.formats["header"])
        self.sums = [0.0] * len(columns)
        self.row = self.header_row

    def append(self, values):
        """One row: ``values`` in column order."""
        self.row += 1
        for col, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            self.report._write(self.sheet, self.row, col, column.kind, value)
            if column.total and value:
                self.sums[col] += value

    def close(self, totals_label=None, footer=()):
        """Freeze the header, filter the rows, add the totals row when ``totals_label`` is
        given and the ``footer`` lines after an empty row. Returns the worksheet."""
        sheet, row = self.sheet, self.row
        sheet.freeze_panes(self.header_row + 1, 0)
        sheet.autofilter(self.header_row, 0, row, len(self.columns) - 1)
        if totals_label is not None:
            row += 1
            self.report._write_totals(sheet, row, self.columns, self.sums, totals_label)
        for index, line in enumerate(footer, start=row + 2):
            sheet.write_string(index, 0, line, self.report.formats["text"])
        return sheet


def kind_of(value):
    """The column kind that writes ``value`` as what it is."""
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return "text"


def download_action(record, filename, content):
    """Store the workbook ``content`` as an attachment of ``record`` (a report wizard or
    document the user may read) and return the action that downloads it."""
    attachment = record.env["ir.attachment"].create(
        {
            "name": filename,
            "datas": base64.b64encode(content),
            "mimetype": XLSX_MIMETYPE,
            "res_model": record._name,
            "res_id": record.id,
        }
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }
