from datetime import date
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common_followup import FollowupCommon

ENGINE_LOGGER = "odoo.addons.customer_risk_collections.models.res_partner"


@tagged("post_install", "-at_install")
class TestFollowupRun(FollowupCommon):
    def test_high_risk_reaches_its_first_level_earlier(self):
        """Must show: the same overdue invoice, a stricter plan for the high-risk customer."""
        for customer in (self.customer_low, self.customer_high):
            self.make_invoice(customer, 1000.0, date(2025, 5, 1), date(2025, 6, 10))
        unassessed = self.make_customer("Unassessed Imports")
        self.make_invoice(unassessed, 1000.0, date(2025, 5, 1), date(2025, 6, 10))
        expected = [
            # (day, levels of the low-risk, high-risk and unassessed customers so far)
            (date(2025, 6, 5), [], [self.level_high_friendly], []),
            (
                date(2025, 6, 7),
                [self.level_friendly],
                [self.level_high_friendly],
                [self.level_friendly],
            ),
            (
                date(2025, 6, 11),
                [self.level_friendly],
                [self.level_high_friendly, self.level_high_reminder],
                [self.level_friendly],
            ),
            (
                date(2025, 6, 17),
                [self.level_friendly, self.level_reminder],
                [self.level_high_friendly, self.level_high_reminder],
                [self.level_friendly, self.level_reminder],
            ),
        ]
        for day, low, high, other in expected:
            self.run_followups(day)
            with self.subTest(day=day):
                self.assertEqual(
                    self.executions(self.customer_low).level_id.ids, [lv.id for lv in low]
                )
                self.assertEqual(
                    self.executions(self.customer_high).level_id.ids, [lv.id for lv in high]
                )
                self.assertEqual(self.executions(unassessed).level_id.ids, [lv.id for lv in other])
        # The high-risk customer was reminded of the overdue item on its first day overdue.
        first_overdue = self.executions(self.customer_high).filtered(lambda e: e.days_overdue > 0)
        self.assertEqual(first_overdue.days_overdue, 1)
        self.assertEqual(self.state(self.customer_low).followup_level_id, self.level_reminder)
        self.assertEqual(self.state(self.customer_low).followup_next_level_id, self.level_letter)
        self.assertEqual(self.state(self.customer_low).followup_next_date, date(2025, 7, 10))

    def test_run_twice_and_after_a_failure_reminds_once(self):
        """Must show: each reminder exactly once, whatever the reruns; nothing to a payer."""
        customers = [self.make_customer(f"Customer{i} Ltd", tier=self.tier_low) for i in range(3)]
        for customer in customers:
            self.make_invoice(customer, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        payer = self.make_customer("Payer Ltd", tier=self.tier_low)
        paid = self.make_invoice(payer, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        self.pay(paid, 500.0, date(2025, 5, 20))
        failing = customers[1]
        Execution = type(self.env["customer.risk.followup.execution"])
        action_activity = Execution._action_activity

        def fail_for_one(execution):
            if execution.partner_id == failing:
                raise RuntimeError("The activity service is down")
            return action_activity(execution)

        # The failure comes after the email was queued: both disappear with the customer's
        # savepoint, and the other customers of the chunk go on.
        with (
            patch.object(Execution, "_action_activity", fail_for_one),
            mute_logger(ENGINE_LOGGER),
        ):
            self.run_followups(date(2025, 6, 2), chunk_size=2)
        counts = [(len(self.executions(c)), len(self.reminders(c))) for c in customers]
        self.assertEqual(counts, [(1, 1), (0, 0), (1, 1)])
        self.assertFalse(failing.activity_ids)
        for _run in range(2):
            self.run_followups(date(2025, 6, 2), chunk_size=2)
            counts = [(len(self.executions(c)), len(self.reminders(c))) for c in customers]
            self.assertEqual(counts, [(1, 1), (1, 1), (1, 1)])
        self.assertEqual(self.executions(customers[1]).level_id, self.level_letter)
        self.assertEqual(len(customers[1].activity_ids), 1)
        # The next day changes nothing either: the level was executed in this episode.
        self.run_followups(date(2025, 6, 3))
        self.assertEqual(len(self.executions()), 3)
        self.assertFalse(self.executions(payer))
        self.assertFalse(self.reminders(payer))

    def test_a_failing_customer_keeps_the_others_documented(self):
        first = self.make_customer("First Hold Co", tier=self.tier_low)
        second = self.make_customer("Second Hold Co", tier=self.tier_low)
        for customer in (first, second):
            self.make_invoice(customer, 800.0, date(2025, 3, 1), date(2025, 4, 1))
        # What the commit of the setup would run.
        self.env.cr.precommit.run()
        Execution = type(self.env["customer.risk.followup.execution"])
        action_escalate = Execution._action_escalate

        def fail_for_second(execution):
            if execution.partner_id == second:
                raise RuntimeError("The mail server is down")
            return action_escalate(execution)

        with (
            patch.object(Execution, "_action_escalate", fail_for_second),
            mute_logger(ENGINE_LOGGER),
            freeze_time(date(2025, 6, 5)),
        ):
            action = (first | second).with_user(self.user_accountant).action_followup_process()
        self.assertIn("The mail server is down", action["params"]["message"])
        self.assertEqual(action["params"]["type"], "warning")
        self.assertTrue(self.state(first).risk_hold)
        self.assertFalse(self.state(second).risk_hold)
        self.assertFalse(self.executions(second))
        # What the commit runs: the first customer's hold is tracked in its chatter, even
        # though the second one's work was rolled back after it.
        self.env.cr.precommit.run()
        tracked = first.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "risk_hold"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual((tracked.old_value_integer, tracked.new_value_integer), (0, 1))
        # In the run's note of the customer (one message, not one more of its own).
        self.assertIn("executed", tracked.mail_message_id.body)
        self.assertIn("Put on credit hold", tracked.mail_message_id.body)

    def test_paid_items_are_never_reminded(self):
        first = self.make_invoice(self.customer_low, 300.0, date(2025, 4, 1), date(2025, 5, 1))
        second = self.make_invoice(self.customer_low, 700.0, date(2025, 4, 20), date(2025, 5, 20))
        self.run_followups(date(2025, 5, 8))
        reminder = self.executions(self.customer_low)
        self.assertEqual(reminder.level_id, self.level_reminder)
        self.assertEqual(reminder.move_ids, first)
        self.assertEqual(reminder.amount, 300.0)
        # Paid between two runs: the oldest item is now the second invoice, a new episode.
        self.pay(first, 300.0, date(2025, 5, 25))
        self.run_followups(date(2025, 5, 28))
        latest = self.executions(self.customer_low)[-1]
        self.assertEqual(latest.level_id, self.level_reminder)
        self.assertEqual(latest.episode_date, date(2025, 5, 20))
        self.assertEqual(latest.move_ids, second)
        self.assertIn(second.name, latest.mail_message_id.body)
        self.assertNotIn(first.name, latest.mail_message_id.body)
        # Everything paid: no further reminder, and the follow-up state is cleared.
        self.pay(second, 700.0, date(2025, 6, 10))
        self.run_followups(date(2025, 6, 25))
        self.assertEqual(len(self.executions(self.customer_low)), 2)
        state = self.state(self.customer_low)
        self.assertFalse(state.followup_level_id)
        self.assertFalse(state.followup_next_date)

    def test_email_is_queued_to_the_invoicing_contact_not_sent(self):
        invoice = self.make_invoice(self.customer_low, 1234.5, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 9))
        execution = self.executions(self.customer_low)
        mail = self.reminders(self.customer_low)
        contact = self.customer_low.child_ids
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, contact)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("1,234.50", mail.body_html)
        self.assertIn("Payment reminder", mail.subject)
        self.assertEqual(execution.mail_message_id, mail.mail_message_id)
        self.assertEqual(execution.recipient_id, contact)
        self.assertEqual(
            execution.line_ids,
            invoice.line_ids.filtered(lambda line: line.display_type == "payment_term"),
        )
        self.assertEqual(execution.days_overdue, 8)
        self.assertEqual(execution.trigger, "auto")
        # The email and a note of what was done are in the customer's chatter.
        messages = self.customer_low.message_ids
        self.assertIn(mail.mail_message_id, messages)
        note = messages.filtered(lambda m: "Payment reminder executed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        # The note gives the total; the items are listed once, in the email beside it.
        self.assertIn("Total", note.body)
        self.assertIn("1,234.50", note.body)
        self.assertNotIn(invoice.name, note.body)
        self.assertIn(invoice.name, mail.mail_message_id.body)
        # The chatter copy, sanitized, keeps the table's layout (attributes, not styles).
        self.assertIn('<td align="right">', mail.mail_message_id.body)
        self.assertIn('cellpadding="6"', mail.mail_message_id.body)

    def test_customer_without_email_gets_a_letter_and_an_activity(self):
        silent = self.make_customer("Silent Goods", tier=self.tier_low, email=False)
        invoice = self.make_invoice(silent, 400.0, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 9))
        execution = self.executions(silent)
        self.assertTrue(execution.fallback)
        self.assertTrue(execution.letter)
        self.assertFalse(execution.mail_message_id)
        self.assertFalse(self.reminders(silent))
        self.assertEqual(silent.activity_ids.user_id, self.user_accountant)
        self.assertIn("post the letter", silent.activity_ids.summary)
        self.assertIn("No usable email address", execution.summary)
        note = silent.message_ids.filtered(lambda m: "No usable email address" in (m.body or ""))
        self.assertEqual(len(note), 1)
        # No email in the chatter: the note lists the items the letter covers.
        self.assertIn(invoice.name, note.body)
        # The collector prints the letter from the follow-up log.
        action = execution.with_user(self.user_accountant).action_print_letters()
        self.assertEqual(action["report_name"], "customer_risk_collections.report_followup_letter")
        self.assertTrue(execution.letter_printed)

    def test_disputed_invoices_are_neither_reminded_nor_escalated(self):
        old = self.make_invoice(self.customer_low, 900.0, date(2025, 3, 1), date(2025, 4, 1))
        recent = self.make_invoice(self.customer_low, 100.0, date(2025, 4, 1), date(2025, 5, 1))
        old.with_user(self.user_accountant).write(
            {"followup_disputed": True, "followup_dispute_reason": "Goods returned"}
        )
        self.run_followups(date(2025, 5, 10))
        execution = self.executions(self.customer_low)
        # Without the dispute the oldest item would be 39 days overdue: a letter.
        self.assertEqual(execution.level_id, self.level_reminder)
        self.assertEqual(execution.move_ids, recent)
        self.assertEqual(self.state(self.customer_low).followup_amount_disputed, 900.0)
        recent.with_user(self.user_accountant).write(
            {"followup_disputed": True, "followup_dispute_reason": "Price disagreement"}
        )
        self.assertFalse(self.state(self.customer_low).followup_next_date)
        self.run_followups(date(2025, 7, 10))
        self.assertEqual(self.executions(self.customer_low), execution)
        with self.assertRaises(UserError):
            old.with_user(self.user_accountant).write(
                {"followup_disputed": True, "followup_dispute_reason": False}
            )

    def test_manual_level_waits_for_the_collector(self):
        self.make_invoice(self.customer_low, 800.0, date(2025, 3, 1), date(2025, 4, 1))
        self.run_followups(date(2025, 6, 5))
        self.assertFalse(self.executions(self.customer_low))
        state = self.state(self.customer_low)
        self.assertEqual(state.followup_next_level_id, self.level_final)
        self.assertEqual(state.followup_next_date, date(2025, 5, 31))
        needs_action = (
            self.env["res.partner"]
            .with_user(self.user_accountant)
            .search([("followup_next_date", "<=", date(2025, 6, 5))])
        )
        self.assertIn(self.customer_low, needs_action)
        with self.assertRaises(AccessError):
            self.customer_low.with_user(self.user_accountant).write(
                {"risk_hold": True, "risk_hold_reason": "Collector's own hold"}
            )
        with freeze_time(date(2025, 6, 5)):
            self.customer_low.with_user(self.user_accountant).action_followup_process()
        execution = self.executions(self.customer_low)
        self.assertEqual(execution.level_id, self.level_final)
        self.assertEqual(execution.trigger, "manual")
        self.assertEqual(execution.user_id, self.user_accountant)
        self.assertTrue(execution.hold)
        self.assertTrue(state.risk_hold)
        self.assertIn("Final notice", state.risk_hold_reason)
        self.assertEqual(execution.escalated_to_id, self.user_manager)
        escalation = self.customer_low.activity_ids.filtered(
            lambda a: a.user_id == self.user_manager
        )
        self.assertIn("Escalated", escalation.summary)
        self.assertIn(
            self.user_manager.partner_id,
            self.customer_low.message_ids.filtered(
                lambda m: "Final notice" in (m.body or "")
            ).partner_ids,
        )
        self.assertFalse(state.followup_next_date)
        # Processing again does nothing twice.
        with freeze_time(date(2025, 6, 5)):
            self.customer_low.with_user(self.user_accountant).action_followup_process()
        self.assertEqual(len(self.executions(self.customer_low)), 1)

    def test_manual_mode_postponement_and_exclusion(self):
        for customer in (self.customer_low, self.customer_high):
            self.make_invoice(customer, 500.0, date(2025, 4, 1), date(2025, 5, 1))
        accountant = self.customer_low.with_user(self.user_accountant)
        accountant.write({"followup_mode": "manual"})
        with freeze_time(date(2025, 5, 8)):
            self.env["res.partner.followup.postpone"].with_user(self.user_accountant).create(
                {"partner_ids": self.customer_high.ids, "date": date(2025, 5, 20)}
            ).action_confirm()
        self.run_followups(date(2025, 5, 9))
        self.assertFalse(self.executions())
        self.assertEqual(self.state(self.customer_high).followup_next_date, date(2025, 5, 20))
        self.run_followups(date(2025, 5, 20))
        self.assertEqual(self.executions(self.customer_high).level_id, self.level_high_call)
        self.assertEqual(
            self.customer_high.activity_ids.user_id, self.user_sales, "the salesperson calls"
        )
        # Excluded: not even a collector's "Send now" executes it.
        self.env["res.partner.followup.exclude"].with_user(self.user_accountant).create(
            {"partner_ids": self.customer_low.ids, "reason": "Lawsuit pending"}
        ).action_confirm()
        with freeze_time(date(2025, 5, 20)):
            action = accountant.action_followup_process()
        self.assertIn("excluded", action["params"]["message"])
        self.assertFalse(self.executions(self.customer_low))
        self.assertFalse(self.state(self.customer_low).followup_next_date)
        with freeze_time(date(2025, 5, 20)):
            accountant.action_followup_include()
            accountant.action_followup_process()
        self.assertEqual(self.executions(self.customer_low).level_id, self.level_reminder)

    def test_log_a_call_closes_the_planned_call(self):
        self.make_invoice(self.customer_low, 500.0, date(2025, 3, 1), date(2025, 4, 1))
        self.run_followups(date(2025, 5, 2))
        call = self.customer_low.activity_ids
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.env["res.partner.followup.call"].with_user(self.user_accountant).create(
            {"partner_ids": self.customer_low.ids, "note": "Will pay next Monday"}
        ).action_confirm()
        self.assertFalse(call.exists())
        self.assertTrue(
            self.customer_low.message_ids.filtered(
                lambda m: "Will pay next Monday" in (m.body or "")
            )
        )
        # Without a planned call the call is recorded in the chatter.
        self.env["res.partner.followup.call"].with_user(self.user_accountant).create(
            {"partner_ids": self.customer_low.ids, "note": "No answer"}
        ).action_confirm()
        self.assertTrue(
            self.customer_low.message_ids.filtered(lambda m: "No answer" in (m.body or ""))
        )

    def test_client_context_does_not_silence_follow_ups(self):
        self.make_invoice(self.customer_low, 500.0, date(2025, 3, 1), date(2025, 4, 1))
        quiet = {
            "tracking_disable": True,
            "mail_notrack": True,
            "mail_create_nolog": True,
            "mail_activity_automation_skip": True,
            "mail_notify_force_send": True,
        }
        with freeze_time(date(2025, 5, 2)):
            self.customer_low.with_user(self.user_accountant).with_context(
                **quiet
            ).action_followup_process()
        self.assertEqual(self.executions(self.customer_low).level_id, self.level_letter)
        self.assertTrue(self.customer_low.activity_ids)
        self.assertEqual(self.reminders(self.customer_low).state, "outgoing")

    def test_states_are_gathered_in_batch(self):
        customers = self.env["res.partner"]
        for i in range(6):
            customers |= self.make_customer(f"Batch{i} Trading", tier=self.tier_low)
            self.make_invoice(customers[-1], 100.0, date(2025, 4, 1), date(2025, 5, 1))
        self.run_followups(date(2025, 5, 9))

        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            states = partners._followup_states(self.company, date(2025, 6, 1))
            self.assertEqual({s.plan.due.key for s in states.values()}, {self.level_letter.id})
            return self.env.cr.sql_log_count - before

        queries(customers[:1])  # warm the caches that do not depend on the batch
        self.assertEqual(queries(customers[:2]), queries(customers))

    def test_each_level_is_logged_once_per_episode(self):
        Execution = self.env["customer.risk.followup.execution"].sudo()
        args = (self.customer_low, self.level_reminder, date(2025, 5, 1), self.company, "auto")
        first = Execution._insert_once(*args)
        self.assertTrue(first)
        self.assertFalse(Execution._insert_once(*args))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            Execution.create(
                {
                    "partner_id": self.customer_low.id,
                    "level_id": self.level_reminder.id,
                    "episode_date": date(2025, 5, 1),
                    "company_id": self.company.id,
                }
            )
        # Another episode, or another level, is a new execution.
        self.assertTrue(
            Execution._insert_once(
                self.customer_low, self.level_reminder, date(2025, 6, 1), self.company, "auto"
            )
        )
        self.assertTrue(
            Execution._insert_once(
                self.customer_low, self.level_letter, date(2025, 5, 1), self.company, "auto"
            )
        )
        with self.assertRaises(UserError):
            self.level_reminder.unlink()

    def test_a_chunk_is_executed_set_based(self):
        """Must show: the queries of a run do not grow with its customers (one chunk)."""

        def run(count, day):
            # Customers without contacts: Odoo syncs a customer's contacts on each write.
            customers = self.env["res.partner"].create(
                [
                    {
                        "name": f"Set{count}x{i} Trading",
                        "is_company": True,
                        "customer_rank": 1,
                        "email": f"ap@set{count}x{i}.example.com",
                    }
                    for i in range(count)
                ]
            )
            for customer in customers:
                self.set_risk(customer, tier=self.tier_low)
                self.make_invoice(customer, 100.0, date(2025, 3, 1), date(2025, 4, 1))
            self.env.flush_all()
            self.env.cr.precommit.run()
            self.env.invalidate_all()
            with freeze_time(day), patch.object(self.env.cr, "commit"):
                before = self.env.cr.sql_log_count
                self.env["res.partner"].sudo()._followup_run_chunks(
                    customers.ids, self.company, day, chunk_size=50
                )
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
            executions = self.executions().filtered(lambda e: e.partner_id in customers)
            self.assertEqual(executions.level_id, self.level_letter)
            self.assertEqual(len(executions), count)
            self.assertEqual(len(executions.mail_message_id), count)
            self.assertEqual(len(customers.activity_ids), count)
            return queries

        run(1, date(2025, 5, 2))  # warm the caches that do not depend on the chunk
        self.assertEqual(run(3, date(2025, 5, 2)), run(7, date(2025, 5, 2)))

    def test_follow_up_activities_send_no_email_and_escalations_reach_the_inbox(self):
        self.make_invoice(self.customer_low, 800.0, date(2025, 3, 1), date(2025, 4, 1))
        self.run_followups(date(2025, 5, 2))
        call = self.customer_low.activity_ids
        self.assertEqual(call.user_id, self.user_accountant)
        # The activity is the collector's notice: no email for each one a run creates.
        outgoing = self.env["mail.mail"].sudo().search([("res_id", "=", self.customer_low.id)])
        self.assertEqual(outgoing, self.reminders(self.customer_low))
        with freeze_time(date(2025, 6, 5)):
            self.customer_low.with_user(self.user_accountant).action_followup_process()
        note = self.customer_low.message_ids.filtered(lambda m: "Final notice" in (m.body or ""))
        inbox = note.notification_ids.filtered(
            lambda n: n.res_partner_id == self.user_manager.partner_id
        )
        self.assertEqual(inbox.notification_type, "inbox")
        self.assertFalse(inbox.is_read)
        self.assertIn(
            note,
            self.env["mail.message"]
            .with_user(self.user_manager)
            .search([("needaction", "=", True)]),
        )
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", self.user_manager.partner_id.ids)])
        )
