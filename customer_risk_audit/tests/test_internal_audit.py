import base64
import io
from datetime import date
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.customer_risk import tools

from .common import AUDITOR, AuditCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 12:00:00")
class TestInternalAudit(AuditCommon):
    """Audits draw a reproducible random sample of the period's decisions; nobody audits a
    decision they took part in; findings get owners, To-Dos, reminders and reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A former credit manager who became an internal auditor.
        cls.user_auditor_manager = new_test_user(
            cls.env,
            "risk_t_audmgr",
            groups=f"sales_team.group_sale_salesman_all_leads,customer_risk.group_risk_manager,"
            f"{AUDITOR}",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.user_auditor_manager.sudo().with_company(cls.company).risk_release_max_amount = 10**6
        deciders = [
            cls.user_manager,
            cls.user_manager,
            cls.user_manager_2,
            cls.user_auditor_manager,
        ]
        cls.approved = cls.env["customer.risk.release"]
        for day, decider in enumerate(deciders, start=3):
            with freeze_time(f"2025-02-{day:02d} 10:00:00"):
                release = cls.request_release()
                release.with_user(decider).action_approve()
                cls.approved |= release
        with freeze_time("2025-02-20 10:00:00"):
            cls.rejected = cls.request_release()
            cls.rejected.with_user(cls.user_manager_2).decision_note = "Too risky"
            cls.rejected.with_user(cls.user_manager_2).action_reject()
        with freeze_time("2025-03-02 10:00:00"):
            cls.approved_march = cls.request_release()
            cls.approved_march.with_user(cls.user_manager).action_approve()
        cls.company_2 = cls.env["res.company"].create({"name": "Other Risk Company"})
        Assessment = cls.env["customer.risk.assessment"].sudo()
        cls.assessments = Assessment.create(
            [
                {
                    "partner_id": cls.customer.id,
                    "company_id": company.id,
                    "date": date(2025, 2, day),
                    "state": "confirmed",
                    "assessed_by_id": cls.user_officer.id,
                    "confirmed_by_id": cls.user_officer.id,
                    "confirm_date": f"2025-02-{day:02d} 15:00:00",
                }
                for company, day in ((cls.company, 10), (cls.company, 11), (cls.company_2, 12))
            ]
        )
        cls.scopes = cls.env.ref(
            "customer_risk_audit.customer_risk_audit_scope_release_approved"
        ) | (cls.env.ref("customer_risk_audit.customer_risk_audit_scope_assessment_confirmed"))

    def make_audit(self, user=None, **vals):
        return (
            self.env["customer.risk.audit"]
            .with_user(user or self.user_auditor)
            .create(
                {
                    "name": "February decisions",
                    "date_from": date(2025, 2, 1),
                    "date_to": date(2025, 2, 28),
                    "scope_ids": [Command.set(self.scopes.ids)],
                    "sample_size": 3,
                    **vals,
                }
            )
        )

    def drawn(self, audit):
        audit.action_draw_sample()
        return [(line.res_model, line.res_id) for line in audit.sample_ids]

    def candidates(self):
        """The decisions of February in the test company, as the audit should find them."""
        return [(r._name, r.id) for r in self.approved] + [
            (a._name, a.id) for a in self.assessments if a.company_id == self.company
        ]

    def test_same_seed_draws_the_same_sample(self):
        audit = self.make_audit(seed=1234)
        picked = self.drawn(audit)
        self.assertEqual(len(picked), 3)
        self.assertEqual(picked, tools.draw_sample(self.candidates(), 3, 1234))
        self.assertEqual(audit.candidate_count, 6)
        self.assertEqual(audit.state, "in_progress")
        # Anyone may draw it again from the stored seed.
        self.assertEqual(self.drawn(self.make_audit(user=self.user_auditor_2, seed=1234)), picked)
        other_seed = next(
            seed
            for seed in range(1, 100)
            if tools.draw_sample(self.candidates(), 3, seed) != picked
        )
        self.assertNotEqual(self.drawn(self.make_audit(seed=other_seed)), picked)

    def test_seed_is_drawn_once_at_creation(self):
        audit = self.make_audit()
        self.assertTrue(audit.seed)
        seeds = {self.make_audit().seed for _ in range(5)} | {audit.seed}
        self.assertGreater(len(seeds), 1)
        with self.assertRaises(AccessError):
            audit.write({"seed": 42})

    def test_sample_covers_the_period_scope_and_company_only(self):
        audit = self.make_audit(sample_size=50)
        picked = set(self.drawn(audit))
        self.assertEqual(picked, set(self.candidates()))
        self.assertNotIn((self.rejected._name, self.rejected.id), picked)
        self.assertNotIn((self.approved_march._name, self.approved_march.id), picked)
        line = audit.sample_ids.filtered(lambda s: s.record_ref == self.approved[2])
        self.assertRecordValues(
            line,
            [
                {
                    "res_model": "customer.risk.release",
                    "decided_by_id": self.user_manager_2.id,
                    "auditor_id": self.user_auditor.id,
                    "reviewed": False,
                }
            ],
        )
        self.assertEqual(line.participant_ids, self.user_sales | self.user_manager_2)
        self.assertEqual(line.record_ref, self.approved[2])

    def test_auditor_cannot_audit_decisions_they_took_part_in(self):
        audit = self.make_audit(user=self.user_auditor_manager, sample_size=50)
        self.drawn(audit)
        own = audit.sample_ids.filtered(lambda s: s.record_ref == self.approved[3])
        self.assertEqual(own.decided_by_id, self.user_auditor_manager)
        # The lead auditor approved it: the line waits for another auditor.
        self.assertFalse(own.auditor_id)
        self.assertEqual((audit.sample_ids - own).auditor_id, self.user_auditor_manager)
        as_lead = own.with_user(self.user_auditor_manager)
        with self.assertRaisesRegex(UserError, "took part"):
            as_lead.write({"conclusion": "compliant"})
        with self.assertRaisesRegex(UserError, "took part"):
            as_lead.action_mark_reviewed()
        with self.assertRaisesRegex(UserError, "took part"):
            own.with_user(self.user_auditor).write({"auditor_id": self.user_auditor_manager.id})
        # An independent auditor reviews it.
        own.with_user(self.user_auditor).write(
            {"auditor_id": self.user_auditor.id, "conclusion": "compliant"}
        )
        own.with_user(self.user_auditor).action_mark_reviewed()
        self.assertRecordValues(own, [{"reviewed": True, "reviewed_by_id": self.user_auditor.id}])

    def test_sampling_is_fixed_once_drawn_and_only_auditors_audit(self):
        with self.assertRaises(AccessError):
            self.make_audit(user=self.user_manager)
        with self.assertRaises(AccessError):
            self.make_audit(state="done")
        audit = self.make_audit()
        self.drawn(audit)
        for vals in ({"date_from": date(2025, 1, 1)}, {"sample_size": 10}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                audit.write(vals)
        with self.assertRaises(AccessError):
            audit.write({"state": "done"})
        with self.assertRaises(UserError):
            audit.action_draw_sample()
        with self.assertRaises(UserError):
            audit.unlink()
        # The credit team reads audits and changes nothing.
        officer_view = audit.with_user(self.user_officer)
        self.assertEqual(officer_view.sample_count, 3)
        with self.assertRaises(AccessError):
            officer_view.write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            officer_view.sample_ids[0].write({"conclusion": "compliant"})

    def review_all(self, audit, auditor=None):
        auditor = auditor or self.user_auditor
        for line in audit.sample_ids.with_user(auditor):
            line.conclusion = "compliant"
        audit.sample_ids.with_user(auditor).action_mark_reviewed()

    def test_findings_workflow_reports_and_completion(self):
        audit = self.make_audit()
        self.drawn(audit)
        with self.assertRaisesRegex(UserError, "Review every sampled decision"):
            audit.action_done()
        self.review_all(audit)
        finding = (
            self.env["customer.risk.audit.finding"]
            .with_user(self.user_auditor)
            .create(
                {
                    "audit_id": audit.id,
                    "sample_id": audit.sample_ids[0].id,
                    "name": "Approved without a documented reason",
                    "severity": "high",
                    "description": '=HYPERLINK("http://example.com")',
                    "owner_id": self.user_officer.id,
                    "corrective_action": "Document the reason of every approval.",
                    "due_date": date(2025, 4, 15),
                }
            )
        )
        self.assertEqual(finding.record_name, audit.sample_ids[0].record_name)
        self.assertRecordValues(
            finding.activity_ids,
            [{"user_id": self.user_officer.id, "date_deadline": date(2025, 4, 15)}],
        )
        self.assertIn("Finding recorded", finding.message_ids.mapped("body")[0])
        # The owner reports progress and starts; only an auditor closes.
        as_owner = finding.with_user(self.user_officer)
        as_owner.progress_note = "Template for approval notes drafted."
        with self.assertRaises(AccessError):
            as_owner.write({"severity": "low"})
        with self.assertRaises(AccessError):
            finding.with_user(self.user_manager).write({"progress_note": "Not mine"})
        as_owner.action_start()
        with self.assertRaises(AccessError):
            as_owner.action_close()
        finding.with_user(self.user_auditor).action_close()
        self.assertRecordValues(
            finding, [{"state": "closed", "closed_by_id": self.user_auditor.id}]
        )
        self.assertFalse(finding.activity_ids)
        with self.assertRaises(UserError):
            finding.with_user(self.user_auditor).write({"severity": "low"})

        audit.action_done()
        self.assertEqual(audit.state, "done")
        with self.assertRaises(UserError):
            audit.write({"conclusion": "Rewritten"})
        # The audit's own decisions are in the audit log, once each, by the auditor.
        Log = self.env["customer.risk.audit.log"].sudo()
        for record, event in (
            (finding, "finding_recorded"),
            (finding, "finding_closed"),
            (audit, "audit_completed"),
        ):
            entry = Log.search(
                [
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("event", "=", event),
                ]
            )
            self.assertEqual(len(entry), 1, event)
            self.assertEqual(entry.user_id, self.user_auditor)

        action = audit.action_export_xlsx()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        self.assertEqual(book.sheetnames, ["Audit", "Sample", "Findings"])
        findings = book["Findings"]
        self.assertEqual(findings["A2"].value, "Approved without a documented reason")
        # Text typed by people stays text: never a formula.
        self.assertEqual(findings["D2"].data_type, "s")
        self.assertEqual(findings["D2"].value, '=HYPERLINK("http://example.com")')
        self.assertEqual(book["Sample"].max_row, 4)
        self.assertEqual(book["Audit"]["B9"].value, audit.seed)

        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "customer_risk_audit.customer_risk_audit_report", audit.ids
        )
        self.assertIn(b"Approved without a documented reason", html)
        self.assertIn(str(audit.seed).encode(), html)

    def test_overdue_corrective_actions_are_reminded_once_per_due_date(self):
        audit = self.make_audit()
        self.drawn(audit)
        Finding = self.env["customer.risk.audit.finding"].with_user(self.user_auditor)
        vals = {
            "audit_id": audit.id,
            "description": "Weak control",
            "owner_id": self.user_officer.id,
        }
        late = Finding.create({**vals, "name": "Late", "due_date": date(2025, 3, 10)})
        on_time = Finding.create({**vals, "name": "On time", "due_date": date(2025, 3, 20)})
        closed = Finding.create({**vals, "name": "Closed", "due_date": date(2025, 3, 1)})
        closed.action_close()
        self.assertEqual(Finding.search([("is_overdue", "=", True)]), late)

        def run_cron():
            with patch.object(self.env.cr, "commit"):
                self.env["customer.risk.audit.finding"].sudo()._cron_remind_overdue()

        def reminders(finding):
            return finding.activity_ids.filtered(lambda a: "Overdue" in (a.summary or ""))

        run_cron()
        self.assertEqual(len(reminders(late)), 1)
        self.assertEqual(reminders(late).user_id, self.user_officer)
        self.assertFalse(reminders(on_time) | reminders(closed))
        message = late.message_ids[0]
        self.assertIn("was due on", message.body)
        self.assertIn(self.user_officer.partner_id, message.partner_ids)
        self.assertIn(self.user_auditor.partner_id, message.partner_ids)
        # Mail is queued, never sent inside the job.
        self.assertTrue(self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)]))
        run_cron()
        self.assertEqual(len(reminders(late)), 1)
        self.assertEqual(late.message_ids[0], message)
        # A new due date, missed again, gets its own reminder.
        late.with_user(self.user_auditor).due_date = date(2025, 3, 12)
        run_cron()
        self.assertEqual(len(reminders(late)), 1)
        self.assertNotEqual(late.message_ids[0], message)
        self.assertEqual(late.reminded_due_date, date(2025, 3, 12))
