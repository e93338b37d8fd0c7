from odoo import fields, models


class CustomerRiskScreeningHit(models.Model):
    """A watchlist entry a screened customer matched, kept as it was found: the entry may
    later be archived by a new import of its list."""

    _name = "customer.risk.screening.hit"
    _description = "Screening Watchlist Hit"
    _order = "screening_id, id"

    screening_id = fields.Many2one(
        "customer.risk.screening", required=True, index=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one(related="screening_id.partner_id", string="Customer")
    company_id = fields.Many2one(related="screening_id.company_id", store=True)
    entry_id = fields.Many2one(
        "customer.risk.watchlist.entry",
        string="Watchlist Entry",
        ondelete="set null",
        readonly=True,
        context={"active_test": False},
    )
    watchlist_id = fields.Many2one(
        "customer.risk.watchlist", index=True, ondelete="set null", readonly=True
    )
    entry_name = fields.Char(string="Listed Name", readonly=True)
    match_type = fields.Selection(
        [("name", "Name"), ("identifier", "Identifier")],
        string="Matched On",
        readonly=True,
    )
    matched_key = fields.Char(
        string="Matched Value",
        readonly=True,
        help="The normalized name or identifier the customer and the entry share.",
    )
