from odoo import fields, models
from odoo.tools import SQL


class CustomerRiskPolicyReportAcknowledgement(models.Model):
    """For each company's current credit policy, every member of the credit team of that
    company and whether they acknowledged it."""

    _name = "customer.risk.policy.report.acknowledgement"
    _description = "Policy Acknowledgement Coverage"
    _auto = False
    _rec_name = "user_id"
    _order = "acknowledged, user_id"

    policy_id = fields.Many2one("customer.risk.policy", string="Current Policy", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    acknowledged = fields.Boolean(readonly=True)
    acknowledged_on = fields.Datetime(readonly=True)

    @property
    def _table_query(self):
        # The current policy is chosen as customer.risk.policy._risk_current chooses it.
        return SQL(
            """
            WITH current_policy AS (
                SELECT DISTINCT ON (p.company_id) p.id, p.company_id
                  FROM customer_risk_policy p
                 WHERE p.state = 'published' AND p.effective_date <= %(today)s
                 ORDER BY p.company_id, p.effective_date DESC, p.id DESC
            )
            SELECT ROW_NUMBER() OVER (ORDER BY cp.id, u.id) AS id,
                   cp.id AS policy_id,
                   cp.company_id AS company_id,
                   u.id AS user_id,
                   ack.id IS NOT NULL AS acknowledged,
                   ack.date AS acknowledged_on
              FROM current_policy cp
              JOIN res_company_users_rel c ON c.cid = cp.company_id
              JOIN res_users u ON u.id = c.user_id AND u.active AND NOT u.share
              JOIN res_groups_users_rel g ON g.uid = u.id AND g.gid = %(team)s
              LEFT JOIN customer_risk_policy_acknowledgement ack
                     ON ack.policy_id = cp.id AND ack.user_id = u.id
            """,
            today=fields.Date.context_today(self),
            team=self.env.ref("customer_risk.group_risk_user").id,
        )
