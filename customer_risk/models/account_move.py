from odoo import models
from odoo.tools import SQL

# The exposure reads the draft customer invoices of a batch of customers; among a ledger's
# moves they are few, and this index finds them without visiting the customers' posted
# ones. Dropped by the uninstall hook (it indexes no column of ours).
DRAFT_INDEX = "account_move_customer_risk_draft_partner_idx"


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                """CREATE INDEX IF NOT EXISTS %s ON account_move (partner_id)
                    WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund')""",
                SQL.identifier(DRAFT_INDEX),
            )
        )
        return res

    def _risk_schedule_customer_snapshots(self):
        for move in self.filtered(lambda m: m.is_sale_document(include_receipts=True)):
            move.partner_id._risk_schedule_snapshot(move.company_id)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._risk_schedule_customer_snapshots()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._risk_schedule_customer_snapshots()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._risk_schedule_customer_snapshots()
        return res

    def write(self, vals):
        res = super().write(vals)
        # Draft invoices count in the exposure: their totals may change while drafted.
        if "invoice_line_ids" in vals or "line_ids" in vals or "partner_id" in vals:
            self._risk_schedule_customer_snapshots()
        return res

    def unlink(self):
        self._risk_schedule_customer_snapshots()
        return super().unlink()
