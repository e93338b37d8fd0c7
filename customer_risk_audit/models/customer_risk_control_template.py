from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

# The decisions a checklist can gate; the code that takes each decision calls
# ``customer.risk.control.check._risk_gate`` with its control point.
CONTROL_POINTS = [
    ("screening_approval", "Screening Approval"),
    ("release_approval", "Credit Release Approval"),
    ("limit_change_approval", "Limit Change Approval"),
    ("contract_activation", "Contract Activation"),
    ("followup_legal", "Follow-up Escalation to Legal"),
    ("write_off", "Write-off Proposal"),
]


class CustomerRiskControlTemplate(models.Model):
    """The checklist a decision at a control point needs: what must be done, with what
    evidence, and by whom, before the decider may decide."""

    _name = "customer.risk.control.template"
    _description = "Control Checklist Template"
    _order = "control_point, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    control_point = fields.Selection(CONTROL_POINTS, required=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to use the template in every company without its own template for "
        "this control point.",
    )
    active = fields.Boolean(
        default=True,
        help="Only an active template gates its control point: decisions taken while no "
        "template is active need no checklist.",
    )
    description = fields.Text(translate=True)
    item_ids = fields.One2many("customer.risk.control.template.item", "template_id", copy=True)

    @api.constrains("active", "control_point", "company_id")
    def _check_one_active_template(self):
        for template in self.filtered("active"):
            count = self.search_count(
                [
                    ("control_point", "=", template.control_point),
                    ("company_id", "=", template.company_id.id),
                ]
            )
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "Only one active checklist template per control point and company: "
                        "archive the other one before activating %(template)s.",
                        template=template.display_name,
                    )
                )

    @api.model
    def _risk_template_for(self, control_point, company):
        """The active template of ``company`` for ``control_point``, else the shared one."""
        # "active" is explicit: a client's active_test=False never brings back an archived
        # template to gate a decision.
        templates = self.sudo().search(
            [
                ("active", "=", True),
                ("control_point", "=", control_point),
                ("company_id", "in", [company.id, False]),
            ]
        )
        return templates.filtered(lambda t: t.company_id == company)[:1] or templates[:1]

    def _prepare_check_vals(self, record, company):
        """Values of the checklist of ``record``: a copy of the template's items, so later
        edits of the template never rewrite a checklist already in use."""
        self.ensure_one()
        return {
            "template_id": self.id,
            "control_point": self.control_point,
            "company_id": company.id,
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "item_ids": [
                Command.create(
                    {
                        "sequence": item.sequence,
                        "name": item.name,
                        "description": item.description,
                        "mandatory": item.mandatory,
                        "evidence_required": item.evidence_required,
                        "other_than_decider": item.other_than_decider,
                    }
                )
                for item in self.item_ids
            ],
        }
