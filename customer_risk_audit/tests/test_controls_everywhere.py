import json
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import AuditCommon

OTHER_PERSON = [{"name": "Papers checked", "mandatory": True, "other_than_decider": True}]


def values(entry):
    return json.loads(entry.values_before or "null"), json.loads(entry.values_after or "null")


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestControlsEverywhere(AuditCommon):
    """Checklists gate screening approvals, contract activations and limit changes as they
    gate releases, and each of those decisions is in the audit log with its values."""

    def logs(self, record, event):
        return (
            self.env["customer.risk.audit.log"]
            .sudo()
            .search(
                [
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("event", "=", event),
                ]
            )
        )

    def screening_in_review(self, partner=None):
        screening = (
            self.env["customer.risk.screening"]
            .with_user(self.user_officer)
            .create({"partner_id": (partner or self.customer).id})
        )
        screening.check_ids.write({"result": "pass", "note": "Checked"})
        screening.action_submit()
        screening.decision_note = "Papers in order"
        return screening

    def test_screening_approval_waits_for_its_checklist_and_is_logged(self):
        self.make_template("screening_approval", items=OTHER_PERSON)
        screening = self.screening_in_review()
        check = screening.control_check_id
        self.assertEqual(check.control_point, "screening_approval")
        with self.assertRaisesRegex(UserError, "Papers checked: not done"):
            screening.action_approve()
        # Done by the officer who decides: four eyes refuse it too.
        self.complete(check, self.user_officer)
        with self.assertRaisesRegex(UserError, "another person must do it"):
            screening.action_approve()
        self.assertEqual(screening.state, "in_review")
        self.assertFalse(self.logs(screening, "screening_decided"))
        check.item_ids.with_user(self.user_officer).action_mark_undone()
        self.complete(check, self.user_manager)
        screening.action_approve()
        entry = self.logs(screening, "screening_decided")
        self.assertEqual(len(entry), 1)
        before, after = values(entry)
        self.assertEqual((before["state"], before["result"]), ("in_review", None))
        self.assertEqual((after["state"], after["result"]), ("decided", "approved"))
        self.assertEqual(after["decided_by_id"][0], self.user_officer.id)
        self.assertEqual(entry.reason, "Papers in order")
        self.assertEqual(entry.partner_id, self.customer)
        # Each completion of the checklist is in the log: the officer's, then the manager's.
        completions = self.logs(check, "checklist_completed")
        self.assertEqual(len(completions), 2)
        self.assertEqual(completions.mapped("user_id"), self.user_officer | self.user_manager)

    def test_a_rejection_never_waits_for_the_checklist(self):
        self.make_template("screening_approval", items=OTHER_PERSON)
        screening = self.screening_in_review()
        screening.action_reject()
        _before, after = values(self.logs(screening, "screening_decided"))
        self.assertEqual(after["result"], "rejected")

    def test_contract_activation_is_gated_and_both_ends_are_logged(self):
        self.make_template("contract_activation", items=OTHER_PERSON)
        contract = (
            self.env["customer.risk.contract"]
            .with_user(self.user_officer)
            .create(
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2025, 1, 1),
                    "date_end": date(2025, 12, 31),
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Papers checked: not done"):
            contract.action_activate()
        self.assertEqual(contract.state, "draft")
        self.complete(contract.control_check_id, self.user_manager)
        contract.action_activate()
        _before, after = values(self.logs(contract, "contract_activated"))
        self.assertEqual(after["state"], "active")
        self.assertEqual(after["activated_by_id"][0], self.user_officer.id)
        contract.termination_reason = "Customer stopped buying"
        contract.action_terminate()
        entry = self.logs(contract, "contract_terminated")
        before, after = values(entry)
        self.assertEqual((before["state"], after["state"]), ("active", "terminated"))
        self.assertEqual(entry.reason, "Customer stopped buying")

    def test_limit_change_approval_is_gated(self):
        self.make_template("limit_change_approval", items=OTHER_PERSON)
        request = (
            self.env["customer.risk.limit.request"]
            .with_user(self.user_manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "kind": "limit",
                    "new_credit_limit": 5000.0,
                    "reason": "Bigger orders announced",
                }
            )
        )
        request.action_submit()
        approver = request.with_user(self.user_manager_2)
        with self.assertRaisesRegex(UserError, "Papers checked: not done"):
            approver.action_approve()
        self.assertEqual(request.state, "submitted")
        self.complete(request.control_check_id, self.user_officer)
        approver.action_approve()
        self.assertEqual(request.state, "approved")

    def test_qualification_is_required_for_each_controlled_decision(self):
        self.company.sudo().risk_require_qualification = True
        screening = self.screening_in_review()
        with self.assertRaisesRegex(UserError, "may not take this decision"):
            screening.action_approve()
        self.assertEqual(screening.state, "in_review")
        contract = (
            self.env["customer.risk.contract"]
            .with_user(self.user_officer)
            .create({"partner_id": self.customer.id, "date_start": date(2025, 1, 1)})
        )
        with self.assertRaisesRegex(UserError, "may not take this decision"):
            contract.action_activate()
        # Rejecting stays possible: refusing credit needs no qualification.
        screening.action_reject()
        self.assertEqual(screening.result, "rejected")
