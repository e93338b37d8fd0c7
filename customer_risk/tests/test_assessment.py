from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import CustomerRiskCommon


class AssessmentCommon(CustomerRiskCommon):
    """A small scorecard, a late payer and an on-time payer with real invoices and
    payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A small scorecard, this company's default, so the expected scores stay readable.
        cls.scorecard = cls.env(user=cls.user_manager)["customer.risk.scorecard"].create(
            {
                "name": "Test scorecard",
                "company_id": cls.company.id,
                "is_default": True,
                "factor_ids": [
                    cls._factor(
                        "Delay", "payment_delay", 40, [(0, 1, 100), (1, 30, 60), (30, 0, 0)]
                    ),
                    cls._factor("Overdue", "overdue_ratio", 20, [(0, 10, 100), (10, 0, 20)]),
                    cls._factor(
                        "Screening",
                        "screening",
                        20,
                        [(0, 1, 0), (1, 2, 30), (2, 3, 70), (3, 0, 100)],
                    ),
                    cls._factor("Judgement", "manual", 20, []),
                    cls._factor("Rating", "external_rating", 50, [(0, 0, 100)]),
                ],
            }
        )
        # Late payer: 1,000 paid 40 days late and 3,000 on time (10 days on average);
        # 1,000 overdue out of 4,000 open (25 %).
        cls.late = cls.customer
        cls._paid_invoice(cls.late, 5000.0, "2024-03-01", "2024-03-31", "2024-05-01")  # too old
        cls._paid_invoice(cls.late, 1000.0, "2025-01-29", "2025-02-28", "2025-04-09")
        cls._paid_invoice(cls.late, 3000.0, "2025-03-01", "2025-03-31", "2025-03-31")
        cls.make_invoice(cls.late, 1000.0, date(2025, 5, 1), date(2025, 5, 31))
        cls.make_invoice(cls.late, 3000.0, date(2025, 6, 15), date(2025, 7, 15))
        # On-time payer, screened and approved, with a refund.
        cls.punctual = cls.env["res.partner"].create(
            {"name": "Punctual Payer SA", "is_company": True, "customer_rank": 1}
        )
        cls.set_risk(cls.punctual, risk_screening_state="approved")
        cls._paid_invoice(cls.punctual, 2000.0, "2025-05-01", "2025-05-31", "2025-05-20")
        cls.make_invoice(cls.punctual, 500.0, date(2025, 6, 1), move_type="out_refund")
        cls.Assessment = cls.env(user=cls.user_officer)["customer.risk.assessment"]

    @classmethod
    def _factor(cls, name, factor_type, weight, bands):
        return Command.create(
            {
                "name": name,
                "factor_type": factor_type,
                "weight": weight,
                "band_ids": [
                    Command.create({"value_from": lower, "value_to": upper, "points": points})
                    for lower, upper, points in bands
                ],
            }
        )

    @classmethod
    def _paid_invoice(cls, partner, amount, invoice_date, due_date, payment_date):
        invoice = cls.make_invoice(
            partner, amount, date.fromisoformat(invoice_date), date.fromisoformat(due_date)
        )
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": payment_date})._create_payments()
        return invoice

    def _assess(self, partner, **vals):
        assessment = self.Assessment.create(
            {"partner_id": partner.id, "company_id": self.company.id, **vals}
        )
        assessment.action_compute()
        return assessment

    def _line(self, assessment, factor_type):
        return assessment.line_ids.filtered(lambda line: line.factor_type == factor_type)

    def _decision_message(self, partner):
        return partner.message_ids.filtered(lambda m: "Credit assessment" in m.body)[:1]

    def _partner_risk(self, partner):
        return partner.sudo().with_company(self.company)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestAssessment(AssessmentCommon):
    """Scoring real invoices and payments, confirming, and the periodic reviews."""

    def test_score_of_a_late_payer(self):
        assessment = self._assess(self.late)
        self.assertEqual(assessment.scorecard_id, self.scorecard)
        self.assertRecordValues(
            assessment.line_ids.sorted("sequence"),
            [
                {"value": 10.0, "points": 60.0, "weight": 40.0, "counted": True},
                {"value": 25.0, "points": 20.0, "weight": 20.0, "counted": True},
                {"value": 1.0, "points": 30.0, "weight": 20.0, "counted": True},
                {"value": 0.0, "points": 0.0, "weight": 20.0, "counted": False},
                {"value": 0.0, "points": 0.0, "weight": 50.0, "counted": False},
            ],
        )
        # (60 * 40 + 20 * 20 + 30 * 20) / 80: manual and external rating have no value yet.
        self.assertEqual(assessment.score, 42.5)
        self.assertEqual(assessment.proposed_tier_id, self.tier_medium)
        self.assertEqual(assessment.tier_id, self.tier_medium)
        self.assertEqual(self._line(assessment, "payment_delay").contribution, 30.0)
        self.assertEqual(self._line(assessment, "external_rating").band_label, "No figure")
        self.assertEqual(assessment.sales_12m, 8000.0)
        self.assertEqual(assessment.assessed_by_id, self.user_officer)
        self.assertIn('"overdue_receivables": 1000.0', assessment.inputs)

    def test_score_of_an_on_time_payer(self):
        assessment = self._assess(self.punctual)
        self.assertEqual(self._line(assessment, "payment_delay").value, 0.0)
        self.assertEqual(self._line(assessment, "screening").value, 3.0)
        # Only a refund is open: nothing is overdue.
        self.assertEqual(self._line(assessment, "overdue_ratio").value, 0.0)
        self.assertEqual(assessment.score, 100.0)
        self.assertEqual(assessment.proposed_tier_id, self.tier_low)
        self.assertEqual(assessment.sales_12m, 1500.0)

    def test_batch_compute_of_several_customers(self):
        assessments = self.Assessment.create(
            [{"partner_id": p.id} for p in (self.late, self.punctual)]
        )
        assessments.action_compute()
        self.assertEqual(assessments.mapped("score"), [42.5, 100.0])

    def test_manual_factor_points(self):
        assessment = self._assess(self.late)
        manual = self._line(assessment, "manual")
        manual.write({"points": 0.0, "counted": True, "note": "Management changed"})
        # (60 * 40 + 20 * 20 + 30 * 20 + 0 * 20) / 100
        self.assertEqual(assessment.score, 34.0)
        self.assertEqual(assessment.proposed_tier_id, self.tier_high)
        # Computing again keeps what the officer typed.
        assessment.action_compute()
        self.assertEqual(manual.points, 0.0)
        self.assertTrue(manual.counted)
        self.assertEqual(assessment.score, 34.0)

    def test_screening_factor(self):
        for state, value, points in (
            ("rejected", 0.0, 0.0),
            ("expired", 0.0, 0.0),
            ("in_progress", 1.0, 30.0),
            ("conditional", 2.0, 70.0),
            ("approved", 3.0, 100.0),
        ):
            with self.subTest(state=state):
                self.set_risk(self.late, risk_screening_state=state)
                line = self._line(self._assess(self.late), "screening")
                self.assertEqual((line.value, line.points), (value, points))

    def test_default_scorecard_covers_every_factor(self):
        self.scorecard.is_default = False
        self.set_risk(self.late, limit=8000.0, risk_limit_reason="Test")
        assessment = self._assess(self.late)
        default = self.env.ref("customer_risk.customer_risk_scorecard_default")
        self.assertEqual(assessment.scorecard_id, default)
        values = {line.factor_type: line for line in assessment.line_ids}
        self.assertEqual(len(values), 9)
        self.assertEqual(values["credit_utilization"].value, 50.0)  # 4,000 / 8,000
        self.assertEqual(values["relationship_age"].value, 15.0)  # since 2024-03-01
        self.assertEqual(values["sales_volume"].value, 8000.0)
        for factor_type in ("external_rating", "financial_ratios", "manual"):
            self.assertFalse(values[factor_type].counted, factor_type)
        self.assertTrue(0 < assessment.score < 100)

    def test_credit_utilization_needs_a_limit(self):
        self.scorecard.is_default = False
        assessment = self._assess(self.punctual)
        self.assertFalse(self._line(assessment, "credit_utilization").counted)

    def test_confirm_applies_tier_limit_and_review_date(self):
        terms = self.env.ref("account.account_payment_term_30days")
        self.tier_medium.with_user(self.user_manager).payment_term_id = terms
        assessment = self._assess(self.late)
        assessment.action_confirm()
        partner = self._partner_risk(self.late)
        self.assertRecordValues(
            partner,
            [
                {
                    "risk_tier_id": self.tier_medium.id,
                    "risk_score": 42.5,
                    "credit_limit": 30000.0,
                    "risk_review_date": date(2025, 12, 30),
                    "property_payment_term_id": terms.id,
                    "risk_limit_manual": False,
                }
            ],
        )
        self.assertRecordValues(
            assessment,
            [
                {
                    "state": "confirmed",
                    "confirmed_by_id": self.user_officer.id,
                    "credit_limit": 30000.0,
                    "next_review_date": date(2025, 12, 30),
                    "previous_tier_id": False,
                }
            ],
        )
        self.assertEqual(partner.risk_available_credit, 26000.0)
        message = self._decision_message(self.late)
        self.assertIn("Medium risk", message.body)
        self.assertIn("42.5", message.body)
        self.assertEqual(message.author_id, self.user_officer.partner_id)
        self.assertIn(assessment, self.late.risk_assessment_ids)
        # A confirmed assessment is a documented decision.
        with self.assertRaises(UserError):
            assessment.with_user(self.user_officer).tier_id = self.tier_low
        with self.assertRaises(UserError):
            self._line(assessment, "manual").with_user(self.user_officer).points = 50.0
        with self.assertRaises(UserError):
            assessment.sudo().unlink()
        # Odoo's uninstallation flag, sent by a client, switches no deletion rule off.
        with self.assertRaises(UserError):
            assessment.sudo().with_context(_force_unlink=True).unlink()
        with self.assertRaises(UserError):
            assessment.line_ids.sudo().with_context(_force_unlink=True).unlink()
        self.assertTrue(assessment.exists() and assessment.line_ids.exists())

    def test_officer_without_email_can_confirm(self):
        self.user_officer.sudo().partner_id.email = False
        assessment = self._assess(self.late)
        assessment.action_confirm()
        self.assertEqual(assessment.state, "confirmed")
        message = self._decision_message(self.late)
        self.assertEqual(message.author_id, self.user_officer.partner_id)

    def test_confirm_keeps_a_manual_limit(self):
        self.set_risk(
            self.late, limit=777.0, risk_limit_manual=True, risk_limit_reason="Bank guarantee"
        )
        assessment = self._assess(self.late)
        assessment.action_confirm()
        partner = self._partner_risk(self.late)
        self.assertTrue(partner.risk_limit_manual)
        self.assertEqual(partner.credit_limit, 777.0)
        self.assertEqual(partner.risk_tier_id, self.tier_medium)
        self.assertIn("manual credit limit", self._decision_message(self.late).body)

    def test_tier_override_needs_a_reason(self):
        assessment = self._assess(self.late)
        assessment.tier_id = self.tier_high
        with self.assertRaises(UserError):
            assessment.action_confirm()
        assessment.tier_reason = "Sector in crisis"
        assessment.action_confirm()
        self.assertEqual(self._partner_risk(self.late).risk_tier_id, self.tier_high)
        self.assertEqual(self._partner_risk(self.late).credit_limit, 5000.0)

    def test_confirm_needs_a_computed_assessment(self):
        assessment = self.Assessment.create({"partner_id": self.late.id})
        with self.assertRaises(UserError):
            assessment.action_confirm()

    def test_officer_required(self):
        assessment = self._assess(self.late)
        as_sales = assessment.with_user(self.user_sales)
        self.assertEqual(as_sales.score, 42.5)  # salespeople read
        for action in ("action_compute", "action_confirm", "action_cancel"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(as_sales, action)()
        with self.assertRaises(AccessError):
            self.late.with_user(self.user_sales).action_risk_assess()
        with self.assertRaises(AccessError):
            self.env["customer.risk.assessment"].with_user(self.user_sales).create(
                {"partner_id": self.late.id}
            )
        self.assertFalse(self._partner_risk(self.late).risk_tier_id)

    def test_assess_button(self):
        action = self.late.with_user(self.user_officer).action_risk_assess()
        first = self.Assessment.browse(action["res_id"])
        self.assertEqual((first.kind, first.state), ("initial", "draft"))
        self.assertTrue(first.line_ids)
        # The draft is reopened rather than duplicated.
        action = self.contact.with_user(self.user_officer).action_risk_assess()
        self.assertEqual(action["res_id"], first.id)
        first.action_confirm()
        action = self.late.with_user(self.user_officer).action_risk_assess()
        self.assertEqual(self.Assessment.browse(action["res_id"]).kind, "manual")
        self.assertEqual(self.late.with_user(self.user_officer).risk_assessment_count, 2)

    def test_cancel_and_reset(self):
        assessment = self._assess(self.late)
        assessment.action_cancel()
        with self.assertRaises(UserError):
            assessment.action_confirm()
        assessment.action_draft()
        assessment.action_confirm()
        self.assertEqual(assessment.state, "confirmed")

    def test_periodic_cron_assesses_only_due_customers(self):
        already = self.env["res.partner"].create({"name": "Already Drafted", "is_company": True})
        later = self.env["res.partner"].create({"name": "Reviewed Later", "is_company": True})
        self.set_risk(self.late, risk_review_date=date(2025, 6, 1))
        self.set_risk(already, risk_review_date=date(2025, 6, 30))
        self.set_risk(later, risk_review_date=date(2025, 7, 1))
        self.Assessment.create({"partner_id": already.id})
        with patch.object(self.env.cr, "commit"):
            self.Assessment.sudo()._cron_periodic_assessments()
        periodic = self.Assessment.search([("kind", "=", "periodic")])
        self.assertEqual(periodic.partner_id, self.late)
        self.assertEqual(periodic.date, date(2025, 6, 30))
        self.assertEqual(periodic.score, 42.5)
        self.assertEqual(periodic.activity_ids.user_id, self.user_officer)
        self.assertEqual(self.Assessment.search_count([("partner_id", "=", already.id)]), 1)
        self.assertFalse(self.Assessment.search([("partner_id", "=", later.id)]))
        # Running again does nothing twice.
        with patch.object(self.env.cr, "commit"):
            self.Assessment.sudo()._cron_periodic_assessments()
        self.assertEqual(self.Assessment.search_count([("kind", "=", "periodic")]), 1)
        # Confirming the review closes its to-do.
        periodic.with_user(self.user_officer).action_confirm()
        self.assertFalse(periodic.activity_ids)
        self.assertEqual(self._partner_risk(self.late).risk_review_date, date(2025, 12, 30))

    def test_figures_are_gathered_in_batch(self):
        def queries(partners):
            assessments = self.Assessment.create([{"partner_id": p.id} for p in partners])
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            assessments._gather_figures(self.company, date(2025, 6, 30))
            return self.env.cr.sql_log_count - before

        queries(self.late)  # warm the caches (rules, accounts) first
        self.assertEqual(queries(self.late + self.punctual), queries(self.late))

    def test_multi_company(self):
        other = self.env["res.company"].sudo().create({"name": "Other Risk Company"})
        in_other = (
            self.env["customer.risk.assessment"]
            .sudo()
            .with_company(other)
            .create({"partner_id": self.late.id, "company_id": other.id})
        )
        in_other.action_compute()
        in_other.action_confirm()
        # The decision applies in its own company only...
        self.assertEqual(self.late.sudo().with_company(other).risk_tier_id, in_other.tier_id)
        self.assertFalse(self._partner_risk(self.late).risk_tier_id)
        # ...and officers of other companies do not see it.
        self.assertNotIn(in_other, self.Assessment.search([("partner_id", "=", self.late.id)]))

    def test_one_default_scorecard_per_company(self):
        with self.assertRaises(ValidationError):
            self.scorecard.copy({"is_default": True})

    def test_views_for_each_role(self):
        for user, sees_assess in ((self.user_sales, False), (self.user_officer, True)):
            with self.subTest(user=user.login):
                Partner = self.env["res.partner"].with_user(user)
                arch = Partner.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertIn("risk_assessment_ids", arch)
                self.assertEqual("action_risk_assess" in arch, sees_assess)
                views = self.Assessment.with_user(user).get_views(
                    [(False, "list"), (False, "form"), (False, "search"), (False, "pivot")]
                )
                self.assertEqual("action_confirm" in views["views"]["form"]["arch"], sees_assess)
