from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestPromise(FollowupCommon):
    def record_promise(self, day, amount, promised, invoices=None, user=None, context=None, **vals):
        Promise = self.env["customer.risk.promise"].with_user(user or self.user_accountant)
        with freeze_time(day):
            return Promise.with_context(**(context or {})).create(
                {
                    "partner_id": self.customer_low.id,
                    "amount": amount,
                    "date": promised,
                    "move_ids": [Command.set(invoices.ids if invoices else [])],
                    **vals,
                }
            )

    def test_open_promise_pauses_escalation_and_a_broken_one_resumes_it(self):
        invoice = self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 8))
        promise = self.record_promise(date(2025, 5, 8), 1000.0, date(2025, 6, 5), invoice)
        self.assertEqual(promise.state, "open")
        self.assertEqual(self.state(self.customer_low).followup_promise_id, promise)
        self.assertEqual(self.state(self.customer_low).followup_next_date, date(2025, 6, 6))
        # The letter is due on 31 May, but the customer promised to pay by 5 June.
        self.run_followups(date(2025, 6, 1))
        self.assertEqual(self.executions(self.customer_low).level_id, self.level_reminder)
        self.pay(invoice, 300.0, date(2025, 6, 2))
        self.check_promises(date(2025, 6, 5))
        self.assertEqual(promise.state, "open")
        self.check_promises(date(2025, 6, 6))
        self.assertEqual(promise.state, "broken")
        alert = self.env["customer.risk.alert"].search(
            [("partner_id", "=", self.customer_low.id), ("rule_code", "=", "broken_promise")]
        )
        self.assertEqual(len(alert), 1)
        self.assertEqual(promise.amount_paid, 300.0)
        self.assertEqual(promise.date_closed, date(2025, 6, 6))
        self.assertTrue(
            self.customer_low.message_ids.filtered(lambda m: "broken" in (m.body or ""))
        )
        activity = self.customer_low.activity_ids
        self.assertEqual(activity.summary, "Broken promise to pay")
        self.assertEqual(activity.user_id, self.user_accountant)
        self.run_followups(date(2025, 6, 6))
        self.assertEqual(
            self.executions(self.customer_low).level_id, self.level_reminder | self.level_letter
        )

    def test_promise_kept_by_payments_on_its_invoices(self):
        invoice = self.make_invoice(self.customer_low, 1100.0, date(2025, 4, 1), date(2025, 5, 1))
        # Paid before the promise was recorded: not a payment on the promise.
        self.pay(invoice, 100.0, date(2025, 5, 5))
        promise = self.record_promise(date(2025, 5, 8), 600.0, date(2025, 6, 5), invoice)
        self.pay(invoice, 400.0, date(2025, 5, 20))
        self.check_promises(date(2025, 5, 21))
        self.assertEqual((promise.state, promise.amount_paid), ("open", 400.0))
        self.pay(invoice, 200.0, date(2025, 6, 2))
        self.check_promises(date(2025, 6, 3))
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 600.0))
        self.assertTrue(self.customer_low.message_ids.filtered(lambda m: "kept" in (m.body or "")))
        self.assertFalse(self.customer_low.activity_ids)
        # No longer paused: the letter level comes back into the next date.
        self.assertEqual(self.state(self.customer_low).followup_next_date, date(2025, 5, 31))

    def test_promise_without_invoices_counts_any_payment_since_recorded(self):
        first = self.make_invoice(self.customer_low, 300.0, date(2025, 4, 1), date(2025, 5, 1))
        second = self.make_invoice(self.customer_low, 700.0, date(2025, 4, 1), date(2025, 5, 1))
        self.pay(first, 300.0, date(2025, 5, 5))
        promise = self.record_promise(date(2025, 5, 8), 500.0, date(2025, 5, 31))
        self.check_promises(date(2025, 5, 9))
        self.assertEqual((promise.state, promise.amount_paid), ("open", 0.0))
        self.pay(second, 500.0, date(2025, 5, 30))
        self.check_promises(date(2025, 6, 1))
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 500.0))

    def test_promise_decided_by_the_check_only(self):
        invoice = self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        with self.assertRaises(AccessError):
            self.record_promise(date(2025, 5, 8), 100.0, date(2025, 6, 5), state="kept")
        # A client's context defaults do not decide either.
        promise = self.record_promise(
            date(2025, 5, 8), 100.0, date(2025, 6, 5), invoice, context={"default_state": "kept"}
        )
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.user_id, self.user_accountant)
        with self.assertRaises(AccessError):
            promise.with_user(self.user_accountant).write({"state": "kept"})
        with self.assertRaises(AccessError):
            self.record_promise(date(2025, 5, 8), 100.0, date(2025, 6, 5), user=self.user_officer)
        self.check_promises(date(2025, 6, 6))
        self.assertEqual(promise.state, "broken")
        with self.assertRaises(UserError):
            promise.with_user(self.user_accountant).write({"date": date(2025, 7, 1)})
        with self.assertRaises(UserError):
            promise.with_user(self.user_accountant).unlink()
        with self.assertRaises(UserError):
            promise.with_user(self.user_accountant).with_context(_force_unlink=True).unlink()

    def test_promise_is_recorded_on_the_commercial_customer(self):
        invoice = self.make_invoice(self.customer_low, 1000.0, date(2025, 4, 1), date(2025, 5, 1))
        with freeze_time(date(2025, 5, 8)):
            action = self.customer_low.with_user(self.user_accountant).action_followup_promise()
            promise = (
                self.env["customer.risk.promise"]
                .with_user(self.user_accountant)
                .with_context(**action["context"])
                .create({"partner_id": self.customer_low.child_ids.id, "date": date(2025, 5, 20)})
            )
        self.assertEqual(promise.partner_id, self.customer_low)
        self.assertEqual(promise.move_ids, invoice)
        self.assertEqual(promise.amount, 1000.0)
