from odoo import fields, models

HEAD_FIELDS = ("risk_audit_log_sequence", "risk_audit_log_hash")


class ResCompany(models.Model):
    _inherit = "res.company"

    risk_require_qualification = fields.Boolean(
        string="Require Training and Policy to Approve",
        help="A credit manager approves credit releases and limit changes only with a valid "
        "training certificate on credit assessment and after acknowledging the current "
        "credit policy.",
    )
    risk_certificate_reminder_days = fields.Integer(
        string="Certificate Reminder (Days)",
        default=30,
        help="How many days before a training certificate expires its holder gets a To-Do to "
        "renew it.",
    )
    # The head of the company's audit log chain, written only by the log (in SQL, under
    # the lock that serializes writers) and compared with the last entry when verifying.
    risk_audit_log_sequence = fields.Integer(readonly=True, groups="base.group_system")
    risk_audit_log_hash = fields.Char(readonly=True, groups="base.group_system")

    def write(self, vals):
        """Credit control settings changed by a manager are logged, whatever the path."""
        names = [name for name in vals if name.startswith("risk_") and name not in HEAD_FIELDS]
        if not names:
            return super().write(vals)
        Log = self.env["customer.risk.audit.log"]
        before = {company: Log._risk_values(company, names) for company in self}
        res = super().write(vals)
        for company in self:
            Log._risk_log_changes(company, "configuration_change", before[company], company=company)
        return res
