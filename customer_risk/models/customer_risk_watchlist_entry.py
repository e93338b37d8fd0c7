from odoo import api, fields, models
from odoo.tools import SQL

from .. import tools

KEY_SEPARATOR = "|"


class CustomerRiskWatchlistEntry(models.Model):
    """A listed party: its names and identifiers, and their matching keys (stored and
    indexed, so screening compares keys instead of names)."""

    _name = "customer.risk.watchlist.entry"
    _description = "Watchlist Entry"
    _inherit = ["customer.risk.officer.mixin"]
    _risk_officer_writes = True
    _order = "watchlist_id, name, id"

    watchlist_id = fields.Many2one(
        "customer.risk.watchlist", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="watchlist_id.company_id", store=True)
    active = fields.Boolean(default=True)
    name = fields.Char(required=True)
    aliases = fields.Text(help="Other names of the party, separated by ; or one per line.")
    country_id = fields.Many2one("res.country")
    identifiers = fields.Text(
        help="Registration numbers, tax IDs and other identifiers, separated by ; or one per "
        "line."
    )
    list_date = fields.Date(help="When the party was listed.")
    note = fields.Text()
    name_key = fields.Char(
        string="Matching Name",
        compute="_compute_keys",
        store=True,
        index=True,
        help="The name as screening compares it: case, accents, punctuation, spacing, "
        "full-width characters and legal form ignored.",
    )
    alias_keys = fields.Char(compute="_compute_keys", store=True)
    identifier_keys = fields.Char(compute="_compute_keys", store=True)

    def init(self):
        for column in ("alias_keys", "identifier_keys"):
            self.env.cr.execute(
                SQL(
                    """CREATE INDEX IF NOT EXISTS %s ON customer_risk_watchlist_entry
                       USING gin (string_to_array(%s, '|'))""",
                    SQL.identifier(f"customer_risk_watchlist_entry_{column}_gin"),
                    SQL.identifier(column),
                )
            )

    @api.depends("name", "aliases", "identifiers")
    def _compute_keys(self):
        for entry in self:
            entry.name_key = tools.name_key(entry.name)
            entry.alias_keys = KEY_SEPARATOR.join(
                tools.name_keys(tools.split_values(entry.aliases))
            )
            entry.identifier_keys = KEY_SEPARATOR.join(
                tools.identifier_keys(tools.split_values(entry.identifiers))
            )

    def _match_keys(self):
        """(name keys, identifier keys) of the entry: its name and aliases, its ids."""
        self.ensure_one()
        names = [self.name_key, *(self.alias_keys or "").split(KEY_SEPARATOR)]
        return (
            [key for key in names if key],
            [key for key in (self.identifier_keys or "").split(KEY_SEPARATOR) if key],
        )
