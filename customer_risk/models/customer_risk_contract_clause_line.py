from odoo import api, fields, models
from odoo.exceptions import UserError


class CustomerRiskContractClauseLine(models.Model):
    """A clause of one contract: drawn from the library, its text copied in the customer's
    language and adapted while the contract is a draft."""

    _name = "customer.risk.contract.clause.line"
    _description = "Contract Clause Line"
    _inherit = ["customer.risk.kept.mixin"]
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "customer.risk.contract", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    clause_id = fields.Many2one(
        "customer.risk.clause", required=True, ondelete="restrict", check_company=True
    )
    category = fields.Selection(related="clause_id.category")
    text = fields.Text(
        compute="_compute_text", store=True, readonly=False, precompute=True, required=True
    )

    _sql_constraints = [
        (
            "clause_uniq",
            "unique(contract_id, clause_id)",
            "A clause appears only once in a contract.",
        ),
    ]

    @api.depends("clause_id")
    def _compute_text(self):
        for line in self:
            lang = line.contract_id.partner_id.lang or self.env.lang
            line.text = line.clause_id.with_context(lang=lang).text

    def _check_draft_contract(self):
        if not self.env.su and any(line.contract_id.state != "draft" for line in self):
            raise UserError(self.env._("The clauses of an active or ended contract cannot change."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_draft_contract()
        return lines

    def write(self, vals):
        self._check_draft_contract()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft_contract(self):
        self._check_draft_contract()
