from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRiskGroups(TransactionCase):
    """The role chain every later access rule relies on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("customer_risk.group_risk_user")
        cls.group_officer = cls.env.ref("customer_risk.group_risk_officer")
        cls.group_manager = cls.env.ref("customer_risk.group_risk_manager")
        cls.root_menu = cls.env.ref("customer_risk.customer_risk_menu_root")
        cls.config_menu = cls.env.ref("customer_risk.customer_risk_menu_configuration")

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_manager_implies_officer_implies_user(self):
        manager = new_test_user(self.env, "crm_mgr", groups="customer_risk.group_risk_manager")
        self.assertTrue(manager.has_group("customer_risk.group_risk_officer"))
        self.assertTrue(manager.has_group("customer_risk.group_risk_user"))
        officer = new_test_user(self.env, "crm_off", groups="customer_risk.group_risk_officer")
        self.assertFalse(officer.has_group("customer_risk.group_risk_manager"))
        self.assertTrue(officer.has_group("customer_risk.group_risk_user"))

    def test_administrator_is_credit_manager(self):
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("customer_risk.group_risk_manager")
        )

    def test_salesperson_sees_app_but_not_configuration(self):
        sales = new_test_user(self.env, "crm_sales", groups="sales_team.group_sale_salesman")
        self.assertTrue(sales.has_group("customer_risk.group_risk_user"))
        self.assertFalse(sales.has_group("customer_risk.group_risk_officer"))
        menus = self._visible_menus(sales)
        self.assertIn(self.root_menu.id, menus)
        self.assertNotIn(self.config_menu.id, menus)

    def test_plain_internal_user_does_not_see_the_app(self):
        plain = new_test_user(self.env, "crm_plain", groups="base.group_user")
        self.assertFalse(plain.has_group("customer_risk.group_risk_user"))
        self.assertNotIn(self.root_menu.id, self._visible_menus(plain))
