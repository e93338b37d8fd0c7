from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common_check import CreditCheckCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestContract(CreditCheckCommon):
    """Contracts, their clauses and obligations, and the credit check's contract rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.sudo().user_id = cls.user_sales
        Clause = cls.env["customer.risk.clause"].with_user(cls.user_manager)
        cls.retention = Clause.create(
            {
                "name": "Retention of title",
                "category": "retention",
                "text": "The goods remain the Seller's until paid in full.",
                "tier_ids": [Command.set(cls.tier.ids)],
            }
        )
        cls.jurisdiction = Clause.create(
            {
                "name": "Jurisdiction",
                "category": "jurisdiction",
                "text": "The courts of the Seller's seat decide disputes.",
            }
        )
        cls.Contract = cls.env["customer.risk.contract"].with_user(cls.user_officer)

    def draft(self, clauses=(), **vals):
        return self.Contract.create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2025, 12, 31),
                "clause_line_ids": [Command.create({"clause_id": c.id}) for c in clauses],
                **vals,
            }
        )

    def test_quotation_needs_an_active_contract_with_the_mandatory_clauses(self):
        self.tier.sudo().contract_required = True
        order = self.order_as_sales(100.0)
        self.assertBlocked(order, "valid contract")
        contract = self.draft([self.jurisdiction])
        self.assertEqual(contract.missing_clause_ids, self.retention)
        with self.assertRaisesRegex(UserError, "lacks clauses mandatory for tier Check tier"):
            contract.action_activate()
        contract.action_load_mandatory_clauses()
        self.assertEqual(contract.clause_line_ids.clause_id, self.jurisdiction | self.retention)
        with self.assertRaises(AccessError):
            contract.with_user(self.user_sales).action_activate()
        # A draft contract does not count.
        self.assertBlocked(order, "valid contract")
        contract.action_activate()
        self.assertEqual((contract.state, contract.activated_by_id), ("active", self.user_officer))
        self.assertEqual(order.risk_contract_id, contract)
        self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.risk_contract_id, contract)
        # A clause the tier makes mandatory later: the contract no longer covers new orders.
        self.env["customer.risk.clause"].with_user(self.user_manager).create(
            {
                "name": "Guarantee",
                "category": "guarantee",
                "text": "A bank guarantee secures the credit.",
                "tier_ids": [Command.set(self.tier.ids)],
            }
        )
        self.assertBlocked(self.order_as_sales(100.0), "valid contract")

    def test_contract_must_cover_the_order_date_and_company(self):
        self.tier.sudo().contract_required = True
        future = self.draft([self.retention], date_start=date(2025, 7, 1))
        future.action_activate()
        order = self.order_as_sales(100.0)
        self.assertFalse(order.risk_contract_id)
        self.assertBlocked(order, "valid contract")
        with freeze_time("2025-07-01"):
            self.confirm(order)
        self.assertEqual(order.risk_contract_id, future)
        # Terminated, the contract covers nothing any more.
        future.termination_reason = "Customer closed its account"
        future.action_terminate()
        with freeze_time("2025-07-01"):
            self.assertBlocked(self.order_as_sales(100.0), "valid contract")

    def assertBlocked(self, order, text):
        with self.assertRaisesRegex(UserError, text):
            self.confirm(order)

    def test_terms_freeze_once_active(self):
        contract = self.draft([self.retention], credit_limit=5000.0)
        self.assertTrue(contract.name.startswith("CTR/2025/"))
        self.assertEqual(contract.clause_line_ids.text, self.retention.text)
        contract.clause_line_ids.text = "Adapted for this customer."
        contract.action_activate()
        with self.assertRaises(UserError):
            contract.credit_limit = 9000.0
        with self.assertRaises(UserError):
            contract.clause_line_ids.text = "Changed after signature."
        with self.assertRaises(UserError):
            contract.unlink()
        contract.note = "<p>Signed copy filed.</p>"
        # Two active contracts of one customer must not overlap.
        overlapping = self.draft([self.retention], date_start=date(2025, 6, 1))
        with self.assertRaisesRegex(UserError, "overlaps"):
            overlapping.action_activate()
        with self.assertRaisesRegex(UserError, "reason"):
            contract.action_terminate()
        with self.assertRaises(ValidationError):
            self.draft(date_start=date(2025, 6, 1), date_end=date(2025, 5, 1))
        with self.assertRaises(ValidationError):
            self.Contract.create({"partner_id": self.contact.id})

    def test_expiry_and_overdue_obligations(self):
        contract = self.draft(
            [self.retention],
            date_end=date(2025, 7, 10),
            obligation_ids=[
                Command.create(
                    {
                        "name": "Deposit",
                        "obligation_type": "deposit",
                        "due_date": date(2025, 6, 29),
                        "amount": 500.0,
                    }
                ),
                Command.create(
                    {
                        "name": "Insurance certificate",
                        "obligation_type": "insurance",
                        "due_date": date(2025, 7, 5),
                    }
                ),
            ],
        )
        contract.action_activate()
        deposit, insurance = contract.obligation_ids
        self.run_jobs()
        self.assertEqual((deposit.state, insurance.state), ("overdue", "pending"))
        alerts = (
            self.env["customer.risk.alert"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("state", "!=", "resolved")])
        )
        self.assertEqual(
            sorted(alerts.mapped("rule_code")), ["contract_expiring", "obligation_overdue"]
        )
        with self.assertRaisesRegex(UserError, "reason of the waiver"):
            deposit.action_waive()
        deposit.with_user(self.user_officer).action_fulfil()
        self.assertEqual((deposit.state, deposit.done_by_id), ("fulfilled", self.user_officer))
        with self.assertRaises(UserError):
            deposit.amount = 100.0
        with self.assertRaises(AccessError):
            insurance.with_user(self.user_sales).action_fulfil()
        # After its end date the contract expires and the insurance is late.
        with freeze_time("2025-07-11"):
            self.run_jobs()
        self.assertEqual((contract.state, insurance.state), ("expired", "overdue"))
        open_alerts = alerts.filtered(lambda a: a.state != "resolved")
        self.assertFalse(open_alerts, "an ended contract neither expires nor owes any more")

    def run_jobs(self):
        with patch.object(self.env.cr, "commit"):
            self.env["customer.risk.contract"].sudo()._cron_expire()
            self.customer.sudo()._risk_monitor(self.company)

    def test_access_by_role(self):
        contract = self.draft([self.retention])
        # The customer's salesperson reads; another one does not see it; neither writes.
        as_sales = contract.with_user(self.user_sales)
        self.assertEqual(as_sales.name, contract.name)
        self.assertEqual(self.customer.with_user(self.user_sales).risk_contract_count, 1)
        with self.assertRaises(AccessError):
            as_sales.write({"credit_limit": 1.0})
        with self.assertRaises(AccessError):
            self.env["customer.risk.contract"].with_user(self.user_sales).create(
                {"partner_id": self.customer.id}
            )
        other = self.env["customer.risk.contract"].with_user(self.user_sales_2)
        self.assertFalse(other.search([("id", "=", contract.id)]))
        # Clauses are the managers'.
        with self.assertRaises(AccessError):
            self.retention.with_user(self.user_officer).text = "Softer"
        self.retention.with_user(self.user_manager).text = "Stricter"
        # Another company's contracts are out of sight.
        other_company = self.env["res.company"].sudo().create({"name": "Other Risk Company"})
        foreign = (
            self.env["customer.risk.contract"]
            .sudo()
            .create({"partner_id": self.customer.id, "company_id": other_company.id})
        )
        self.assertFalse(self.Contract.search([("id", "=", foreign.id)]))

    def test_summary_report(self):
        contract = self.draft(
            [self.retention, self.jurisdiction],
            obligation_ids=[
                Command.create(
                    {
                        "name": "Bank guarantee",
                        "obligation_type": "guarantee",
                        "due_date": date(2025, 7, 31),
                    }
                )
            ],
        )
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.user_sales)
            ._render_qweb_html("customer_risk.report_customer_risk_contract", contract.ids)
        )
        html = html.decode()
        self.assertIn(contract.name, html)
        self.assertIn("Retention of title", html)
        self.assertIn("The courts of the Seller&#39;s seat decide disputes.", html)
        self.assertIn("Bank guarantee", html)
