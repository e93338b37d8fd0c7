from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import AuditCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestTrainingPolicy(AuditCommon):
    """With the setting on, approving takes a valid certificate on credit assessment and the
    current policy acknowledged; certificates about to expire remind their holders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Training = cls.env["customer.risk.training"]
        cls.Policy = cls.env["customer.risk.policy"]

    @classmethod
    def train(
        cls, user, topic="credit_assessment", when=date(2025, 1, 10), result="passed", **vals
    ):
        training = cls.Training.with_user(cls.user_officer).create(
            {
                "name": f"{topic} training",
                "topic": topic,
                "date": when,
                "attendee_ids": [Command.create({"user_id": user.id, "result": result})],
                **vals,
            }
        )
        return training.attendee_ids

    @classmethod
    def publish(cls, version="1", effective=date(2025, 1, 1), company=None):
        policy = cls.Policy.with_user(cls.user_officer).create(
            {
                "name": "Credit Policy",
                "version": version,
                "effective_date": effective,
                "company_id": (company or cls.company).id,
            }
        )
        policy.action_publish()
        return policy

    def require(self, value=True):
        self.company.sudo().risk_require_qualification = value

    def test_without_the_setting_anyone_with_authority_approves(self):
        release = self.request_release()
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "approved")

    def test_certificate_and_acknowledgement_are_required_to_approve(self):
        self.require()
        policy = self.publish()
        release = self.request_release()
        approve = release.with_user(self.user_manager).action_approve
        with self.assertRaisesRegex(
            UserError, "no valid training certificate on Credit Assessment"
        ):
            approve()
        self.train(self.user_manager)
        with self.assertRaisesRegex(UserError, r"Credit Policy \(version 1\) is not acknowledged"):
            approve()
        policy.with_user(self.user_manager).action_acknowledge()
        approve()
        self.assertEqual(release.state, "approved")

    def test_only_a_valid_certificate_on_the_topic_counts(self):
        self.require()
        cases = [
            # topic, training date, result, validity (months)
            ("credit_assessment", date(2023, 1, 10), "passed", 12),  # expired in 2024
            ("credit_assessment", date(2025, 1, 10), "failed", 12),
            ("credit_assessment", date(2025, 1, 10), "absent", 12),
            ("screening", date(2025, 1, 10), "passed", 12),  # another topic
        ]
        release = self.request_release()
        for topic, when, result, months in cases:
            self.train(self.user_manager, topic, when, result, validity_months=months)
        with self.assertRaisesRegex(UserError, "no valid training certificate"):
            release.with_user(self.user_manager).action_approve()
        # A certificate that never expires counts.
        self.train(self.user_manager, when=date(2020, 1, 1), validity_months=0)
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "approved")

    def test_a_newer_policy_needs_a_new_acknowledgement(self):
        self.require()
        self.train(self.user_manager)
        first = self.publish()
        first.with_user(self.user_manager).action_acknowledge()
        # A version published now but effective later is not current yet.
        future = self.publish(version="2", effective=date(2025, 4, 1))
        self.assertTrue(first.is_current)
        self.assertFalse(future.is_current)
        self.assertEqual(self.Policy.search([("is_current", "=", True)]), first)
        self.publish(version="3", effective=date(2025, 3, 1))
        with self.assertRaisesRegex(UserError, r"version 3\) is not acknowledged"):
            self.request_release().with_user(self.user_manager).action_approve()

    def test_publishing_asks_the_team_to_acknowledge(self):
        policy = self.publish()
        todo_users = policy.activity_ids.user_id
        self.assertIn(self.user_sales, todo_users)
        self.assertIn(self.user_manager, todo_users)
        self.assertNotIn(self.user_accountant_ro, todo_users)
        as_sales = policy.with_user(self.user_sales)
        self.assertFalse(as_sales.acknowledged)
        as_sales.action_acknowledge()
        as_sales.action_acknowledge()
        acknowledgement = policy.acknowledgement_ids
        self.assertRecordValues(acknowledgement, [{"user_id": self.user_sales.id, "version": "1"}])
        self.assertTrue(as_sales.acknowledged)
        self.assertNotIn(self.user_sales, policy.activity_ids.user_id)
        # Acknowledgements are made by the button only, and never changed.
        Acknowledgement = self.env["customer.risk.policy.acknowledgement"]
        with self.assertRaises(AccessError):
            Acknowledgement.with_user(self.user_sales).create(
                {"policy_id": policy.id, "user_id": self.user_manager.id}
            )
        for user in (self.user_sales, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                acknowledgement.with_user(user).write({"date": "2024-01-01 00:00:00"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                acknowledgement.with_user(user).unlink()

    def test_policies_are_read_by_everyone_and_managed_by_the_credit_team(self):
        draft = self.Policy.with_user(self.user_officer).create(
            {"name": "Credit Policy", "version": "2", "effective_date": date(2025, 6, 1)}
        )
        published = self.publish()
        # An employee outside the credit team reads and acknowledges the published version.
        employee = published.with_user(self.user_billing)
        self.assertEqual(employee.version, "1")
        employee.action_acknowledge()
        with self.assertRaises(AccessError):
            draft.with_user(self.user_billing).read(["name"])
        with self.assertRaises(AccessError):
            employee.write({"summary": "Edited"})
        with self.assertRaises(AccessError):
            draft.with_user(self.user_sales).action_publish()
        # What was acknowledged cannot be rewritten.
        with self.assertRaisesRegex(UserError, "draft a new version"):
            published.with_user(self.user_officer).write({"version": "1b"})
        with self.assertRaises(AccessError):
            draft.with_user(self.user_officer).write({"state": "published"})
        with self.assertRaises(UserError):
            published.with_user(self.user_manager).unlink()
        published.with_user(self.user_officer).action_set_archived()
        self.assertFalse(published.activity_ids)

    def test_only_credit_managers_switch_the_setting(self):
        for user in (self.user_officer, self.user_auditor, self.user_sales):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.company.with_user(user).write({"risk_require_qualification": True})
        self.env["res.config.settings"].sudo().create(
            {"risk_require_qualification": True, "risk_certificate_reminder_days": 45}
        ).execute()
        self.assertRecordValues(
            self.company,
            [{"risk_require_qualification": True, "risk_certificate_reminder_days": 45}],
        )

    def test_expiring_certificates_remind_their_holders_once(self):
        # Valid for 12 months from 2024-04-01: expires 2025-04-01, within the 30 days.
        expiring = self.train(self.user_officer, when=date(2024, 4, 1))
        later = self.train(self.user_manager, when=date(2024, 6, 1))
        expired = self.train(self.user_manager_2, when=date(2024, 1, 1))
        renewed = self.train(self.user_sales, "screening", when=date(2024, 4, 2))
        self.train(self.user_sales, "screening", when=date(2025, 3, 1))

        def run_cron():
            with patch.object(self.env.cr, "commit"):
                self.env["customer.risk.training.attendee"].sudo()._cron_certificate_reminders()

        run_cron()
        activity = expiring.training_id.activity_ids
        self.assertRecordValues(
            activity, [{"user_id": self.user_officer.id, "date_deadline": date(2025, 4, 1)}]
        )
        self.assertIn("Credit Assessment", activity.note)
        self.assertFalse(later.training_id.activity_ids | expired.training_id.activity_ids)
        self.assertFalse(renewed.training_id.activity_ids)
        self.assertTrue(expiring.expiry_reminded and renewed.expiry_reminded)
        run_cron()
        self.assertEqual(expiring.training_id.activity_ids, activity)
        # The company's reminder delay decides which certificates are expiring.
        self.company.sudo().risk_certificate_reminder_days = 90
        run_cron()
        self.assertEqual(later.training_id.activity_ids.user_id, self.user_manager)
