from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAuditorGroup(TransactionCase):
    def test_auditor_reads_risk_but_decides_nothing(self):
        auditor = new_test_user(
            self.env, "crm_auditor", groups="base.group_user,customer_risk_audit.group_risk_auditor"
        )
        self.assertTrue(auditor.has_group("customer_risk.group_risk_user"))
        # Segregation of duties: auditing never comes with the power to decide.
        self.assertFalse(auditor.has_group("customer_risk.group_risk_officer"))
        self.assertFalse(auditor.has_group("customer_risk.group_risk_manager"))
        self.assertIn(
            self.env.ref("customer_risk.customer_risk_menu_root").id,
            self.env["ir.ui.menu"].with_user(auditor)._visible_menu_ids(),
        )
