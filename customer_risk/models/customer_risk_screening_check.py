from odoo import api, fields, models
from odoo.exceptions import UserError

CHECK_TYPES = [
    ("registration", "Registration verified"),
    ("tax_id", "Tax ID valid"),
    ("watchlist", "Watchlist match"),
    ("litigation", "Litigation"),
    ("bank_reference", "Bank reference"),
    ("trade_references", "Trade references"),
    ("documents", "Documents received"),
]
CHECK_RESULTS = [
    ("pending", "Pending"),
    ("pass", "Pass"),
    ("fail", "Fail"),
    ("na", "N/A"),
]


class CustomerRiskScreeningCheck(models.Model):
    """One check of a screening round: what was verified, its result and the evidence."""

    _name = "customer.risk.screening.check"
    _description = "Screening Check"
    _inherit = ["customer.risk.kept.mixin"]
    _order = "screening_id, sequence, id"

    screening_id = fields.Many2one(
        "customer.risk.screening", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="screening_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    check_type = fields.Selection(CHECK_TYPES, string="Check", required=True, readonly=True)
    result = fields.Selection(CHECK_RESULTS, required=True, default="pending")
    note = fields.Text()
    document = fields.Binary(string="Attachment", attachment=True)
    document_name = fields.Char(string="Attachment Name")
    checked_by_id = fields.Many2one("res.users", readonly=True)
    automatic = fields.Boolean(
        readonly=True, help="The result comes from the automatic checks, not from a person."
    )

    _sql_constraints = [
        (
            "check_type_uniq",
            "unique(screening_id, check_type)",
            "Each check appears once in a screening.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self.env["customer.risk.screening"]._check_officer()
        order = [check_type for check_type, _label in CHECK_TYPES]
        for vals in vals_list:
            if vals.get("check_type") in order:
                vals.setdefault("sequence", order.index(vals["check_type"]))
        checks = super().create(vals_list)
        checks.screening_id._check_open()
        return checks

    def write(self, vals):
        # Checks are the evidence of a decision: once decided they no longer change.
        self.env["customer.risk.screening"]._check_officer()
        self.screening_id._check_open()
        if "result" not in vals:
            return super().write(vals)
        # A result typed by a person is theirs: the automatic checks keep it.
        vals = {"automatic": False, **vals, "checked_by_id": self.env.uid}
        result = super().write(vals)
        # Clearing a watchlist hit lifts the suspension of the customer's decision.
        self.screening_id._sync_partner_states()
        return result

    def _is_manual(self):
        """The officer gave this check its result by hand."""
        self.ensure_one()
        return self.result != "pending" and not self.automatic

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(check.screening_id.state not in ("draft", "in_review") for check in self):
            raise UserError(self.env._("The checks of a decided screening cannot be deleted."))
