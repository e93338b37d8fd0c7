from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import AuditCommon

CLIENT_KEYS = {
    "tracking_disable": True,
    "mail_notrack": True,
    "bypass_risk_check": True,
    "bypass_control_check": True,
}


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestControlChecklists(AuditCommon):
    """Checklists gate the approval of credit releases: mandatory items done, with their
    evidence, and by someone other than the approver where the template says so."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.make_template()

    def checklist(self, release):
        return self.env["customer.risk.control.check"].search(
            [("res_model", "=", release._name), ("res_id", "=", release.id)]
        )

    def test_request_creates_the_checklist_from_the_template(self):
        release = self.request_release()
        check = self.checklist(release)
        self.assertRecordValues(
            check,
            [
                {
                    "template_id": self.template.id,
                    "control_point": "release_approval",
                    "company_id": self.company.id,
                    "state": "open",
                    "mandatory_count": 3,
                    "mandatory_done_count": 0,
                }
            ],
        )
        self.assertEqual(check.record_ref, release)
        self.assertEqual(release.control_check_id, check)
        # Later edits of the template never rewrite a checklist in use.
        self.template.item_ids[0].name = "Something else"
        self.assertIn("Reasons reviewed", check.item_ids.mapped("name"))
        # The smart button opens the same checklist for the credit team only.
        action = release.with_user(self.user_officer).action_open_control_check()
        self.assertEqual((action["res_model"], action["res_id"]), (check._name, check.id))
        with self.assertRaises(AccessError):
            release.with_user(self.user_sales).action_open_control_check()

    def test_missing_mandatory_item_refuses_the_approval(self):
        release = self.request_release()
        check = self.checklist(release)
        self.item(check, "Reasons reviewed").with_user(self.user_officer).action_mark_done()
        self.item(check, "Figures verified").with_user(self.user_officer).action_mark_done()
        with self.assertRaisesRegex(UserError, "Guarantee attached: not done") as caught:
            release.with_user(self.user_manager).with_context(**CLIENT_KEYS).action_approve()
        self.assertNotIn("Reasons reviewed", str(caught.exception))
        # The optional item never blocks.
        self.assertNotIn("Collateral considered", str(caught.exception))
        self.assertEqual(release.state, "pending")
        self.assertFalse(check.gate_passed_on)

    def test_item_done_by_the_approver_is_refused_where_another_person_is_required(self):
        release = self.request_release()
        check = self.checklist(release)
        # The approving manager performs every item himself.
        self.complete(check, user=self.user_manager)
        self.assertEqual(check.state, "complete")
        with self.assertRaisesRegex(UserError, "Figures verified: done by .*another person"):
            release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "pending")
        # Another manager, who did none of the items, may approve.
        release.with_user(self.user_manager_2).action_approve()
        self.assertEqual(release.state, "approved")
        self.assertEqual(check.gate_passed_by_id, self.user_manager_2)

    def test_evidence_is_required_before_the_item_is_done(self):
        release = self.request_release()
        item = self.item(self.checklist(release), "Guarantee attached")
        with self.assertRaisesRegex(UserError, "Attach the evidence"):
            item.with_user(self.user_officer).action_mark_done()
        self.attach_evidence(item, self.user_officer)
        item.with_user(self.user_officer).action_mark_done()
        self.assertRecordValues(item, [{"done": True, "done_by_id": self.user_officer.id}])
        # Evidence cannot be swapped once the item is done.
        with self.assertRaises(UserError):
            item.with_user(self.user_officer).write({"evidence": False})

    def test_complete_checklist_lets_the_approval_pass_and_locks_it(self):
        order_release = self.request_release()
        check = self.checklist(order_release)
        self.complete(check)
        self.assertEqual(check.state, "complete")
        self.assertIn("Checklist complete", check.message_ids.mapped("body")[0])
        order_release.with_user(self.user_manager).action_approve()
        self.assertEqual(order_release.state, "approved")
        self.assertRecordValues(
            check,
            [
                {
                    "gate_passed_by_id": self.user_manager.id,
                    "gate_passed_on": datetime(2025, 3, 15, 12),
                }
            ],
        )
        # The evidence of a decision taken cannot be undone.
        with self.assertRaisesRegex(UserError, "can no longer change"):
            check.item_ids[0].with_user(self.user_officer).action_mark_undone()

    def test_no_active_template_no_checklist(self):
        self.template.active = False
        release = self.request_release()
        self.assertFalse(self.checklist(release))
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "approved")
        with self.assertRaisesRegex(UserError, "No checklist template is active"):
            release.with_user(self.user_officer).action_open_control_check()

    def test_archived_template_stays_archived_whatever_the_context(self):
        self.template.active = False
        release = self.request_release().with_context(active_test=False)
        release.with_user(self.user_manager).action_approve()
        self.assertEqual(release.state, "approved")
        self.assertFalse(self.checklist(release))

    def test_checklist_created_on_first_gate_for_earlier_records(self):
        self.template.active = False
        release = self.request_release()
        self.template.active = True
        Check = self.env["customer.risk.control.check"]
        with self.assertRaisesRegex(UserError, "Reasons reviewed: not done"):
            Check._risk_gate(release, "release_approval", self.user_manager)
        # The smart button creates it for good, for the officers to work on.
        release.with_user(self.user_officer).action_open_control_check()
        self.assertEqual(len(self.checklist(release)), 1)

    def test_gate_serves_every_control_point(self):
        self.make_template(
            "screening_approval", items=[{"name": "Sanctions reviewed", "other_than_decider": True}]
        )
        Check = self.env["customer.risk.control.check"]
        with self.assertRaisesRegex(UserError, "Sanctions reviewed: not done"):
            Check._risk_gate(self.customer, "screening_approval", self.user_officer)
        check = Check._risk_checklist_for(self.customer, "screening_approval")
        self.assertEqual(check.company_id, self.company)
        check.item_ids.with_user(self.user_manager).action_mark_done()
        Check._risk_gate(self.customer, "screening_approval", self.user_officer)
        # One checklist per record and control point, whatever the number of calls.
        self.assertEqual(Check._risk_checklist_for(self.customer, "screening_approval"), check)

    def test_only_the_credit_team_performs_checklists_and_only_through_buttons(self):
        release = self.request_release()
        check = self.checklist(release)
        item = self.item(check, "Reasons reviewed")
        for user in (self.user_sales, self.user_auditor, self.user_billing):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                item.with_user(user).with_context(**CLIENT_KEYS).action_mark_done()
        for vals in ({"done": True}, {"done_by_id": self.user_officer.id}, {"mandatory": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                item.with_user(self.user_officer).with_context(**CLIENT_KEYS).write(vals)
        with self.assertRaises(AccessError):
            check.with_user(self.user_officer).write({"gate_passed_on": "2025-03-15 12:00:00"})
        with self.assertRaises(AccessError):
            check.with_user(self.user_officer).unlink()
        item.with_user(self.user_officer).write({"note": "Checked with the salesperson"})
        self.assertFalse(item.done)
