from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import CustomerRiskCommon
from .common_pdf import pdf_text


@tagged("post_install", "-at_install")
class TestContractPdf(CustomerRiskCommon, HttpCase):
    """The contract summary prints to a real PDF, Chinese text included."""

    def test_contract_summary_pdf_in_chinese(self):
        customer = self.env["res.partner"].create(
            {"name": "上海莲花贸易有限公司", "is_company": True}
        )
        clause = (
            self.env["customer.risk.clause"]
            .with_user(self.user_manager)
            .create(
                {
                    "name": "所有权保留",
                    "category": "retention",
                    "text": "货款付清前货物归卖方所有。",
                }
            )
        )
        contract = (
            self.env["customer.risk.contract"]
            .with_user(self.user_officer)
            .create(
                {
                    "partner_id": customer.id,
                    "clause_line_ids": [Command.create({"clause_id": clause.id})],
                    "obligation_ids": [
                        Command.create(
                            {
                                "name": "银行保函",
                                "obligation_type": "guarantee",
                                "due_date": "2025-07-31",
                            }
                        )
                    ],
                }
            )
        )
        text = pdf_text(self.env, "customer_risk.report_customer_risk_contract", contract.ids)
        for expected in (
            "上海莲花贸易有限公司",
            "所有权保留",
            "货款付清前货物归卖方所有",
            "银行保函",
        ):
            self.assertIn("".join(expected.split()), text)
