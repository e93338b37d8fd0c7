from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import AuditCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestCompliance(AuditCommon):
    """The compliance dashboard's figures, and who reads and writes what."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_officer = cls.env.ref("customer_risk.group_risk_officer")
        cls.group_manager = cls.env.ref("customer_risk.group_risk_manager")
        cls.group_auditor = cls.env.ref("customer_risk_audit.group_risk_auditor")
        cls.company_2 = cls.env["res.company"].create({"name": "Other Risk Company"})
        cls.user_other = new_test_user(
            cls.env,
            "risk_t_other",
            groups="base.group_user,customer_risk.group_risk_manager",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.env["customer.risk.training"].create(
            [
                {
                    "name": "Assessment workshop",
                    "topic": "credit_assessment",
                    "date": date(2025, 1, 10),
                    "attendee_ids": [
                        Command.create({"user_id": cls.user_manager.id, "result": "passed"}),
                        Command.create({"user_id": cls.user_officer.id, "result": "failed"}),
                        Command.create({"user_id": cls.user_other.id, "result": "passed"}),
                    ],
                },
                {
                    "name": "Old screening course",
                    "topic": "screening",
                    "date": date(2023, 1, 10),
                    "attendee_ids": [
                        Command.create({"user_id": cls.user_manager_2.id, "result": "passed"})
                    ],
                },
            ]
        )

    def rows(self, model, **where):
        return (
            self.env[model]
            .sudo()
            .search([])
            .filtered(lambda r: all(r[key] == value for key, value in where.items()))
        )

    def test_training_coverage_by_role(self):
        Coverage = "customer.risk.training.report.coverage"
        managers = self.rows(Coverage, group_id=self.group_manager, company_id=self.company)
        covered = {row.user_id: row.certified for row in managers}
        self.assertTrue(covered[self.user_manager])
        # Failed or expired certificates do not cover anybody.
        self.assertFalse(covered[self.user_manager_2])
        officers = self.rows(Coverage, group_id=self.group_officer, company_id=self.company)
        self.assertFalse({row.user_id: row.certified for row in officers}[self.user_officer])
        row = self.rows(Coverage, user_id=self.user_manager, group_id=self.group_manager)
        self.assertRecordValues(row, [{"topic_count": 1, "last_expiry": date(2026, 1, 10)}])
        auditors = self.rows(Coverage, group_id=self.group_auditor).user_id
        self.assertIn(self.user_auditor, auditors)
        self.assertNotIn(self.user_billing, self.rows(Coverage).user_id)
        # A certificate of one company does not cover another.
        other = self.rows(Coverage, user_id=self.user_other)
        self.assertEqual(other.company_id, self.company_2)
        self.assertFalse(any(other.mapped("certified")))

    def test_unacknowledged_current_policy_per_user(self):
        Report = "customer.risk.policy.report.acknowledgement"
        self.assertFalse(self.rows(Report, company_id=self.company))
        policy = self.env["customer.risk.policy"].create(
            {"name": "Credit Policy", "version": "3", "effective_date": date(2025, 2, 1)}
        )
        policy.action_publish()
        policy.with_user(self.user_officer).action_acknowledge()
        rows = self.rows(Report, company_id=self.company)
        self.assertEqual(rows.policy_id, policy)
        status = {row.user_id: row.acknowledged for row in rows}
        self.assertTrue(status[self.user_officer])
        self.assertFalse(status[self.user_sales])
        self.assertNotIn(self.user_billing, status)
        self.assertNotIn(self.user_other, status)

    def test_access_review_lists_every_member_of_each_risk_role(self):
        Review = "customer.risk.audit.report.access"
        self.user_officer.sudo().name = "Olivia Renamed"
        rows = self.rows(Review, user_id=self.user_officer)
        self.assertIn(self.group_officer, rows.group_id)
        self.assertNotIn(self.group_manager, rows.group_id)
        self.assertTrue(all(row.user_changed_on and row.group_changed_on for row in rows))
        self.assertIn(self.user_auditor, self.rows(Review, group_id=self.group_auditor).user_id)
        # Managers and auditors review access; officers do not.
        self.env[Review].with_user(self.user_auditor).search([])
        self.env[Review].with_user(self.user_manager).search([])
        with self.assertRaises(AccessError):
            self.env[Review].with_user(self.user_officer).search([])
        # Users of another company are another company's review.
        visible = self.env[Review].with_user(self.user_auditor).search([]).user_id
        self.assertNotIn(self.user_other, visible)

    def test_controls_performed_against_due(self):
        self.make_template(items=[{"name": "Reasons reviewed"}])
        releases = self.request_release() | self.request_release() | self.request_release()
        Check = self.env["customer.risk.control.check"]
        checks = Check._risk_checklist_for(releases, "release_approval")
        checks[0].item_ids.with_user(self.user_officer).action_mark_done()
        groups = dict(
            Check.with_user(self.user_auditor)._read_group(
                [("id", "in", checks.ids)], ["state"], ["__count"]
            )
        )
        self.assertEqual(groups, {"complete": 1, "open": 2})

    def test_auditors_read_everything_risk_related_and_write_only_audits(self):
        release = self.request_release()
        self.make_template(items=[{"name": "Reasons reviewed"}])
        check = self.env["customer.risk.control.check"]._risk_checklist_for(
            release, "release_approval"
        )
        auditor = self.user_auditor
        for model in (
            "customer.risk.tier",
            "customer.risk.scorecard",
            "customer.risk.scorecard.factor",
            "customer.risk.scorecard.band",
            "customer.risk.assessment",
            "customer.risk.assessment.line",
            "customer.risk.release",
            "customer.risk.control.template",
            "customer.risk.control.check",
            "customer.risk.control.check.item",
            "customer.risk.training",
            "customer.risk.training.attendee",
            "customer.risk.policy",
            "customer.risk.policy.acknowledgement",
            "customer.risk.training.report.coverage",
            "customer.risk.policy.report.acknowledgement",
        ):
            with self.subTest(model=model):
                self.env[model].with_user(auditor).search([], limit=1)
        self.assertEqual(release.with_user(auditor).amount, 1200.0)
        certificates = self.env["customer.risk.training.attendee"].with_user(auditor).search([])
        self.assertIn(self.user_manager_2, certificates.user_id)
        writes = [
            (check.item_ids, "action_mark_done"),
            (release, "action_approve"),
        ]
        for records, method in writes:
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(records.with_user(auditor), method)()
        for model, vals in (
            ("customer.risk.training", {"name": "Mine", "topic": "screening"}),
            (
                "customer.risk.policy",
                {"name": "P", "version": "9", "effective_date": date(2025, 1, 1)},
            ),
            ("customer.risk.control.template", {"name": "T", "control_point": "write_off"}),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(auditor).create(vals)

    def test_salespeople_see_their_own_findings_and_certificates_only(self):
        audit = (
            self.env["customer.risk.audit"]
            .with_user(self.user_auditor)
            .create(
                {
                    "name": "Q1",
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 3, 31),
                    "scope_ids": [
                        Command.link(
                            self.env.ref(
                                "customer_risk_audit.customer_risk_audit_scope_release_approved"
                            ).id
                        )
                    ],
                }
            )
        )
        audit.action_draw_sample()
        Finding = self.env["customer.risk.audit.finding"].with_user(self.user_auditor)
        mine = Finding.create(
            {
                "audit_id": audit.id,
                "name": "Mine",
                "description": "d",
                "owner_id": self.user_sales.id,
            }
        )
        Finding.create(
            {
                "audit_id": audit.id,
                "name": "Other",
                "description": "d",
                "owner_id": self.user_officer.id,
            }
        )
        as_sales = self.env["customer.risk.audit.finding"].with_user(self.user_sales)
        self.assertEqual(as_sales.search([]), mine)
        with self.assertRaises(AccessError):
            self.env["customer.risk.audit"].with_user(self.user_sales).search([])
        attendees = self.env["customer.risk.training.attendee"].with_user(self.user_sales)
        self.assertFalse(attendees.search([]))
        officer_view = self.env["customer.risk.training.attendee"].with_user(self.user_officer)
        self.assertIn(self.user_manager, officer_view.search([]).user_id)
        # Another company's credit manager sees none of it.
        other = self.user_other
        self.assertFalse(self.env["customer.risk.audit.finding"].with_user(other).search([]))
        self.assertFalse(self.env["customer.risk.training"].with_user(other).search([]))
