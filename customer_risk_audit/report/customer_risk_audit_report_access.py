from odoo import fields, models
from odoo.tools import SQL

from .customer_risk_training_report_coverage import RISK_GROUPS


class CustomerRiskAuditReportAccess(models.Model):
    """Access review: every active user of each risk group, with when the user and the
    group were last changed and when the user last logged in."""

    _name = "customer.risk.audit.report.access"
    _description = "Access Review"
    _auto = False
    _rec_name = "user_id"
    _order = "group_id, user_id"

    user_id = fields.Many2one("res.users", readonly=True)
    login = fields.Char(readonly=True)
    group_id = fields.Many2one("res.groups", string="Role", readonly=True)
    company_id = fields.Many2one("res.company", string="Main Company", readonly=True)
    user_changed_on = fields.Datetime(string="User Last Changed", readonly=True)
    group_changed_on = fields.Datetime(string="Role Last Changed", readonly=True)
    created_on = fields.Datetime(string="User Created", readonly=True)
    last_login = fields.Datetime(readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY rel.gid, u.id) AS id,
                   u.id AS user_id,
                   u.login AS login,
                   rel.gid AS group_id,
                   u.company_id AS company_id,
                   u.write_date AS user_changed_on,
                   grp.write_date AS group_changed_on,
                   u.create_date AS created_on,
                   logins.last_login AS last_login
              FROM res_users u
              JOIN res_groups_users_rel rel ON rel.uid = u.id AND rel.gid IN %(groups)s
              JOIN res_groups grp ON grp.id = rel.gid
              LEFT JOIN (
                    SELECT create_uid AS user_id, MAX(create_date) AS last_login
                      FROM res_users_log
                     GROUP BY create_uid
                   ) logins ON logins.user_id = u.id
             WHERE u.active AND NOT u.share
            """,
            groups=tuple(self.env.ref(xmlid).id for xmlid in RISK_GROUPS),
        )
