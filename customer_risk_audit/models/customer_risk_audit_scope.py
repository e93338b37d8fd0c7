from odoo import fields, models


class CustomerRiskAuditScope(models.Model):
    """A type of decision an internal audit can sample; ``code`` names its source in
    ``customer.risk.audit._risk_audit_sources``."""

    _name = "customer.risk.audit.scope"
    _description = "Internal Audit Scope"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "Each audit scope has its own code."),
    ]
