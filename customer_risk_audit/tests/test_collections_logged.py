import json
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.customer_risk_collections.tests.common_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestCollectionsLogged(FollowupCommon):
    """The collections flows' decisions — escalations and broken promises — are in the
    audit log once each, with their figures, however often the jobs run."""

    def logs(self, event, partner):
        return (
            self.env["customer.risk.audit.log"]
            .sudo()
            .search([("event", "=", event), ("partner_id", "=", partner.id)])
        )

    def test_escalation_is_logged_once(self):
        invoice = self.make_invoice(self.customer_high, 700.0, date(2025, 3, 1), date(2025, 4, 1))
        self.run_followups(date(2025, 5, 2))
        self.run_followups(date(2025, 5, 3))
        entry = self.logs("followup_escalated", self.customer_high)
        self.assertEqual(len(entry), 1)
        execution = self.executions(self.customer_high).filtered("escalated_to_id")
        self.assertEqual((entry.res_model, entry.res_id), (execution._name, execution.id))
        after = json.loads(entry.values_after)
        self.assertEqual(after["level"], [self.level_high_hold.id, "High: hold"])
        self.assertEqual(after["escalated_to"][0], self.user_manager.id)
        self.assertEqual((after["amount"], after["days_overdue"]), (700.0, 31))
        self.assertEqual(after["items"], [invoice.name])
        self.assertIn("Escalated to", entry.reason)

    def test_broken_promise_is_logged_once(self):
        invoice = self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        with freeze_time(date(2025, 5, 8)):
            promise = (
                self.env["customer.risk.promise"]
                .with_user(self.user_accountant)
                .create(
                    {
                        "partner_id": self.customer_low.id,
                        "amount": 1000.0,
                        "date": date(2025, 6, 5),
                        "move_ids": [Command.set(invoice.ids)],
                    }
                )
            )
        self.pay(invoice, 300.0, date(2025, 6, 2))
        self.check_promises(date(2025, 6, 6))
        self.check_promises(date(2025, 6, 7))
        entry = self.logs("promise_broken", self.customer_low)
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.res_model, entry.res_id), (promise._name, promise.id))
        before, after = json.loads(entry.values_before), json.loads(entry.values_after)
        self.assertEqual(before, {"state": "open", "amount": 1000.0, "date": "2025-06-05"})
        self.assertEqual(
            after, {"state": "broken", "amount_paid": 300.0, "date_closed": "2025-06-06"}
        )

    def test_escalation_waits_for_the_legal_checklist(self):
        self.env["customer.risk.control.template"].create(
            {
                "name": "Before legal action",
                "control_point": "followup_legal",
                "company_id": self.company.id,
                "item_ids": [Command.create({"name": "Lawyer briefed", "mandatory": True})],
            }
        )
        first = self.make_invoice(self.customer_high, 700.0, date(2025, 3, 1), date(2025, 4, 1))
        self.run_followups(date(2025, 5, 2))
        self.assertFalse(self.executions(self.customer_high).filtered("escalated_to_id"))
        self.assertFalse(self.logs("followup_escalated", self.customer_high))
        action = self.customer_high.with_user(self.user_officer).action_open_followup_legal_check()
        check = self.env["customer.risk.control.check"].browse(action["res_id"])
        self.assertEqual((check.control_point, check.state), ("followup_legal", "open"))
        check.item_ids.with_user(self.user_officer).action_mark_done()
        self.run_followups(date(2025, 5, 3))
        self.assertEqual(len(self.logs("followup_escalated", self.customer_high)), 1)
        self.assertTrue(check.gate_passed_on)
        # Paid, then overdue again months later: the next escalation is another decision,
        # with a checklist of its own; the first one stays as it was decided.
        passed_on = check.gate_passed_on
        self.pay(first, 700.0, date(2025, 5, 20))
        self.make_invoice(self.customer_high, 900.0, date(2025, 8, 1), date(2025, 9, 1))
        self.run_followups(date(2025, 10, 2))
        self.assertEqual(len(self.logs("followup_escalated", self.customer_high)), 1)
        action = self.customer_high.with_user(self.user_officer).action_open_followup_legal_check()
        second = self.env["customer.risk.control.check"].browse(action["res_id"])
        self.assertNotEqual(second, check)
        self.assertEqual((second.state, bool(second.gate_passed_on)), ("open", False))
        self.assertEqual(check.gate_passed_on, passed_on)
        second.item_ids.with_user(self.user_officer).action_mark_done()
        self.run_followups(date(2025, 10, 3))
        self.assertEqual(len(self.logs("followup_escalated", self.customer_high)), 2)
        self.assertTrue(second.gate_passed_on)
