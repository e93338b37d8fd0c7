from odoo import Command

from .common import CustomerRiskCommon


class CreditCheckCommon(CustomerRiskCommon):
    """The customer is assessed in a tier where every rule blocks, with a limit of 1,000
    and a passed screening: each test breaks one rule at a time. Fixtures are set up with
    ``sudo()`` (the class's own user is an accountant, not a credit manager)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier = (
            cls.env["customer.risk.tier"]
            .sudo()
            .create(
                {
                    "name": "Check tier",
                    "code": "CHECK",
                    "limit_amount": 1000.0,
                    "max_overdue_days": 30,
                    "rule_overdue_amount": "block",
                    "max_overdue_amount": 500.0,
                    "single_order_max": 800.0,
                    "rule_screening": "block",
                    "rule_review": "block",
                }
            )
        )
        cls.set_risk(
            cls.customer,
            tier=cls.tier,
            limit=1000.0,
            risk_screening_state="approved",
            risk_limit_reason="Test limit",
        )
        cls.terms_30 = cls.env["account.payment.term"].create(
            {"name": "30 days", "line_ids": [Command.create({"value": "percent", "nb_days": 30})]}
        )

    def confirm(self, order, user=None, **context):
        """Confirm as ``user`` (the salesperson by default), like an RPC client."""
        order.with_user(user or self.user_sales).with_context(**context).action_confirm()

    def order_as_sales(self, amount, **vals):
        return self.make_order(amount=amount, user=self.user_sales, **vals)
