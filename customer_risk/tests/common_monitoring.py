from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time

from .common import CustomerRiskCommon


class MonitoringCommon(CustomerRiskCommon):
    """The customer is a medium-risk customer with a limit of 1,000, screened and reviewed
    on time: each test changes what it watches. Helpers run the jobs like the scheduler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.set_risk(
            cls.customer,
            tier=cls.tier_medium,
            limit=1000.0,
            risk_limit_manual=True,
            risk_limit_reason="Test limit",
            risk_screening_state="approved",
            risk_review_date=date(2025, 12, 31),
        )
        cls.customer.sudo().user_id = cls.user_sales
        cls.Alert = cls.env["customer.risk.alert"].sudo()
        cls.Assessment = cls.env["customer.risk.assessment"].sudo()

    def run_monitor(self, day=None):
        """The daily monitoring job, on ``day`` (the frozen date by default)."""
        with patch.object(self.env.cr, "commit"):
            if day:
                with freeze_time(day):
                    self.env["res.partner"].sudo()._cron_risk_monitor()
            else:
                self.env["res.partner"].sudo()._cron_risk_monitor()

    def alerts(self, partner=None, **domain):
        return self.Alert.search(
            [("partner_id", "=", (partner or self.customer).id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def open_codes(self, partner=None):
        return sorted(
            self.alerts(partner).filtered(lambda a: a.state != "resolved").mapped("rule_code")
        )

    def pay(self, invoice, payment_date):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": payment_date})._create_payments()
