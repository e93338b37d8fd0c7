from odoo import fields, models


class CustomerRiskControlTemplateItem(models.Model):
    _name = "customer.risk.control.template.item"
    _description = "Control Checklist Template Item"
    _order = "sequence, id"

    template_id = fields.Many2one(
        "customer.risk.control.template", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="template_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    mandatory = fields.Boolean(
        default=True, help="The decision is refused until this item is done."
    )
    evidence_required = fields.Boolean(
        help="The item is done only with a document attached as evidence."
    )
    other_than_decider = fields.Boolean(
        string="Done by Someone Else",
        help="Segregation of duties: the item counts only when done by a person other than "
        "the one who takes the decision.",
    )
