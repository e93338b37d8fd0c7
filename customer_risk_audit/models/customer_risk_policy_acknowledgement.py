from odoo import fields, models


class CustomerRiskPolicyAcknowledgement(models.Model):
    """A user's statement of having read one version of the credit policy; created only by
    the policy's Acknowledge button, never changed."""

    _name = "customer.risk.policy.acknowledgement"
    _description = "Credit Policy Acknowledgement"
    _order = "date desc, id desc"
    _rec_name = "user_id"

    policy_id = fields.Many2one(
        "customer.risk.policy", required=True, ondelete="restrict", index=True, readonly=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    version = fields.Char(related="policy_id.version", store=True)
    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)

    _sql_constraints = [
        (
            "policy_user_uniq",
            "UNIQUE(policy_id, user_id)",
            "A person acknowledges a policy version once.",
        ),
    ]
