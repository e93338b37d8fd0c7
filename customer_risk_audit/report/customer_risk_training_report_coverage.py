from odoo import fields, models
from odoo.tools import SQL

# The roles whose training coverage the compliance dashboard shows.
RISK_GROUPS = (
    "customer_risk.group_risk_user",
    "customer_risk.group_risk_officer",
    "customer_risk.group_risk_manager",
    "customer_risk_audit.group_risk_auditor",
)


class CustomerRiskTrainingReportCoverage(models.Model):
    """Training coverage by role: for each member of a risk group and each of their
    companies, whether they hold a valid certificate there today."""

    _name = "customer.risk.training.report.coverage"
    _description = "Training Coverage"
    _auto = False
    _rec_name = "user_id"
    _order = "group_id, user_id"

    user_id = fields.Many2one("res.users", readonly=True)
    group_id = fields.Many2one("res.groups", string="Role", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    certified = fields.Boolean(string="Valid Certificate", readonly=True)
    topic_count = fields.Integer(string="Certified Topics", readonly=True)
    last_expiry = fields.Date(
        string="Latest Expiry", readonly=True, help="Empty when a valid certificate never expires."
    )

    @property
    def _table_query(self):
        groups = tuple(self.env.ref(xmlid).id for xmlid in RISK_GROUPS)
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY g.gid, u.id, c.cid) AS id,
                   u.id AS user_id,
                   g.gid AS group_id,
                   c.cid AS company_id,
                   cert.user_id IS NOT NULL AS certified,
                   COALESCE(cert.topic_count, 0) AS topic_count,
                   cert.last_expiry AS last_expiry
              FROM res_users u
              JOIN res_groups_users_rel g ON g.uid = u.id AND g.gid IN %(groups)s
              JOIN res_company_users_rel c ON c.user_id = u.id
              LEFT JOIN (
                    SELECT a.user_id,
                           a.company_id,
                           COUNT(DISTINCT a.topic) AS topic_count,
                           CASE WHEN BOOL_OR(a.certificate_expiry IS NULL) THEN NULL
                                ELSE MAX(a.certificate_expiry) END AS last_expiry
                      FROM customer_risk_training_attendee a
                     WHERE a.result = 'passed'
                       AND (a.certificate_expiry IS NULL OR a.certificate_expiry >= %(today)s)
                     GROUP BY a.user_id, a.company_id
                   ) cert ON cert.user_id = u.id AND cert.company_id = c.cid
             WHERE u.active AND NOT u.share
            """,
            groups=groups,
            today=fields.Date.context_today(self),
        )
