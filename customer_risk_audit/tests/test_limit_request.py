import json
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common_log import CLIENT_CONTEXTS, AuditLogCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-06-10 09:00:00")
class TestLimitRequest(AuditLogCommon):
    """Four eyes on limits, manual tiers and holds: proposed, approved by another credit
    manager, applied; nothing else changes them."""

    def test_manager_cannot_approve_own_request(self):
        request = self.propose(new_credit_limit=5000.0)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.proposer_id, self.user_manager)
        for context in CLIENT_CONTEXTS:
            for method in ("action_approve", "action_reject"):
                with self.subTest(context=context, method=method), self.assertRaises(AccessError):
                    getattr(request.with_user(self.user_manager).with_context(**context), method)()
        # Officers and other roles never decide.
        for user in (self.user_officer, self.user_sales, self.user_auditor, self.user_billing):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                request.with_user(user).action_approve()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self.partner_risk().credit_limit, 1000.0)

        request.with_user(self.user_manager_2).action_approve()
        self.assertRecordValues(
            request, [{"state": "approved", "approver_id": self.user_manager_2.id}]
        )
        # Approving is not applying: the limit changes only with the application step.
        self.assertEqual(self.partner_risk().credit_limit, 1000.0)
        with self.assertRaises(AccessError):
            request.with_user(self.user_officer).action_apply()
        request.with_user(self.user_manager).action_apply()
        self.assertEqual(request.state, "applied")
        self.assertRecordValues(
            self.partner_risk(),
            [
                {
                    "credit_limit": 5000.0,
                    "risk_limit_manual": True,
                    "risk_limit_reason": "Bigger orders announced",
                }
            ],
        )
        entry = self.logs(self.customer, "limit_change")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, self.user_manager)
        self.assertEqual(
            json.loads(entry.values_before),
            {"credit_limit": 1000.0, "risk_limit_manual": False, "risk_limit_reason": "Test limit"},
        )
        self.assertEqual(
            json.loads(entry.values_after),
            {
                "credit_limit": 5000.0,
                "risk_limit_manual": True,
                "risk_limit_reason": "Bigger orders announced",
            },
        )
        self.assertIn(request.name, entry.reason)
        self.assertIn(self.user_manager_2.name, entry.reason)
        self.assertEqual(
            self.logs(request).mapped("event"),
            ["limit_request_submitted", "limit_request_approved"],
        )
        # The customer's list figures follow the new limit at once.
        self.assertEqual(self.partner_risk().risk_available_credit, 5000.0)

    def test_direct_writes_refused_for_everyone(self):
        admin = self.env.ref("base.user_admin")
        admin.sudo().company_ids = [Command.link(self.company.id)]
        self.assertTrue(admin.has_group("customer_risk.group_risk_manager"))
        changes = (
            {"credit_limit": 10**6, "risk_limit_reason": "Mine"},
            {"use_partner_credit_limit": False},
            {"risk_limit_manual": True},
            {"risk_limit_reason": "Rewritten"},
            {"risk_tier_id": self.tier_high.id},
            {"risk_tier_id": False},
            {"risk_hold": True, "risk_hold_reason": "Mine"},
            {"risk_hold_reason": "Mine"},
        )
        contexts = (*CLIENT_CONTEXTS, {"allowed_company_ids": self.company.ids})
        users = (admin, self.user_manager, self.user_officer, self.user_billing, self.env.user)
        for user in users:
            for vals in changes:
                for context in contexts:
                    with (
                        self.subTest(user=user.login, vals=vals, context=context),
                        self.assertRaises(AccessError),
                    ):
                        self.customer.with_user(user).with_company(self.company).with_context(
                            **context
                        ).write(vals)
        # Imports and new customers go through the same check.
        result = (
            self.env["res.partner"]
            .with_user(self.user_manager)
            .load(["name", "credit_limit", "risk_limit_reason"], [["Imported", "999", "why"]])
        )
        self.assertFalse(result["ids"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(admin).create(
                {"name": "New Ltd", "is_company": True, "credit_limit": 5000.0}
            )
        self.assertRecordValues(
            self.partner_risk(),
            [
                {
                    "credit_limit": 1000.0,
                    "risk_tier_id": self.tier.id,
                    "risk_hold": False,
                    "risk_limit_reason": "Test limit",
                }
            ],
        )
        self.assertFalse(self.logs(self.customer))

    def test_unchanged_values_and_contacts_pass(self):
        # Values written again unchanged change nothing and are not refused.
        customer = self.customer.with_user(self.user_manager).with_company(self.company)
        customer.write({"risk_tier_id": self.tier.id, "risk_hold": False})
        # A limit typed by a person becomes a manual limit (customer_risk's rule): that is a
        # change, refused even when the amount stays the same.
        with self.assertRaises(AccessError):
            customer.write({"credit_limit": 1000.0, "risk_limit_reason": "Test limit"})
        self.assertFalse(self.partner_risk().risk_limit_manual)
        # Odoo copies the company's limit to its contacts (in superuser mode): a new
        # contact is no limit decision.
        contact = (
            self.env["res.partner"]
            .with_company(self.company)
            .create({"name": "Lee Buyer", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.sudo().with_company(self.company).credit_limit, 1000.0)
        self.assertFalse(self.logs(contact) | self.logs(self.customer))

    def test_tier_and_hold_requests(self):
        tier_request = self.approved(kind="tier", new_tier_id=self.tier_high.id)
        tier_request.with_user(self.user_manager_2).action_apply()
        self.assertEqual(self.partner_risk().risk_tier_id, self.tier_high)
        hold = self.approved(kind="hold", new_hold=True, reason="Disputed delivery")
        hold.with_user(self.user_manager_2).action_apply()
        self.assertRecordValues(
            self.partner_risk(), [{"risk_hold": True, "risk_hold_reason": "Disputed delivery"}]
        )
        lift = self.approved(kind="hold", new_hold=False, reason="Dispute settled")
        lift.with_user(self.user_manager).action_apply()
        self.assertRecordValues(
            self.partner_risk(), [{"risk_hold": False, "risk_hold_reason": False}]
        )
        tier_entry = self.logs(self.customer, "tier_change")
        self.assertEqual(json.loads(tier_entry.values_before)["risk_tier_id"][0], self.tier.id)
        self.assertEqual(json.loads(tier_entry.values_after)["risk_tier_id"][0], self.tier_high.id)
        holds = self.logs(self.customer, "hold_change")
        self.assertEqual(
            [json.loads(e.values_after) for e in holds],
            [
                {"risk_hold": True, "risk_hold_reason": "Disputed delivery"},
                {"risk_hold": False, "risk_hold_reason": None},
            ],
        )
        # Only the fields each request changes are logged, and nothing else.
        self.assertFalse(self.logs(self.customer, "limit_change"))

    def test_officer_proposes_and_a_manager_applies(self):
        # Users without an email address propose and decide all the same.
        (self.user_officer | self.user_manager_2).partner_id.sudo().email = False
        request = self.propose(user=self.user_officer, new_credit_limit=3000.0)
        self.assertEqual(
            request.activity_ids.user_id & (self.user_manager | self.user_manager_2),
            self.user_manager | self.user_manager_2,
        )
        request.with_user(self.user_manager_2).action_approve()
        self.assertFalse(request.activity_ids)
        self.assertEqual(request.proposer_id, self.user_officer)
        request.with_user(self.user_manager_2).action_apply()
        self.assertEqual(self.partner_risk().credit_limit, 3000.0)

    def test_proposal_is_checked(self):
        with self.assertRaises(UserError):
            self.propose(new_credit_limit=1000.0, new_limit_manual=False)
        with self.assertRaises(UserError):
            self.propose(new_credit_limit=-1.0)
        with self.assertRaises(UserError):
            self.propose(kind="tier", new_tier_id=self.tier.id)
        with self.assertRaises(UserError):
            self.propose(new_credit_limit=2000.0, date_expiry=date(2025, 6, 9))
        first = self.propose(new_credit_limit=2000.0)
        with self.assertRaises(UserError):
            self.propose(user=self.user_manager_2, new_credit_limit=3000.0)
        # Once submitted, the proposal is frozen; only its proposer submits a draft.
        with self.assertRaises(AccessError):
            first.with_user(self.user_manager).new_credit_limit = 9000.0
        draft = self.propose(kind="hold", new_hold=True, submit=False)
        with self.assertRaises(AccessError):
            draft.with_user(self.user_manager_2).action_submit()
        # The client never sets who proposed, the state or the values before.
        for vals in ({"proposer_id": self.user_manager_2.id}, {"state": "approved"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.propose(submit=False, new_credit_limit=4000.0, **vals)
        with self.assertRaises(AccessError):
            draft.with_user(self.user_manager).write({"current_hold": True})
        with self.assertRaises(UserError):
            first.with_user(self.user_manager).unlink()
        draft.with_user(self.user_manager).unlink()

    def test_rejection_needs_a_note_and_is_logged(self):
        request = self.propose(new_credit_limit=8000.0)
        manager_2 = request.with_user(self.user_manager_2)
        with self.assertRaises(UserError):
            manager_2.action_reject()
        manager_2.decision_note = "No financial statements yet"
        manager_2.action_reject()
        self.assertEqual(request.state, "rejected")
        entry = self.logs(request, "limit_request_rejected")
        self.assertEqual(entry.reason, "No financial statements yet")
        self.assertEqual(entry.user_id, self.user_manager_2)
        with self.assertRaises(UserError):
            request.with_user(self.user_manager).action_apply()
        self.assertEqual(self.partner_risk().credit_limit, 1000.0)

    def test_temporary_limit_expires(self):
        request = self.approved(new_credit_limit=4000.0, date_expiry=date(2025, 6, 30))
        request.with_user(self.user_manager_2).action_apply()
        Request = self.env["customer.risk.limit.request"]
        with freeze_time("2025-06-30 23:00:00"):
            self.assertFalse(Request._expire_todo(date(2025, 6, 30), 10))
        with (
            freeze_time("2025-07-01 06:00:00"),
            patch.object(self.env.cr, "commit", lambda: None),
        ):
            Request._cron_expire()
            self.assertEqual(request.state, "expired")
            # Running again (or after a crash) does nothing twice.
            Request._cron_expire()
        self.assertRecordValues(
            self.partner_risk(),
            [
                {
                    "credit_limit": 1000.0,
                    "risk_limit_manual": False,
                    "risk_limit_reason": "Test limit",
                }
            ],
        )
        changes = self.logs(self.customer, "limit_change")
        self.assertEqual(len(changes), 2)
        revert = changes[1]
        self.assertEqual(json.loads(revert.values_before)["credit_limit"], 4000.0)
        self.assertEqual(json.loads(revert.values_after)["credit_limit"], 1000.0)
        self.assertIn("expired", revert.reason)

    def test_expiry_keeps_a_later_decision(self):
        temporary = self.approved(kind="tier", new_tier_id=self.tier_medium.id)
        temporary.sudo().date_expiry = date(2025, 6, 20)
        temporary.with_user(self.user_manager_2).action_apply()
        later = self.approved(kind="tier", new_tier_id=self.tier_high.id)
        later.with_user(self.user_manager_2).action_apply()
        with freeze_time("2025-06-21"):
            self.env["customer.risk.limit.request"]._expire_todo(date(2025, 6, 21), 10)._expire()
        self.assertEqual(temporary.state, "expired")
        self.assertEqual(self.partner_risk().risk_tier_id, self.tier_high)
        self.assertEqual(len(self.logs(self.customer, "tier_change")), 2)

    def test_auditor_reads_and_never_decides(self):
        request = self.propose(new_credit_limit=6000.0)
        auditor = request.with_user(self.user_auditor)
        self.assertEqual(auditor.new_credit_limit, 6000.0)
        for method in ("action_approve", "action_reject", "action_apply"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(auditor, method)()
        with self.assertRaises(AccessError):
            self.propose(user=self.user_auditor, submit=False, new_credit_limit=1.0)
        # Auditors read every credit decision and its configuration (through the risk
        # users' group the auditor group implies), and change none.
        for model in (
            "customer.risk.tier",
            "customer.risk.scorecard",
            "customer.risk.scorecard.factor",
            "customer.risk.scorecard.band",
            "customer.risk.assessment",
            "customer.risk.assessment.line",
            "customer.risk.release",
            "customer.risk.audit.log",
        ):
            with self.subTest(model=model):
                records = self.env[model].with_user(self.user_auditor)
                records.search([], limit=1)
                self.assertFalse(records.has_access("write"))
        # Salespeople do not see limit requests.
        with self.assertRaises(AccessError):
            request.with_user(self.user_sales).read(["state"])

    def test_forms_open_for_every_role(self):
        for user in (self.user_officer, self.user_manager, self.user_auditor):
            with self.subTest(user=user.login):
                self.env["customer.risk.limit.request"].with_user(user).get_views(
                    [(False, "list"), (False, "form"), (False, "search")]
                )
        for user in (self.user_sales, self.user_officer, self.user_auditor, self.user_billing):
            with self.subTest(user=user.login):
                self.env["res.partner"].with_user(user).get_views([(False, "form")])
        action = self.customer.with_user(self.user_officer).action_risk_request_limit_change()
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.propose(new_credit_limit=2500.0)
        partner = self.customer.with_user(self.user_officer).with_company(self.company)
        self.assertEqual(partner.risk_limit_request_count, 1)
