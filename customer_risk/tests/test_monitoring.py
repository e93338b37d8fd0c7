from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common_monitoring import MonitoringCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestMonitoring(MonitoringCommon):
    """The daily monitoring: event assessments, the auto-apply setting, idempotence."""

    def event_assessments(self, partner=None):
        return self.Assessment.search(
            [("partner_id", "=", (partner or self.customer).id), ("kind", "=", "event")]
        )

    def test_cron_twice_creates_each_alert_and_assessment_once(self):
        # Yesterday's run saw a low-risk customer using 95 % of its limit with an invoice not
        # yet 30 days overdue.
        self.set_risk(self.customer, tier=self.tier_low)
        self.make_invoice(amount=950.0, invoice_date=date(2025, 5, 1), due_date=date(2025, 5, 30))
        self.run_monitor("2025-06-29")
        self.assertEqual(self.open_codes(), ["limit_utilization"])
        self.assertFalse(self.event_assessments())
        # Today the customer is high risk and the invoice is 31 days overdue.
        self.set_risk(self.customer, tier=self.tier_high)
        self.run_monitor()
        self.run_monitor()
        self.assertEqual(self.open_codes(), ["limit_utilization", "tier_downgrade"])
        self.assertEqual(len(self.alerts()), 2)
        assessment = self.event_assessments()
        self.assertEqual(len(assessment), 1)
        self.assertEqual(assessment.state, "draft")
        self.assertIn("more than 30 days overdue", assessment.message_ids[0].body)
        # Even run again for the same customers (a crash before the commit), nothing doubles.
        self.customer.sudo()._risk_monitor(self.company, date(2025, 6, 30))
        self.assertEqual(len(self.alerts()), 2)
        self.assertEqual(len(self.event_assessments()), 1)
        self.assertEqual(len(self.alerts().activity_ids), 2)

    def test_late_payment_event(self):
        invoice = self.make_invoice(
            amount=400.0, invoice_date=date(2025, 4, 1), due_date=date(2025, 4, 30)
        )
        on_time = self.make_invoice(
            amount=100.0, invoice_date=date(2025, 6, 1), due_date=date(2025, 7, 1)
        )
        self.run_monitor("2025-06-29")
        self.pay(on_time, date(2025, 6, 30))
        self.run_monitor()
        self.assertFalse(self.event_assessments(), "paying on time is no event")
        self.pay(invoice, date(2025, 6, 30))
        self.customer.sudo()._risk_monitor(self.company, date(2025, 6, 30))
        assessment = self.event_assessments()
        self.assertEqual(len(assessment), 1)
        self.assertIn("paid 61 days after its due date", assessment.message_ids[0].body)
        self.assertEqual(assessment.activity_ids.user_id, self.user_officer)
        self.assertTrue(assessment.line_ids, "the assessment is computed")

    def test_screening_expiry_event_and_waiting_draft(self):
        self.run_monitor("2025-06-29")
        manual = self.Assessment.create({"partner_id": self.customer.id, "kind": "manual"})
        self.set_risk(self.customer, risk_screening_state="expired")
        self.run_monitor()
        # The draft waiting for the officer gets the reason: no second assessment.
        self.assertFalse(self.event_assessments())
        self.assertIn("screening has expired", manual.message_ids[0].body)
        self.assertIn("screening", self.open_codes())

    def test_trigger_hook_for_new_reports(self):
        partner = self.customer.with_user(self.user_officer)
        first = partner._risk_trigger_event_assessment("New credit report from the agency")
        second = partner._risk_trigger_event_assessment("Another credit report")
        self.assertEqual(first.kind, "event")
        self.assertFalse(second, "the draft already waiting gets the second reason")
        self.assertEqual(len(self.event_assessments()), 1)
        bodies = " ".join(first.message_ids.mapped("body"))
        self.assertIn("New credit report from the agency", bodies)
        self.assertIn("Another credit report", bodies)
        # An event of a contact concerns its company, whose waiting draft gets the reason.
        self.assertFalse(self.contact._risk_trigger_event_assessment("Report on a contact"))
        self.assertIn("Report on a contact", first.message_ids[0].body)

    def test_new_credit_report_is_an_event(self):
        agency = self.env["customer.risk.agency"].sudo().create({"name": "Dagong Credit"})
        self.run_monitor("2025-06-29")
        report = (
            self.env["customer.risk.credit.report"]
            .with_user(self.user_officer)
            .create({"partner_id": self.customer.id, "agency_id": agency.id, "rating": "BB"})
        )
        # Recorded during the day after yesterday's run (the test's clock is frozen).
        report.flush_recordset()
        self.env.cr.execute(
            "UPDATE customer_risk_credit_report SET create_date = %s WHERE id = %s",
            ("2025-06-29 15:00:00", report.id),
        )
        report.invalidate_recordset(["create_date"])
        self.run_monitor()
        assessment = self.event_assessments()
        self.assertEqual(len(assessment), 1)
        self.assertIn("new credit report from Dagong Credit", assessment.message_ids[0].body)
        # The next day's run has nothing new: no second assessment, no repeated reason.
        self.run_monitor("2025-07-01")
        self.assertEqual(len(self.event_assessments()), 1)
        bodies = " ".join(assessment.message_ids.mapped("body"))
        self.assertEqual(bodies.count("new credit report"), 1)

    def test_auto_apply_setting(self):
        self.company.sudo().risk_auto_apply_assessments = True
        assessment = self.customer._risk_trigger_event_assessment("New credit report")
        self.assertEqual(assessment.state, "confirmed")
        self.assertFalse(assessment.activity_ids)
        partner = self.customer.sudo().with_company(self.company)
        self.assertEqual(partner.risk_tier_id, assessment.proposed_tier_id)
        self.assertEqual(assessment.previous_tier_id, self.tier_medium)
        bodies = " ".join(assessment.message_ids.mapped("body"))
        self.assertIn("Confirmed automatically", bodies)
        self.assertIn(f"tier {self.tier_medium.name} → {assessment.tier_id.name}", bodies)
        # Periodic reviews follow the same setting.
        self.set_risk(self.customer, risk_review_date=date(2025, 6, 30))
        with patch.object(self.env.cr, "commit"):
            self.Assessment._cron_periodic_assessments()
        periodic = self.Assessment.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "periodic")]
        )
        self.assertEqual(periodic.state, "confirmed")

    def test_without_auto_apply_an_officer_decides(self):
        self.assertFalse(self.company.risk_auto_apply_assessments)
        assessment = self.customer._risk_trigger_event_assessment("New credit report")
        self.assertEqual(assessment.state, "draft")
        self.assertEqual(assessment.activity_ids.user_id, self.user_officer)
        partner = self.customer.sudo().with_company(self.company)
        self.assertEqual(partner.risk_tier_id, self.tier_medium)

    def test_monitoring_is_batched(self):
        others = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "is_company": True, "customer_rank": 1} for i in range(5)]
        )
        for partner in others:
            self.set_risk(partner, tier=self.tier_medium, limit=100.0)
            self.make_invoice(partner, 95.0, date(2025, 1, 1), date(2025, 1, 31))
        others.sudo()._risk_monitor(self.company, date(2025, 6, 30))
        self.assertEqual(len(self.Alert.search([("partner_id", "in", others.ids)])), 10)

        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partners.sudo()._risk_monitor(self.company, date(2025, 6, 30))
            return self.env.cr.sql_log_count - before

        queries(others[:1])  # warm the caches first
        # Figures are fetched once per batch; per customer only its row is written.
        self.assertLessEqual(queries(others) - queries(others[:1]), 4 * 2)
