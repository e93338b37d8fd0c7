from datetime import date
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common_monitoring import MonitoringCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestAlert(MonitoringCommon):
    """Early-warning alerts: the raise and resolve API, each rule on real figures, who may
    do what, the digest and the order-size check."""

    def rule(self, code):
        return self.env.ref(f"customer_risk.customer_risk_alert_rule_{code}")

    # ------------------------------------------------------------------ API

    def test_raise_twice_keeps_one_open_alert(self):
        first = self.Alert._risk_raise(self.contact, "watchlist_hit", "Found on list A")
        second = self.Alert._risk_raise(
            self.customer, "watchlist_hit", "Found on list B", values={"list": "B"}
        )
        self.assertEqual(first, second)
        self.assertEqual(first.partner_id, self.customer, "alerts concern the company")
        self.assertEqual(first.message, "Found on list B")
        self.assertEqual(first.figures, '{"list": "B"}')
        self.assertEqual((first.severity, first.state), ("critical", "new"))
        self.assertEqual(first.company_id, self.env.company)
        self.assertEqual(first.user_id, self.user_officer)
        self.assertEqual(first.activity_ids.user_id, self.user_officer)
        # Acknowledged is still open; once resolved, the next raise opens a new alert.
        first.with_user(self.user_officer).action_acknowledge()
        self.assertEqual(self.Alert._risk_raise(self.customer, "watchlist_hit", "Again"), first)
        resolved = self.Alert._risk_resolve(self.customer, "watchlist_hit")
        self.assertEqual(resolved, first)
        self.assertEqual(first.state, "resolved")
        third = self.Alert._risk_raise(self.customer, "watchlist_hit", "Again", severity="low")
        self.assertNotEqual(third, first)
        self.assertEqual(third.severity, "low")

    def test_one_open_alert_per_customer_rule_and_company_in_the_database(self):
        alert = self.Alert._risk_raise(self.customer, "broken_promise", "Promise broken")
        vals = {
            "partner_id": self.customer.id,
            "company_id": self.company.id,
            "rule_id": alert.rule_id.id,
            "severity": "high",
        }
        # What a concurrent transaction would meet: the index refuses, and the raise that
        # lost the race leaves the alert to the winner.
        self.assertFalse(self.Alert._risk_create_alerts([vals]))
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.Alert.create(vals)
        self.assertEqual(len(self.alerts()), 1)

    def test_responsible_and_rules_per_company(self):
        rule = self.rule("broken_promise")
        with self.assertRaises(ValidationError):
            rule.responsible_id = self.user_sales
        rule.responsible_id = self.user_manager
        alert = self.Alert._risk_raise(self.customer, "broken_promise", "Promise broken")
        self.assertEqual(alert.activity_ids.user_id, self.user_manager)
        # The company's own archived rule switches the code off in that company only.
        own = rule.copy({"company_id": self.company.id, "active": False})
        self.assertFalse(self.Alert._risk_raise(self.customer, "broken_promise", "Again"))
        own.write({"active": True, "severity": "critical"})
        self.assertEqual(own.code, "broken_promise")
        # The open alert of the code is found whatever the rule instance that raised it.
        self.assertEqual(self.Alert._risk_raise(self.customer, "broken_promise", "Again"), alert)

    def test_no_alert_for_unknown_or_archived_rule(self):
        self.rule("watchlist_hit").active = False
        self.assertFalse(self.Alert._risk_raise(self.customer, "watchlist_hit", "Hit"))
        self.assertFalse(self.Alert._risk_raise(self.customer, "no_such_rule", "Hit"))

    # ------------------------------------------------------------------ rules

    def test_each_rule_on_real_figures_and_resolution(self):
        self.set_risk(self.customer, tier=self.tier_low)
        old = self.make_invoice(
            amount=500.0, invoice_date=date(2025, 3, 1), due_date=date(2025, 3, 31)
        )
        recent = self.make_invoice(
            amount=460.0, invoice_date=date(2025, 5, 30), due_date=date(2025, 6, 29)
        )
        contract = self.env["customer.risk.contract"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2025, 7, 20),
                "obligation_ids": [
                    Command.create(
                        {
                            "name": "Bank guarantee",
                            "obligation_type": "guarantee",
                            "due_date": date(2025, 6, 20),
                        }
                    )
                ],
            }
        )
        contract.action_activate()
        self.run_monitor("2025-06-29")
        self.assertEqual(
            self.open_codes(),
            ["contract_expiring", "limit_utilization", "obligation_overdue", "overdue_days"],
        )
        # Today the recent invoice is overdue too (500 -> 960, +92 %), the customer dropped to
        # a riskier tier, its screening expired and its review is late.
        self.set_risk(
            self.customer,
            tier=self.tier_high,
            risk_screening_state="expired",
            risk_review_date=date(2025, 6, 1),
        )
        self.run_monitor()
        self.assertEqual(
            self.open_codes(),
            [
                "contract_expiring",
                "limit_utilization",
                "obligation_overdue",
                "overdue_days",
                "overdue_jump",
                "review_overdue",
                "screening",
                "tier_downgrade",
            ],
        )
        messages = {a.rule_code: a.message for a in self.alerts()}
        self.assertEqual(
            messages["limit_utilization"],
            "Exposure $\xa0960.00 uses 96% of the credit limit of $\xa01,000.00 (threshold 90%).",
        )
        self.assertEqual(
            messages["overdue_days"],
            "The oldest overdue item is 91 days overdue (threshold 60 days).",
        )
        self.assertIn("from $\xa0500.00 to $\xa0960.00 (+92%", messages["overdue_jump"])
        self.assertEqual(
            messages["tier_downgrade"],
            "The customer's risk tier dropped from Low risk to High risk.",
        )
        self.assertIn("06/01/2025, 29 days ago", messages["review_overdue"])
        self.assertIn("ends on 07/20/2025, in 20 days", messages["contract_expiring"])
        self.assertIn("due on 06/20/2025", messages["obligation_overdue"])
        severities = {a.rule_code: a.severity for a in self.alerts()}
        self.assertEqual(severities["tier_downgrade"], "high")
        self.assertEqual(severities["review_overdue"], "low")
        # Tomorrow the customer has paid, is screened and reviewed, the obligation is met and
        # the contract renewed: the state rules' alerts resolve themselves; the events'
        # alerts stay for an officer.
        self.pay(old | recent, date(2025, 7, 1))
        self.set_risk(
            self.customer, risk_screening_state="approved", risk_review_date=date(2025, 12, 31)
        )
        contract.obligation_ids.action_fulfil()
        contract.termination_reason = "Renewed"
        contract.action_terminate()
        self.run_monitor("2025-07-01")
        self.assertEqual(self.open_codes(), ["overdue_jump", "tier_downgrade"])
        resolved = self.alerts(state="resolved")
        self.assertEqual(len(resolved), 6)
        self.assertFalse(resolved.activity_ids)
        self.assertIn("condition is gone", " ".join(resolved[0].message_ids.mapped("body")))

    def test_screening_expiring_from_the_latest_decided_round(self):
        today = date(2025, 6, 30)
        partner = self.customer.sudo().with_company(self.company)
        Screening = self.env["customer.risk.screening"].sudo()
        # An older round valid for long, the latest decided one ending in 15 days, and a
        # round still in progress (not a decision).
        for day, result, valid_until, decided in (
            (date(2024, 7, 1), "approved", date(2026, 7, 1), "2024-07-02 10:00:00"),
            (date(2025, 1, 15), "conditional", date(2025, 7, 15), "2025-01-16 10:00:00"),
        ):
            Screening.create({"partner_id": self.customer.id, "date": day}).write(
                {
                    "state": "decided",
                    "result": result,
                    "valid_until": valid_until,
                    "decision_date": decided,
                }
            )
        Screening.create({"partner_id": self.customer.id, "date": date(2025, 6, 1)})
        self.assertEqual(
            partner._risk_screening_valid_until(self.company),
            {self.customer.id: date(2025, 7, 15)},
        )
        other = self.env["res.partner"].create({"name": "Never Screened", "is_company": True})
        self.assertEqual(other._risk_screening_valid_until(self.company), {other.id: None})
        self.Alert._risk_evaluate(partner, self.company, today)
        alert = self.alerts(rule_code="screening")
        self.assertIn("expires on 07/15/2025, in 15 days", alert.message)

    # ------------------------------------------------------------------ people

    def test_officers_handle_alerts_salespeople_read_their_own(self):
        alert = self.Alert._risk_raise(self.customer, "watchlist_hit", "Hit")
        as_sales = alert.with_user(self.user_sales)
        self.assertEqual(as_sales.message, "Hit")
        self.assertEqual(self.customer.with_user(self.user_sales).risk_alert_count, 1)
        with self.assertRaises(AccessError):
            as_sales.action_acknowledge()
        with self.assertRaises(AccessError):
            as_sales.write({"note": "Seen"})
        # Another salesperson does not see this customer's alerts.
        other = self.env["customer.risk.alert"].with_user(self.user_sales_2)
        self.assertFalse(other.search([("id", "=", alert.id)]))
        # The officer acknowledges, notes and resolves; the figures stay the rule's.
        as_officer = alert.with_user(self.user_officer)
        as_officer.action_acknowledge()
        self.assertEqual(
            (alert.state, alert.acknowledged_by_id), ("acknowledged", self.user_officer)
        )
        self.assertFalse(alert.activity_ids, "the officer's To-Do is done")
        as_officer.write({"note": "Called the customer", "user_id": self.user_manager.id})
        with self.assertRaises(AccessError):
            as_officer.write({"message": "Nothing to see"})
        with self.assertRaises(AccessError):
            as_officer.write({"state": "resolved"})
        with self.assertRaises(AccessError):
            self.env["customer.risk.alert"].with_user(self.user_manager).create(
                {"partner_id": self.customer.id, "rule_id": alert.rule_id.id, "severity": "low"}
            )
        as_officer.action_resolve()
        self.assertEqual((alert.state, alert.resolved_by_id), ("resolved", self.user_officer))
        with self.assertRaises(UserError):
            as_officer.action_resolve()
        # Rules are the managers'.
        with self.assertRaises(AccessError):
            alert.rule_id.with_user(self.user_officer).threshold = 5
        alert.rule_id.with_user(self.user_manager).threshold = 5

    def test_multi_company(self):
        other = self.env["res.company"].sudo().create({"name": "Other Risk Company"})
        alert = self.Alert._risk_raise(self.customer, "watchlist_hit", "Hit", company=other)
        self.assertEqual(alert.company_id, other)
        self.assertNotEqual(self.Alert._risk_raise(self.customer, "watchlist_hit", "Hit"), alert)
        as_officer = self.env["customer.risk.alert"].with_user(self.user_officer)
        self.assertFalse(as_officer.search([("id", "=", alert.id)]))

    def test_kanban_columns_most_severe_first(self):
        self.Alert._risk_raise(self.customer, "review_overdue", "Late review")
        groups = (
            self.env["customer.risk.alert"]
            .with_user(self.user_officer)
            .read_group([], ["severity"], ["severity"])
        )
        self.assertEqual([g["severity"] for g in groups], ["critical", "high", "medium", "low"])

    # ------------------------------------------------------------------ digest

    def test_digest_lists_each_new_alert_once(self):
        self.Alert._risk_raise(self.customer, "watchlist_hit", "Found on list A")
        self.Alert._risk_raise(self.contact, "broken_promise", "Promise of June broken")
        mails = self.env["mail.mail"].sudo()
        before = mails.search([])
        self.Alert._cron_send_digest()
        sent = mails.search([]) - before
        officer_mail = sent.filtered(lambda m: self.user_officer.partner_id in m.recipient_ids)
        self.assertEqual(len(officer_mail), 1)
        self.assertEqual(officer_mail.state, "outgoing", "queued, not sent in the transaction")
        self.assertIn("Found on list A", officer_mail.body_html)
        self.assertIn("Promise of June broken", officer_mail.body_html)
        self.assertIn("Risky Customer Ltd", officer_mail.body_html)
        self.assertFalse(sent.filtered(lambda m: self.user_sales.partner_id in m.recipient_ids))
        before = mails.search([])
        self.Alert._cron_send_digest()
        self.assertFalse(mails.search([]) - before)

    # ------------------------------------------------------------------ order size

    def run_size_job(self):
        with patch.object(self.env.cr, "commit"):
            self.env["sale.order"].sudo()._cron_risk_order_size()

    def test_order_far_above_usual_size(self):
        self.set_risk(self.customer, limit=100000.0)
        with freeze_time("2025-03-01"):
            for amount in (100.0, 300.0):
                self.make_order(amount=amount).action_confirm()
        usual = self.make_order(amount=600.0, user=self.user_sales)
        usual.with_user(self.user_sales).action_confirm()
        self.assertTrue(usual.sudo().risk_size_check_pending)
        trigger = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search([("cron_id", "=", self.env.ref("customer_risk.ir_cron_risk_order_size").id)])
        )
        self.assertTrue(trigger, "the comparison is queued")
        self.run_size_job()
        self.assertFalse(usual.sudo().risk_size_check_pending)
        self.assertFalse(self.alerts(rule_code="order_size"), "3 times 200 is usual")
        big = self.make_order(amount=1400.0)
        big.action_confirm()
        self.run_size_job()
        alert = self.alerts(rule_code="order_size")
        self.assertEqual(
            alert.message,
            f"Order {big.name} of $\xa01,400.00 is 4.2 times the customer's average order of "
            "the last 12 months ($\xa0333.33).",
        )
        self.run_size_job()
        self.assertEqual(len(self.alerts(rule_code="order_size")), 1)
