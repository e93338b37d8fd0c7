from odoo import api, fields, models
from odoo.exceptions import UserError

OPEN = ("pending", "overdue")
# What officers edit by hand on an open obligation; the state changes through the actions.
EDITABLE = frozenset(
    {"name", "obligation_type", "due_date", "amount", "document", "document_filename", "note"}
)


class CustomerRiskContractObligation(models.Model):
    """Something the customer must provide under a contract (a deposit, a guarantee, an
    insurance, a document) by a due date; overdue ones raise early-warning alerts."""

    _name = "customer.risk.contract.obligation"
    _description = "Contract Obligation"
    _inherit = ["customer.risk.kept.mixin"]
    _order = "due_date, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "customer.risk.contract", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        related="contract_id.partner_id", string="Customer", store=True, index=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    contract_state = fields.Selection(related="contract_id.state", string="Contract Status")
    name = fields.Char(string="Description", required=True)
    obligation_type = fields.Selection(
        [
            ("deposit", "Deposit"),
            ("guarantee", "Guarantee"),
            ("insurance", "Insurance"),
            ("document", "Document"),
        ],
        string="Type",
        required=True,
        default="document",
    )
    due_date = fields.Date(required=True)
    amount = fields.Monetary()
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("fulfilled", "Fulfilled"),
            ("overdue", "Overdue"),
            ("waived", "Waived"),
        ],
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    document = fields.Binary(attachment=True, copy=False)
    document_filename = fields.Char(copy=False)
    note = fields.Text()
    date_done = fields.Date(string="Fulfilled or Waived On", readonly=True, copy=False)
    done_by_id = fields.Many2one(
        "res.users", string="Fulfilled or Waived By", readonly=True, copy=False
    )

    _sql_constraints = [
        ("amount_check", "CHECK(COALESCE(amount, 0) >= 0)", "An amount cannot be negative."),
    ]

    @api.depends("name", "contract_id")
    def _compute_display_name(self):
        for obligation in self:
            obligation.display_name = self.env._(
                "%(contract)s: %(obligation)s",
                contract=obligation.contract_id.name or "",
                obligation=obligation.name or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["customer.risk.contract"]._check_officer()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.env["customer.risk.contract"]._check_officer()
            if set(vals) - EDITABLE or any(o.state not in OPEN for o in self):
                raise UserError(
                    self.env._(
                        "An obligation changes through its Fulfilled and Waive buttons; only "
                        "open obligations are edited."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft_contract(self):
        if any(o.contract_id.state != "draft" for o in self):
            raise UserError(
                self.env._("Obligations of an active or ended contract are waived, not deleted.")
            )

    def action_fulfil(self):
        self._risk_close("fulfilled")
        return True

    def action_waive(self):
        if not all(self.mapped("note")):
            raise UserError(self.env._("Give the reason of the waiver in the note first."))
        self._risk_close("waived")
        return True

    def _risk_close(self, state):
        self.env["customer.risk.contract"]._check_officer()
        if any(o.state not in OPEN for o in self):
            raise UserError(self.env._("Only pending or overdue obligations can be closed."))
        self.sudo().write(
            {
                "state": state,
                "date_done": fields.Date.context_today(self),
                "done_by_id": self.env.uid,
            }
        )
        user = self.env.user.name
        for obligation in self:
            body = (
                self.env._(
                    "Obligation %(name)s fulfilled by %(user)s.", name=obligation.name, user=user
                )
                if state == "fulfilled"
                else self.env._(
                    "Obligation %(name)s waived by %(user)s: %(reason)s",
                    name=obligation.name,
                    user=user,
                    reason=obligation.note,
                )
            )
            obligation.contract_id._risk_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _risk_oldest_due(self, partners, company):
        """{partner id: due date of its oldest open obligation} under the active contracts
        of commercial partners ``partners`` in ``company``."""
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "in", OPEN),
                ("contract_id.state", "=", "active"),
            ],
            ["partner_id"],
            ["due_date:min"],
        )
        return {partner.id: due for partner, due in groups}
