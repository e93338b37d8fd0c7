from datetime import date

from odoo.tests import HttpCase, tagged

from odoo.addons.customer_risk.tests.common_pdf import pdf_text

from .common_followup import FollowupCommon

CHINESE = "杭州翡翠制造有限公司"


@tagged("post_install", "-at_install")
class TestCollectionsPdf(FollowupCommon, HttpCase):
    """The follow-up letter and the aging report print to real PDFs, Chinese included."""

    def test_letter_and_aging_pdf_in_chinese(self):
        customer = self.make_customer(CHINESE, tier=self.tier_low)
        invoice = self.make_invoice(customer, 1234.0, date(2025, 3, 1), date(2025, 4, 1))
        # 34 days overdue: the level that sends a letter.
        self.run_followups(date(2025, 5, 5))
        execution = self.executions(customer)
        self.assertEqual(execution.level_id, self.level_letter)
        text = pdf_text(self.env, "customer_risk_collections.report_followup_letter", execution.ids)
        self.assertIn(CHINESE, text)
        self.assertEqual(execution.move_ids, invoice)

        wizard = (
            self.env["customer.risk.aging.report"]
            .with_user(self.user_accountant)
            .create({"date": date(2025, 5, 5)})
        )
        action = wizard.action_print_pdf()
        text = pdf_text(self.env, action["report_name"], wizard.ids)
        self.assertIn(CHINESE, text)
