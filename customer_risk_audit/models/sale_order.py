from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _risk_on_refusal(self, refused):
        """Log each refused confirmation. The refusal rolls its transaction back, so the
        entry is written to last (see ``customer.risk.audit.log._risk_log_lasting``)."""
        res = super()._risk_on_refusal(refused)
        Log = self.env["customer.risk.audit.log"]
        for refused_order, decision in refused:
            order = refused_order.sudo()
            Log._risk_log_lasting(
                order,
                "order_blocked",
                before={
                    "state": order.state,
                    "amount_total": order.amount_total,
                    "currency": order.currency_id.name,
                },
                after={
                    "state": order.state,
                    "confirmation": "refused",
                    "reasons": [{"code": r.code, **r.values()} for r in decision.blocking],
                },
                reason="\n".join(order._risk_reason_text(r) for r in decision.blocking),
                company=order.company_id,
            )
        return res
