from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        """A credit manager's release authority is a decision of another manager: logged
        per user, in the company it applies to."""
        if "risk_release_max_amount" not in vals:
            return super().write(vals)
        Log = self.env["customer.risk.audit.log"]
        before = {
            user.id: Log._risk_values(user.sudo(), ["risk_release_max_amount"]) for user in self
        }
        res = super().write(vals)
        for user in self:
            Log._risk_log_changes(
                user.sudo(), "authority_change", before[user.id], company=self.env.company
            )
        return res
