import contextlib
import json

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common_log import CLIENT_CONTEXTS, AuditLogCommon


def values(entry):
    return json.loads(entry.values_before or "null"), json.loads(entry.values_after or "null")


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestDecisionsLogged(AuditLogCommon):
    """Each decision the credit core takes today appears once in the audit log, with its
    values before and after, whatever context keys the client sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier.sudo().single_order_max = 0.0
        cls.user_manager.sudo().with_company(cls.company).risk_release_max_amount = 5000.0

    def refuse(self, order, **context):
        """Confirm ``order`` as the salesperson: refused, and rolled back like a request."""
        with self.assertRaises(UserError):
            self.confirm(order, **context)
        self.run_lasting_hooks(self.env.cr.postrollback)

    def release(self, order):
        action = order.with_user(self.user_sales).action_request_risk_release()
        return self.env["customer.risk.release"].browse(action["res_id"])

    def test_blocked_order_is_logged_once_despite_the_rollback(self):
        order = self.order_as_sales(1200.0)
        for context in CLIENT_CONTEXTS:
            self.refuse(order, **context)
        entries = self.logs(order, "order_blocked")
        self.assertEqual(len(entries), len(CLIENT_CONTEXTS))
        entry = entries[0]
        self.assertEqual(entry.user_id, self.user_sales)
        self.assertEqual(entry.partner_id, self.customer)
        before, after = values(entry)
        self.assertEqual(before, {"state": "draft", "amount_total": 1200.0, "currency": "USD"})
        self.assertEqual(after["confirmation"], "refused")
        self.assertEqual([r["code"] for r in after["reasons"]], ["limit"])
        self.assertIn("Credit limit exceeded", entry.reason)
        self.assertTrue(all(entries.mapped("chain_ok")))

    def test_blocked_order_kept_by_its_transaction_is_not_logged_twice(self):
        order = self.order_as_sales(1200.0)
        # A caller that catches the refusal and commits keeps the entry written in its
        # transaction: the hook after the commit finds it and adds none.
        with contextlib.suppress(UserError):
            self.confirm(order)
        self.assertEqual(len(self.logs(order, "order_blocked")), 1)
        self.run_lasting_hooks(self.env.cr.postcommit)
        self.assertEqual(len(self.logs(order, "order_blocked")), 1)

    def test_release_decisions_are_logged_once(self):
        order = self.order_as_sales(1200.0)
        release = self.release(order)
        release.with_user(self.user_manager).with_context(tracking_disable=True).action_approve()
        self.confirm(order)
        self.assertEqual(
            self.logs(release).mapped("event"),
            ["release_requested", "release_approved", "release_used"],
        )
        requested, approved, used = self.logs(release)
        self.assertEqual(requested.user_id, self.user_sales)
        self.assertEqual(values(requested)[0], {})
        self.assertEqual(values(requested)[1]["amount"], 1200.0)
        self.assertEqual(values(requested)[1]["credit_limit"], 1000.0)
        self.assertEqual(approved.user_id, self.user_manager)
        self.assertEqual(
            values(approved),
            (
                {"state": "pending", "approved_by_id": None, "valid_until": None},
                {
                    "state": "approved",
                    "approved_by_id": [self.user_manager.id, self.user_manager.name],
                    "valid_until": "2025-03-22",
                },
            ),
        )
        self.assertEqual(values(used), ({"state": "approved"}, {"state": "used"}))
        self.assertEqual(used.user_id, self.user_sales)

    def test_rejected_voided_and_first_approvals_are_logged(self):
        rejected = self.release(self.order_as_sales(1200.0))
        manager = rejected.with_user(self.user_manager)
        manager.decision_note = "Too risky"
        manager.action_reject()
        entry = self.logs(rejected, "release_rejected")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.reason, "Too risky")
        self.assertEqual(values(entry)[1]["state"], "rejected")

        order = self.order_as_sales(1200.0)
        voided = self.release(order)
        order.with_user(self.user_sales).order_line.price_unit = 1500.0
        entry = self.logs(voided, "release_expired")
        self.assertEqual(len(entry), 1)
        self.assertEqual(values(entry), ({"state": "pending"}, {"state": "expired"}))
        self.assertIn("Void", entry.reason)

        # Above a manager's authority the first approval is a decision of its own.
        self.user_manager_2.sudo().with_company(self.company).risk_release_max_amount = 500.0
        big = self.release(self.order_as_sales(1200.0))
        big.with_user(self.user_manager_2).action_approve()
        big.with_user(self.user_manager).action_approve()
        first, second = self.logs(big, "release_approved")
        self.assertEqual(
            values(first)[1],
            {"first_approved_by_id": [self.user_manager_2.id, self.user_manager_2.name]},
        )
        self.assertEqual(values(second)[1]["state"], "approved")

    def test_assessment_confirmation_is_logged_once(self):
        self.env(user=self.user_manager)["customer.risk.scorecard"].create(
            {
                "name": "Audit scorecard",
                "company_id": self.company.id,
                "is_default": True,
                "factor_ids": [
                    Command.create({"name": "Judgement", "factor_type": "manual", "weight": 10})
                ],
            }
        )
        assessment = self.env(user=self.user_officer)["customer.risk.assessment"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id}
        )
        assessment.action_compute()
        assessment.line_ids.write({"points": 20.0, "counted": True})
        assessment.write({"tier_id": self.tier_high.id, "tier_reason": "Sector in crisis"})
        assessment.with_context(tracking_disable=True).action_confirm()
        partner = self.partner_risk()
        self.assertEqual(partner.risk_tier_id, self.tier_high)
        entry = self.logs(assessment)
        self.assertEqual(entry.event, "assessment_confirmed")
        self.assertEqual(entry.user_id, self.user_officer)
        self.assertEqual(entry.reason, "Sector in crisis")
        before, after = values(entry)
        self.assertEqual(before["risk_tier_id"], [self.tier.id, self.tier.display_name])
        self.assertEqual(before["credit_limit"], 1000.0)
        self.assertEqual(after["risk_tier_id"], [self.tier_high.id, self.tier_high.display_name])
        self.assertEqual(after["credit_limit"], partner.credit_limit)
        self.assertEqual(after["risk_score"], 20.0)
        self.assertEqual(after["risk_review_date"], str(partner.risk_review_date))
        # One decision, one entry: no separate tier or limit change for the same decision.
        self.assertFalse(self.logs(self.customer))

    def test_server_side_changes_are_logged_with_their_reason(self):
        # Superuser code (an automatic hold, for instance) is no client: it passes, and
        # its change is logged like any other.
        self.set_risk(self.customer, risk_hold=True, risk_hold_reason="Payment incident")
        entry = self.logs(self.customer, "hold_change")
        self.assertEqual(entry.reason, "Payment incident")
        self.assertEqual(
            values(entry),
            (
                {"risk_hold": False, "risk_hold_reason": None},
                {"risk_hold": True, "risk_hold_reason": "Payment incident"},
            ),
        )
        new = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "Imported Ltd", "is_company": True, "credit_limit": 700.0})
        )
        entry = self.logs(new, "limit_change")
        self.assertEqual(values(entry), ({"credit_limit": 0.0}, {"credit_limit": 700.0}))

    def test_configuration_changes_are_logged(self):
        manager = self.env(user=self.user_manager, context={"tracking_disable": True})
        tier = manager["customer.risk.tier"].browse(self.tier_medium.id)
        tier.write({"limit_amount": tier.limit_amount + 100.0, "description": tier.description})
        entry = self.logs(tier)
        self.assertEqual(entry.event, "configuration_change")
        self.assertEqual(list(values(entry)[1]), ["limit_amount"])
        self.assertEqual(values(entry)[1]["limit_amount"] - values(entry)[0]["limit_amount"], 100.0)
        tier.write({"limit_amount": tier.limit_amount})
        self.assertEqual(len(self.logs(tier)), 1)

        scorecard = manager["customer.risk.scorecard"].create(
            {
                "name": "Logged scorecard",
                "company_id": self.company.id,
                "factor_ids": [Command.create({"name": "Delay", "factor_type": "payment_delay"})],
            }
        )
        factor = scorecard.factor_ids
        self.assertEqual(values(self.logs(scorecard))[1]["name"], "Logged scorecard")
        band = manager["customer.risk.scorecard.band"].create(
            {"factor_id": factor.id, "value_from": 0.0, "points": 100.0}
        )
        band.points = 90.0
        band.unlink()
        self.assertEqual(
            [values(e) for e in self.logs(band)][1:],
            [({"points": 100.0}, {"points": 90.0}), (values(self.logs(band)[2])[0], {})],
        )
        self.assertEqual(len(self.logs(factor)), 1)

        # Settings are saved by an administrator on the companies they manage.
        self.company.with_user(self.user_manager).sudo().write({"risk_unassessed_policy": "block"})
        entry = self.logs(self.company, "configuration_change")
        self.assertEqual(
            values(entry), ({"risk_unassessed_policy": "warn"}, {"risk_unassessed_policy": "block"})
        )

        self.user_manager_2.with_user(self.user_manager).with_company(
            self.company
        ).risk_release_max_amount = 800.0
        entry = self.logs(self.user_manager_2, "authority_change")
        self.assertEqual(entry.user_id, self.user_manager)
        self.assertEqual(
            values(entry),
            ({"risk_release_max_amount": 0.0}, {"risk_release_max_amount": 800.0}),
        )
