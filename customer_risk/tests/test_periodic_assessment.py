from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .test_assessment import AssessmentCommon

DUE = date(2025, 6, 1)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestPeriodicAssessment(AssessmentCommon):
    """The nightly periodic job: who gets a To-Do, what is confirmed at once, the one
    summary per reviewer, failures and batching."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Give the punctual payer today the tier, limit and payment terms its figures
        # propose: its periodic review changes nothing.
        probe = cls.Assessment.create({"partner_id": cls.punctual.id})
        probe.action_compute()
        tier = probe.proposed_tier_id
        cls.set_risk(
            cls.punctual,
            tier=tier,
            limit=tier._tier_limit(
                sales_12m=probe.sales_12m, agency_limit=probe.agency_limit or None
            ),
            property_payment_term_id=tier.payment_term_id.id,
        )
        probe.action_cancel()
        cls.Job = cls.env["customer.risk.assessment"].sudo()
        # The summary stays in the officer's inbox (by email it is sent, then deleted).
        cls.user_officer.sudo().notification_type = "inbox"

    def _run_job(self):
        with patch.object(self.env.cr, "commit"):
            self.Job._cron_periodic_assessments()

    def _periodic(self, partner):
        return self.Job.search([("partner_id", "=", partner.id), ("kind", "=", "periodic")])

    def _summaries(self):
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", self.user_officer.partner_id.id),
                ]
            )
        )

    def test_todo_only_where_a_person_decides(self):
        self.set_risk(self.late, risk_review_date=DUE)
        self.set_risk(self.punctual, risk_review_date=DUE)
        before = self._summaries()
        self._run_job()
        # No tier yet: the review proposes one, the officer decides.
        late = self._periodic(self.late)
        self.assertEqual(late.state, "draft")
        self.assertEqual(late.activity_ids.user_id, self.user_officer)
        self.assertEqual(late.activity_ids.summary, "Review the periodic credit assessment")
        # One line per factor of the scorecard, in its company and order.
        self.assertEqual(late.line_ids.factor_id, self.scorecard.factor_ids)
        self.assertEqual(late.line_ids.company_id, self.company)
        self.assertTrue(all(line.sequence == line.factor_id.sequence for line in late.line_ids))
        # Nothing would change: confirmed at once, its next review set, no To-Do.
        same = self._periodic(self.punctual)
        self.assertEqual(same.state, "confirmed")
        self.assertFalse(same.activity_ids)
        self.assertEqual(same.tier_id, self._partner_risk(self.punctual).risk_tier_id)
        self.assertEqual(
            self._partner_risk(self.punctual).risk_review_date,
            date(2025, 6, 30) + relativedelta(months=same.tier_id.review_interval_months),
        )
        self.assertIn(
            "Confirmed automatically by the periodic review",
            " ".join(same.message_ids.mapped("body")),
        )
        # One message for the reviewer, instead of one email per To-Do.
        summaries = self._summaries() - before
        self.assertEqual(len(summaries), 1)
        self.assertIn("2 customers assessed, 1 waiting for your decision", summaries.body)
        self.assertIn("1 confirmed automatically", summaries.body)
        # Run again (a crash and a rerun): nothing twice, no second summary.
        self._run_job()
        self.assertEqual(len(self._periodic(self.late) | self._periodic(self.punctual)), 2)
        self.assertEqual(len(self._summaries() - before), 1)

    def test_a_limit_change_needs_a_decision(self):
        partner = self._partner_risk(self.punctual)
        self.set_risk(self.punctual, limit=partner.credit_limit + 1000.0, risk_review_date=DUE)
        self._run_job()
        assessment = self._periodic(self.punctual)
        self.assertEqual(assessment.state, "draft")
        self.assertTrue(assessment.activity_ids)
        # A manual limit is kept by confirming: nothing changes then.
        assessment.with_user(self.user_officer).action_cancel()
        with freeze_time("2025-07-01"):
            self.set_risk(self.punctual, risk_limit_manual=True, risk_limit_reason="Agreed")
            self._run_job()
            self.assertEqual(
                self._periodic(self.punctual).mapped("state"), ["confirmed", "cancelled"]
            )

    def test_auto_apply_confirms_every_proposal(self):
        self.company.sudo().risk_auto_apply_assessments = True
        self.set_risk(self.late, risk_review_date=DUE)
        self._run_job()
        assessment = self._periodic(self.late)
        self.assertEqual(assessment.state, "confirmed")
        self.assertFalse(assessment.activity_ids)
        self.assertEqual(self._partner_risk(self.late).risk_tier_id, assessment.tier_id)
        self.assertIn(
            "Apply Assessments Automatically", " ".join(assessment.message_ids.mapped("body"))
        )

    def test_a_review_every_zero_months_runs_once_a_day(self):
        tier = self._partner_risk(self.punctual).risk_tier_id
        tier.sudo().review_interval_months = 0
        self.set_risk(self.punctual, risk_review_date=DUE)
        self._run_job()
        # Confirmed with today as its next review date, it is due again, but not today.
        self.assertEqual(self._partner_risk(self.punctual).risk_review_date, date(2025, 6, 30))
        self.assertEqual(len(self._periodic(self.punctual)), 1)

    def test_a_failing_customer_does_not_stop_the_others(self):
        self.set_risk(self.late, risk_review_date=DUE)
        self.set_risk(self.punctual, risk_review_date=DUE)
        Assessment = type(self.Job)
        figures = Assessment._risk_figures

        def failing_for_late(model, partners, company, day):
            if self.late in partners:
                raise ValueError("figures of the late payer unavailable")
            return figures(model, partners, company, day)

        before = self._summaries()
        with (
            patch.object(Assessment, "_risk_figures", failing_for_late),
            mute_logger("odoo.addons.customer_risk.models.customer_risk_assessment"),
        ):
            self._run_job()
        self.assertFalse(self._periodic(self.late))
        self.assertEqual(self._periodic(self.punctual).state, "confirmed")
        self.assertIn("1 could not be assessed", (self._summaries() - before).body)
        # The next run assesses it.
        self._run_job()
        self.assertEqual(self._periodic(self.late).state, "draft")

    def test_the_job_is_batched(self):
        def queries(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Due {count}-{i}", "is_company": True} for i in range(count)]
            )
            for partner in partners:
                self.set_risk(partner, risk_review_date=DUE)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._run_job()
            self.assertEqual(len(self.Job.search([("partner_id", "in", partners.ids)])), count)
            return self.env.cr.sql_log_count - before

        queries(1)  # warm the caches first
        # Figures, assessments, lines and To-Dos are fetched and created per chunk.
        self.assertLessEqual(queries(8) - queries(1), 4)

    def test_job_lines_equal_the_computed_breakdown(self):
        """The job inserts the breakdown lines in one statement: they, the score and the
        proposed tier are what computing the same assessment by hand gives."""
        self.set_risk(self.late, risk_review_date=DUE)
        self._run_job()
        periodic = self._periodic(self.late)
        self.assertEqual(len(periodic), 1)
        manual = self.Assessment.create({"partner_id": self.late.id})
        manual.action_compute()
        fields_ = ["factor_id", "sequence", "company_id", "value", "band_label", "points"]
        fields_ += ["weight", "counted", "contribution"]

        def rows(assessment):
            return [
                tuple(line[name] for name in fields_)
                for line in assessment.line_ids.sorted(lambda li: li.factor_id.id)
            ]

        self.env.invalidate_all()
        self.assertEqual(rows(periodic), rows(manual))
        self.assertTrue(periodic.line_ids.filtered("counted"))
        self.assertEqual(periodic.score, manual.score)
        self.assertEqual(periodic.proposed_tier_id, manual.proposed_tier_id)

    def test_inserted_lines_refuse_bad_points_and_decided_assessments(self):
        Line = self.env["customer.risk.assessment.line"].sudo()
        assessment = self.Assessment.create({"partner_id": self.punctual.id})
        factor = assessment.scorecard_id.factor_ids[:1]
        vals = {"assessment_id": assessment.id, "factor_id": factor.id, "points": 150.0}
        with self.assertRaises(ValidationError):
            Line._risk_insert([vals])
        assessment.action_compute()
        assessment.action_confirm()
        with self.assertRaises(UserError):
            Line._risk_insert([{**vals, "points": 50.0}])
        self.assertEqual(len(assessment.line_ids), len(assessment.scorecard_id.factor_ids))
