from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _risk_schedule_customer_snapshots(self):
        lines = self.debit_move_id | self.credit_move_id
        for line in lines.filtered(lambda aml: aml.account_type == "asset_receivable"):
            line.partner_id._risk_schedule_snapshot(line.company_id)

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._risk_schedule_customer_snapshots()
        return partials

    def unlink(self):
        self._risk_schedule_customer_snapshots()
        return super().unlink()
