from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import CollectionsCommon

D = date(2025, 3, 31)


@tagged("post_install", "-at_install")
@freeze_time("2025-06-30 12:00:00")
class TestProvision(CollectionsCommon):
    """The provision the aging implies at a date, bucket by bucket, and the draft entry that
    brings the allowance to it (rates 0, 1, 5, 10, 25 and 50%)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        # Risky Customer: 1,000 45 days past due (5%), 400 200 days past due (50%), and 300
        # not due (0%).
        cls.make_invoice(amount=1000.0, invoice_date=date(2025, 1, 15), due_date=date(2025, 2, 14))
        cls.make_invoice(amount=400.0, invoice_date=date(2024, 8, 1), due_date=date(2024, 9, 12))
        cls.make_invoice(amount=300.0, invoice_date=date(2025, 3, 20), due_date=date(2025, 4, 19))
        # Other Customer: 200 owed and a refund of 300 in the 1-30 bucket: a credit balance
        # there, never provisioned; 100 91-120 days past due (25%).
        cls.make_invoice(partner=cls.other, amount=200.0, invoice_date=date(2025, 3, 10))
        cls.make_invoice(
            partner=cls.other, amount=300.0, invoice_date=date(2025, 3, 12), move_type="out_refund"
        )
        cls.make_invoice(
            partner=cls.other,
            amount=100.0,
            invoice_date=date(2024, 12, 1),
            due_date=date(2024, 12, 15),
        )
        cls.allowance = cls.env["account.account"].create(
            {
                "name": "Allowance for doubtful accounts",
                "code": "129900",
                "account_type": "asset_current",
                "company_ids": cls.company.ids,
            }
        )
        cls.expense = cls.company_data["default_account_expense"]
        cls.journal = cls.company_data["default_journal_misc"]

    def wizard(self, user=None, **vals):
        user = user or self.user_accountant
        return (
            self.env["customer.risk.provision.report"]
            .with_user(user)
            .create(
                {
                    "date": D,
                    "company_id": self.company.id,
                    "bucket_set_id": self.bucket_set.id,
                    "journal_id": self.journal.id,
                    "expense_account_id": self.expense.id,
                    "allowance_account_id": self.allowance.id,
                    **vals,
                }
            )
        )

    def test_provision_by_customer_and_bucket(self):
        wizard = self.wizard()
        wizard.action_compute()
        lines = {
            (line.partner_id.name, line.bucket_id.display_name): (
                line.amount,
                line.rate,
                line.provision,
            )
            for line in wizard.line_ids
        }
        self.assertEqual(
            lines,
            {
                (self.customer.name, "Not due"): (300.0, 0.0, 0.0),
                (self.customer.name, "31-60"): (1000.0, 5.0, 50.0),
                (self.customer.name, "Over 120"): (400.0, 50.0, 200.0),
                ("Other Customer", "1-30"): (-100.0, 1.0, 0.0),
                ("Other Customer", "91-120"): (100.0, 25.0, 25.0),
            },
        )
        self.assertEqual(
            (wizard.amount_total, wizard.provision_total, wizard.booked_total), (1700.0, 275.0, 0.0)
        )
        self.assertEqual(wizard.adjustment_total, 275.0)
        analysis = wizard.action_view_analysis()
        self.assertEqual(analysis["domain"], [("wizard_id", "=", wizard.id)])

    def test_draft_entry_tops_up_the_allowance(self):
        wizard = self.wizard()
        wizard.action_compute()
        action = wizard.action_create_entry()
        move = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(move, wizard.move_id)
        self.assertEqual(move.state, "draft")
        self.assertEqual((move.date, move.journal_id), (D, self.journal))
        self.assertEqual(
            sorted(
                (ml.account_id.code, ml.partner_id.name or "", ml.balance) for ml in move.line_ids
            ),
            sorted(
                [
                    (self.allowance.code, self.customer.name, -250.0),
                    (self.allowance.code, "Other Customer", -25.0),
                    (self.expense.code, "", 275.0),
                ]
            ),
        )
        with self.assertRaises(UserError):
            wizard.action_create_entry()
        # Once posted, the allowance holds the provision: nothing more to book at D.
        move.action_post()
        again = self.wizard()
        again.action_compute()
        self.assertEqual((again.booked_total, again.adjustment_total), (250.0 + 25.0, 0.0))
        with self.assertRaises(UserError):
            again.action_create_entry()
        # A month later the 1,000 are 61-90 days past due (10%): only the difference.
        later = self.wizard(date=date(2025, 4, 30))
        later.action_compute()
        move = later.env["account.move"].browse(later.action_create_entry()["res_id"])
        customer_line = move.line_ids.filtered(lambda ml: ml.partner_id == self.customer)
        # 300 are now 11 days past due (1%).
        self.assertEqual(customer_line.balance, -(100.0 + 200.0 + 3.0 - 250.0))

    def test_only_accountants_draft_entries(self):
        for user in (self.user_billing, self.user_officer_only):
            wizard = self.wizard(user=user)
            wizard.action_compute()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                wizard.action_create_entry()
        self.assertFalse(self.env["account.move"].search([("journal_id", "=", self.journal.id)]))

    def test_choices_needed(self):
        wizard = self.wizard(journal_id=False)
        wizard.action_compute()
        with self.assertRaises(UserError):
            wizard.action_create_entry()
