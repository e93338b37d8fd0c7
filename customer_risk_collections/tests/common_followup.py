from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.customer_risk.tests.common import CustomerRiskCommon


class FollowupCommon(CustomerRiskCommon):
    """The test company's collection plan, like the default one: a general ladder and an
    earlier, stricter one for the High tier; an accountant who collects; customers with an
    invoicing contact that has an email address. Never relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().email = "credit@company.example.com"
        user_vals = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.user_accountant = new_test_user(
            cls.env,
            "risk_t_accountant",
            groups="account.group_account_user",
            email="accountant@company.example.com",
            **user_vals,
        )
        template = cls.env.ref("customer_risk_collections.mail_template_followup")
        call = cls.env.ref("mail.mail_activity_data_call")
        email = {"send_email": True, "mail_template_id": template.id}
        cls.level_friendly = cls.make_level("Friendly reminder", -3, **email)
        cls.level_reminder = cls.make_level("Payment reminder", 7, **email)
        cls.level_letter = cls.make_level(
            "Letter and call",
            30,
            send_letter=True,
            create_activity=True,
            activity_type_id=call.id,
            **email,
        )
        cls.level_final = cls.make_level(
            "Final notice",
            60,
            mode="manual",
            credit_hold=True,
            escalate=True,
            escalate_user_id=cls.user_manager.id,
        )
        high = cls.tier_high
        cls.level_high_friendly = cls.make_level("High: friendly", -5, high, **email)
        cls.level_high_reminder = cls.make_level("High: reminder", 1, high, **email)
        cls.level_high_call = cls.make_level(
            "High: call",
            15,
            high,
            create_activity=True,
            activity_type_id=call.id,
            activity_target="salesperson",
        )
        cls.level_high_hold = cls.make_level(
            "High: hold",
            30,
            high,
            credit_hold=True,
            escalate=True,
            escalate_user_id=cls.user_manager.id,
        )
        cls.customer_low = cls.make_customer("Low Risk Trading", tier=cls.tier_low)
        cls.customer_high = cls.make_customer("High Risk Trading", tier=cls.tier_high)

    @classmethod
    def make_level(cls, name, delay, tiers=None, **vals):
        return (
            cls.env["customer.risk.followup.level"]
            .sudo()
            .create(
                {
                    "name": name,
                    "delay": delay,
                    "company_id": cls.company.id,
                    "tier_ids": [Command.set(tiers.ids if tiers else [])],
                    **vals,
                }
            )
        )

    @classmethod
    def make_customer(cls, name, tier=None, email=True, salesperson=None):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "user_id": (salesperson or cls.user_sales).id,
                "child_ids": [
                    Command.create(
                        {
                            "name": f"{name} Accounts Payable",
                            "type": "invoice",
                            "email": email and f"ap@{name.split()[0].lower()}.example.com",
                        }
                    )
                ],
            }
        )
        if tier:
            cls.set_risk(partner, tier=tier)
        partner.sudo().with_company(cls.company).followup_responsible_id = cls.user_accountant
        return partner

    def run_followups(self, day, **kwargs):
        """The daily run on ``day``, as the cron runs it (superuser, commits patched out)."""
        with freeze_time(day), patch.object(self.env.cr, "commit"):
            self.env["res.partner"].sudo()._cron_followup(**kwargs)

    def check_promises(self, day):
        with freeze_time(day), patch.object(self.env.cr, "commit"):
            self.env["customer.risk.promise"].sudo()._cron_check_promises()

    def executions(self, partner=None):
        domain = [("partner_id", "=", partner.id)] if partner else []
        return self.env["customer.risk.followup.execution"].sudo().search(domain, order="id")

    def reminders(self, partner):
        """Emails queued to the customer by follow-ups."""
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("message_type", "=", "email_outgoing"),
                ]
            )
        )

    def state(self, partner):
        return partner.sudo().with_company(self.company)

    def pay(self, invoice, amount, day):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": day})._create_payments()
