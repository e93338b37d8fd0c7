from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.customer_risk.tests.common_pdf import pdf_text

from .common import AuditCommon

NAME = "季度信用放行审计"


@tagged("post_install", "-at_install")
class TestAuditPdf(AuditCommon, HttpCase):
    """The audit report prints to a real PDF, Chinese included."""

    def test_audit_pdf_in_chinese(self):
        scope = self.env.ref("customer_risk_audit.customer_risk_audit_scope_release_approved")
        audit = (
            self.env["customer.risk.audit"]
            .with_user(self.user_auditor)
            .create(
                {
                    "name": NAME,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 3, 31),
                    "scope_ids": [Command.set(scope.ids)],
                    "sample_size": 5,
                }
            )
        )
        text = pdf_text(self.env, "customer_risk_audit.report_customer_risk_audit", audit.ids)
        self.assertIn(NAME, text)
