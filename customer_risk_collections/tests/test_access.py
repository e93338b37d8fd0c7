from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import CollectionsCommon

D = date(2025, 3, 31)


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestCollectionsAccess(CollectionsCommon):
    """Accountants run the reports, credit officers see them, salespeople none of it; each
    user sees their own report runs and their own companies' figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_invoice(amount=100.0, invoice_date=D)
        cls.env["customer.risk.kpi.snapshot"]._kpi_compute_month(cls.company, date(2025, 3, 1))

    def test_salespeople_see_none_of_it(self):
        user = self.user_sales
        for model in (
            "customer.risk.aging.report",
            "customer.risk.provision.report",
            "customer.risk.kpi.recompute",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(user).create({})
        for model in ("customer.risk.kpi.snapshot", "customer.risk.aging.bucket.set"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(user).search([])
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        for xmlid in ("aging_report", "provision_report", "kpi_snapshot"):
            menu = self.env.ref(f"customer_risk_collections.customer_risk_{xmlid}_menu")
            with self.subTest(menu=xmlid):
                self.assertNotIn(menu.id, menus)

    def test_accountants_and_officers_run_the_reports(self):
        for user in (self.user_accountant, self.user_billing, self.user_officer_only):
            with self.subTest(user=user.login):
                wizard = self.aging_wizard(D, user=user)
                self.assertEqual(wizard._aging_report_data()["total"], 100.0)
                wizard.action_export_xlsx()
                wizard.action_view()
                self.assertEqual(len(wizard.line_ids), 1)
                kpis = self.env["customer.risk.kpi.snapshot"].with_user(user).search([])
                self.assertTrue(kpis)
                self.assertTrue(
                    self.env["customer.risk.aging.bucket.set"].with_user(user).search([])
                )
        for xmlid in ("aging_report", "provision_report", "kpi_snapshot"):
            menu = self.env.ref(f"customer_risk_collections.customer_risk_{xmlid}_menu")
            for user in (self.user_accountant, self.user_officer_only):
                with self.subTest(menu=xmlid, user=user.login):
                    self.assertIn(
                        menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                    )
        # Only accountants recompute the KPIs.
        with self.assertRaises(AccessError):
            self.env["customer.risk.kpi.recompute"].with_user(self.user_officer_only).create({})

    def test_only_managers_configure_buckets(self):
        for user in (self.user_accountant, self.user_officer_only):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.bucket_set.with_user(user).write({"bounds": "10,20"})
        self.bucket_set.with_user(self.user_manager).write({"bounds": "10,20"})
        self.assertEqual(len(self.bucket_set.bucket_ids), 4)

    def test_report_runs_are_private(self):
        wizard = self.aging_wizard(D)
        wizard.action_view()
        other = self.user_billing
        self.assertFalse(self.env["customer.risk.aging.report"].with_user(other).search([]))
        self.assertFalse(self.env["customer.risk.aging.report.line"].with_user(other).search([]))
        with self.assertRaises(AccessError):
            wizard.with_user(other).action_export_xlsx()

    def test_other_companies_stay_closed(self):
        company_2 = self.setup_other_company(name="Risk Co 2")["company"]
        self.env["customer.risk.kpi.snapshot"]._kpi_compute_month(company_2, date(2025, 3, 1))
        bucket_set_2 = self.env["customer.risk.aging.bucket.set"].create(
            {"name": "Co 2 buckets", "bounds": "45", "company_id": company_2.id}
        )
        user = self.user_accountant
        kpis = self.env["customer.risk.kpi.snapshot"].with_user(user).search([])
        self.assertEqual(kpis.company_id, self.company)
        sets = self.env["customer.risk.aging.bucket.set"].with_user(user).search([])
        self.assertNotIn(bucket_set_2, sets)
        for model, vals in (
            ("customer.risk.aging.report", {"company_ids": [Command.set(company_2.ids)]}),
            ("customer.risk.kpi.recompute", {"company_ids": [Command.set(company_2.ids)]}),
        ):
            wizard = self.env[model].with_user(user).create(vals)
            method = (
                wizard._aging_report_data
                if model == "customer.risk.aging.report"
                else wizard.action_recompute
            )
            with self.subTest(model=model), self.assertRaises(AccessError):
                method()
        provision = self.env["customer.risk.provision.report"].with_user(user)
        with self.assertRaises(AccessError):
            provision.create({"company_id": company_2.id}).action_compute()

    def test_views_open_for_every_role_that_uses_them(self):
        views = {
            "customer.risk.aging.report": ["form"],
            "customer.risk.aging.report.line": ["pivot", "list", "graph", "search"],
            "customer.risk.provision.report": ["form"],
            "customer.risk.provision.report.line": ["pivot", "list"],
            "customer.risk.kpi.snapshot": ["graph", "pivot", "list", "search"],
            "customer.risk.aging.bucket.set": ["list", "form", "search"],
        }
        users = (self.user_accountant, self.user_billing, self.user_officer_only, self.user_manager)
        for user in users:
            for model, view_types in views.items():
                with self.subTest(user=user.login, model=model):
                    self.env[model].with_user(user).get_views([(False, t) for t in view_types])
        self.env["customer.risk.kpi.recompute"].with_user(self.user_accountant).get_views(
            [(False, "form")]
        )
