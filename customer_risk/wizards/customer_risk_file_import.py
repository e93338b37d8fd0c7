import base64
import binascii
import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl

from odoo import fields, models
from odoo.exceptions import UserError

from .. import tools

# Dates a file may carry as text.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# How many row errors a message lists before it only counts the others.
MAX_ERRORS = 20


class RowError(ValueError):
    """A cell's value is wrong: the message says why, the wizard adds row and column."""


class CustomerRiskFileImport(models.AbstractModel):
    """Reading a CSV or XLSX file of a credit-control import: its header is checked, each
    row becomes a dict of its cells, and errors name their row and column."""

    _name = "customer.risk.file.import"
    _description = "Credit Control File Import"

    # Kept in the wizard's row: an attachment would have Odoo guess the type of a file
    # that may be broken.
    file = fields.Binary(attachment=False, help="A CSV (UTF-8 or GB18030) or XLSX file.")
    filename = fields.Char()

    def _read_rows(self, columns, required=(), one_of=()):
        """The file's rows as ``(row number, {column: value})``, blank rows skipped; the
        row number is the file's (the header is row 1).

        ``columns`` are the known columns (a header is compared case-insensitively, spaces
        as underscores); ``required`` must all be present, and at least one column of each
        group in ``one_of``. A bad header or an unreadable file raises a UserError.
        """
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the file to import."))
        try:
            content = base64.b64decode(self.file)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file cannot be read.")) from error
        name = (self.filename or "").lower()
        if name.endswith(".xlsx") or content[:2] == b"PK":
            table = self._xlsx_rows(content)
        else:
            table = self._csv_rows(content)
        header = next(table, None)
        if header is None:
            raise UserError(self.env._("The file is empty."))
        names = [_column_name(cell) for cell in header]
        self._check_header(names, columns, required, one_of)
        rows = []
        for number, cells in enumerate(table, start=2):
            values = {
                column: _clean(cells[index]) if index < len(cells) else None
                for index, column in enumerate(names)
                if column
            }
            if any(value not in (None, "") for value in values.values()):
                rows.append((number, values))
        if not rows:
            raise UserError(self.env._("The file has a header but no rows."))
        return rows

    def _check_header(self, names, columns, required, one_of):
        present = [name for name in names if name]
        problems = []
        unknown = [name for name in present if name not in columns]
        if unknown:
            problems.append(self.env._("unknown columns %(columns)s", columns=", ".join(unknown)))
        duplicates = sorted({name for name in present if present.count(name) > 1})
        if duplicates:
            problems.append(
                self.env._("columns given twice: %(columns)s", columns=", ".join(duplicates))
            )
        missing = [name for name in required if name not in present]
        missing += [
            " / ".join(group) for group in one_of if not any(name in present for name in group)
        ]
        if missing:
            problems.append(self.env._("missing columns %(columns)s", columns=", ".join(missing)))
        if problems:
            raise UserError(
                self.env._(
                    "Row 1 (header) of the file: %(problems)s. The columns are: %(columns)s.",
                    problems="; ".join(problems),
                    columns=", ".join(columns),
                )
            )

    def _xlsx_rows(self, content):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UserError(self.env._("The file is not a valid XLSX workbook.")) from error
        sheet = workbook.worksheets[0]
        return (list(row) for row in sheet.iter_rows(values_only=True))

    def _csv_rows(self, content):
        # Spreadsheets in China save CSV files in GB18030 rather than UTF-8.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError(self.env._("The CSV file is neither UTF-8 nor GB18030 text."))
        # The header tells the delimiter: European spreadsheets write ";".
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        return iter(csv.reader(io.StringIO(text), delimiter=delimiter))

    def _raise_row_errors(self, errors):
        """Raise one UserError listing ``(row, column, message)`` errors; nothing is
        imported."""
        if not errors:
            return
        lines = [
            self.env._(
                "Row %(row)s, column %(column)s: %(error)s", row=row, column=column, error=error
            )
            for row, column, error in errors[:MAX_ERRORS]
        ]
        if len(errors) > MAX_ERRORS:
            lines.append(self.env._("... and %(count)s more.", count=len(errors) - MAX_ERRORS))
        raise UserError(
            self.env._(
                "Nothing was imported: the file has errors.\n%(errors)s", errors="\n".join(lines)
            )
        )

    # ------------------------------------------------------------------ cell values

    def _to_text(self, value):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def _to_date(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self._to_text(value)
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise RowError(self.env._("%(value)s is not a date (write it YYYY-MM-DD)", value=text))

    def _to_float(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, int | float):
            return float(value)
        text = self._to_text(value).replace(" ", "")
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            return float(text)
        except ValueError as error:
            raise RowError(
                self.env._("%(value)s is not a number (use a decimal point)", value=text)
            ) from error

    def _country_finder(self):
        """A function from a country code or name (in English or the user's language) to
        a country, or a RowError."""
        Country = self.env["res.country"].with_context(active_test=False)
        by_key = {}
        for lang in {"en_US", self.env.lang or "en_US"}:
            for country in Country.with_context(lang=lang).search([("code", "!=", False)]):
                by_key.setdefault(tools.fold(country.name), country)
        for country in Country.search([("code", "!=", False)]):
            by_key[tools.fold(country.code)] = country

        def find(value):
            text = self._to_text(value)
            if not text:
                return self.env["res.country"]
            country = by_key.get(tools.fold(text))
            if not country:
                raise RowError(self.env._("unknown country %(value)s", value=text))
            return country

        return find


def _column_name(cell):
    text = tools.fold(str(cell)) if cell not in (None, "") else ""
    return "_".join(text.replace("-", " ").split())


def _clean(value):
    return value.strip() if isinstance(value, str) else value
