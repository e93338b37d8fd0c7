from odoo import fields, models
from odoo.exceptions import UserError

from .customer_risk_file_import import RowError

# Columns of the file and the entry field each fills.
COLUMNS = {
    "name": "name",
    "aliases": "aliases",
    "country": "country_id",
    "identifiers": "identifiers",
    "date": "list_date",
    "note": "note",
}


class CustomerRiskWatchlistImport(models.TransientModel):
    """Import a watchlist's entries from a CSV or XLSX file: every row is checked first and
    a file with one bad row imports nothing; then the customers are screened against it."""

    _name = "customer.risk.watchlist.import"
    _inherit = ["customer.risk.file.import"]
    _description = "Import a Watchlist"

    watchlist_id = fields.Many2one(
        "customer.risk.watchlist",
        help="The list to import into; leave empty to create a new list.",
    )
    name = fields.Char(string="New List Name")
    source = fields.Char()
    date = fields.Date(string="List Date", default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to screen the customers of every company."
    )
    mode = fields.Selection(
        [("replace", "Replace the entries"), ("append", "Add to the entries")],
        default="replace",
        required=True,
        help="Replacing archives the list's current entries: the hits already recorded "
        "keep them.",
    )

    def action_import(self):
        self.ensure_one()
        self.env["customer.risk.watchlist"]._check_officer()
        if not self.watchlist_id and not self.name:
            raise UserError(self.env._("Choose a watchlist or name the new one."))
        rows = self._read_rows(tuple(COLUMNS), required=("name",))
        entries = self._entry_values(rows)
        watchlist = self.watchlist_id or self.env["customer.risk.watchlist"].create(
            {
                "name": self.name,
                "source": self.source,
                "date": self.date,
                "company_id": self.company_id.id,
            }
        )
        if self.watchlist_id and self.mode == "replace":
            watchlist.entry_ids.write({"active": False})
        if self.watchlist_id and self.date:
            watchlist.date = self.date
        self.env["customer.risk.watchlist.entry"].create(
            [
                {"watchlist_id": watchlist.id, "list_date": watchlist.date, **vals}
                for vals in entries
            ]
        )
        watchlist._risk_post(
            body=self.env._(
                "%(count)s entries imported from %(file)s; the customers are being screened "
                "against the list.",
                count=len(entries),
                file=self.filename or self.env._("a file"),
            )
        )
        watchlist._start_rescreen()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.risk.watchlist",
            "res_id": watchlist.id,
            "view_mode": "form",
            "target": "current",
        }

    def _entry_values(self, rows):
        """Entry values of every row, or a UserError naming each bad row and column."""
        find_country = self._country_finder()
        parsers = dict.fromkeys(COLUMNS, self._to_text)
        parsers.update(country=lambda value: find_country(value).id, date=self._to_date)
        errors, values = [], []
        for number, row in rows:
            vals = {}
            for column, value in row.items():
                try:
                    parsed = parsers[column](value)
                except RowError as error:
                    errors.append((number, column, str(error)))
                    continue
                if parsed:
                    vals[COLUMNS[column]] = parsed
            if not vals.get("name"):
                errors.append((number, "name", self.env._("a name is required")))
            values.append(vals)
        self._raise_row_errors(errors)
        return values
