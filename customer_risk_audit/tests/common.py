import base64

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.customer_risk.tests.common_check import CreditCheckCommon

AUDITOR = "customer_risk_audit.group_risk_auditor"


class AuditCommon(CreditCheckCommon):
    """The credit check's customer (limit 1,000) with two credit managers who may approve
    any release, two internal auditors, and helpers to request releases and find the
    checklists, audits and trainings the tests work on. Never relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.single_order_max = 0.0
        user_vals = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.user_auditor = new_test_user(
            cls.env, "risk_t_auditor", groups=f"base.group_user,{AUDITOR}", **user_vals
        )
        cls.user_auditor_2 = new_test_user(
            cls.env, "risk_t_auditor2", groups=f"base.group_user,{AUDITOR}", **user_vals
        )
        for user in (cls.user_manager, cls.user_manager_2):
            user.sudo().with_company(cls.company).risk_release_max_amount = 10**6

    @classmethod
    def request_release(cls, amount=1200.0):
        """A release the salesperson requests for a blocked quotation of ``amount``."""
        order = cls.make_order(amount=amount, user=cls.user_sales)
        action = order.with_user(cls.user_sales).action_request_risk_release()
        return cls.env["customer.risk.release"].browse(action["res_id"])

    @classmethod
    def make_template(cls, control_point="release_approval", company=None, items=None):
        """An active checklist template of ``company`` (the test company by default)."""
        items = items or [
            {"name": "Reasons reviewed", "mandatory": True},
            {"name": "Figures verified", "mandatory": True, "other_than_decider": True},
            {"name": "Guarantee attached", "mandatory": True, "evidence_required": True},
            {"name": "Collateral considered", "mandatory": False},
        ]
        return cls.env["customer.risk.control.template"].create(
            {
                "name": f"Checks before {control_point}",
                "control_point": control_point,
                "company_id": (company or cls.company).id,
                "item_ids": [Command.create(vals) for vals in items],
            }
        )

    @staticmethod
    def item(check, name):
        return check.item_ids.filtered(lambda i: i.name == name)

    @staticmethod
    def attach_evidence(item, user):
        item.with_user(user).write(
            {"evidence": base64.b64encode(b"%PDF-1.4 guarantee"), "evidence_name": "guarantee.pdf"}
        )

    def complete(self, check, user=None):
        """Every item of ``check`` done by ``user`` (the credit officer by default)."""
        user = user or self.user_officer
        for item in check.item_ids.filtered("evidence_required"):
            self.attach_evidence(item, user)
        check.item_ids.with_user(user).action_mark_done()
