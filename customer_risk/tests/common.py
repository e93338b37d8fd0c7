from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CustomerRiskCommon(AccountTestInvoicingCommon):
    """One base class for the addon's tests: a company with a chart of accounts, the three
    default tiers, a customer, and one user per role. Never relies on demo data."""

    @classmethod
    def get_default_groups(cls):
        # The test's own user sets things up like an administrator of the credit team.
        return (
            super().get_default_groups()
            | cls.env.ref("customer_risk.group_risk_manager")
            | cls.env.ref("sales_team.group_sale_manager")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.tier_low = cls.env.ref("customer_risk.customer_risk_tier_low")
        cls.tier_medium = cls.env.ref("customer_risk.customer_risk_tier_medium")
        cls.tier_high = cls.env.ref("customer_risk.customer_risk_tier_high")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Risky Customer Ltd", "is_company": True, "customer_rank": 1}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Rita Buyer", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.product = cls._create_product(name="Widget", lst_price=100.0, taxes_id=False)
        company_ids = [Command.set(cls.company.ids)]
        user_vals = {"company_id": cls.company.id, "company_ids": company_ids}
        cls.user_sales = new_test_user(
            cls.env, "risk_t_sales", groups="sales_team.group_sale_salesman", **user_vals
        )
        cls.user_sales_2 = new_test_user(
            cls.env, "risk_t_sales2", groups="sales_team.group_sale_salesman", **user_vals
        )
        cls.user_officer = new_test_user(
            cls.env,
            "risk_t_officer",
            groups="sales_team.group_sale_salesman,account.group_account_invoice,"
            "customer_risk.group_risk_officer",
            **user_vals,
        )
        cls.user_manager = new_test_user(
            cls.env,
            "risk_t_manager",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice,"
            "customer_risk.group_risk_manager",
            **user_vals,
        )
        cls.user_manager_2 = new_test_user(
            cls.env,
            "risk_t_manager2",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice,"
            "customer_risk.group_risk_manager",
            **user_vals,
        )
        cls.user_accountant_ro = new_test_user(
            cls.env, "risk_t_readonly", groups="account.group_account_readonly", **user_vals
        )
        cls.user_billing = new_test_user(
            cls.env, "risk_t_billing", groups="account.group_account_invoice", **user_vals
        )
        # What "Settings > Users > New" gives: Odoo's default user template.
        cls.user_default = cls.env["res.users"].create(
            {"name": "Default New User", "login": "risk_t_default", **user_vals}
        )

    @classmethod
    def set_risk(cls, partner, tier=None, limit=None, **vals):
        """Give ``partner`` a tier and a limit, as a confirmed assessment would."""
        values = dict(vals)
        if tier is not None:
            values["risk_tier_id"] = tier.id
        if limit is not None:
            values["credit_limit"] = limit
        partner.sudo().with_company(cls.company).write(values)

    @classmethod
    def make_order(cls, partner=None, amount=100.0, user=None, currency=None, **vals):
        """A quotation of ``amount`` (one line, no tax) in the test company."""
        order_vals = {
            "partner_id": (partner or cls.customer).id,
            "company_id": cls.company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": False,
                    }
                )
            ],
            **vals,
        }
        if currency:
            pricelist = cls.env["product.pricelist"].create(
                {
                    "name": f"Pricelist {currency.name}",
                    "currency_id": currency.id,
                    "company_id": cls.company.id,
                }
            )
            order_vals["pricelist_id"] = pricelist.id
        env = cls.env(user=user) if user else cls.env
        return env["sale.order"].with_company(cls.company).create(order_vals)

    @classmethod
    def make_invoice(
        cls,
        partner=None,
        amount=100.0,
        invoice_date=None,
        due_date=None,
        post=True,
        currency=None,
        move_type="out_invoice",
    ):
        """A customer invoice of ``amount`` (no tax); ``due_date`` sets its maturity."""
        invoice_date = invoice_date or fields.Date.today()
        move = (
            cls.env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or cls.customer).id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date or invoice_date,
                    "currency_id": (currency or cls.currency).id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move
