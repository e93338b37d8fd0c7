from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common_check import CreditCheckCommon
from .test_tools_screening import full_width

PASSED = ("registration", "litigation", "bank_reference", "trade_references", "documents")


@freeze_time("2025-03-15 12:00:00")
@tagged("post_install", "-at_install")
class TestScreening(CreditCheckCommon):
    """Screening rounds as the credit officer works them, and the customer's screening
    state they give to the credit check and the scorecard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Screening = cls.env(user=cls.user_officer)["customer.risk.screening"]
        cls.watchlist = (
            cls.env(user=cls.user_officer)["customer.risk.watchlist"]
            .create(
                {
                    "name": "Sanctions",
                    "entry_ids": [
                        # The customer "Risky Customer Ltd", written differently.
                        (0, 0, {"name": full_width("RISKY CUSTOMER LIMITED")}),
                        (0, 0, {"name": "Someone Else GmbH", "identifiers": "DE 123-456"}),
                    ],
                }
            )
            .sudo()
        )

    def _round(self, partner=None, **vals):
        return self.Screening.create({"partner_id": (partner or self.customer).id, **vals})

    def _state(self, partner=None, company=None):
        return (
            (partner or self.customer).sudo().with_company(company or self.company)
        ).risk_screening_state

    def _set_checks(self, screening, result="pass", types=None):
        for check in screening.check_ids:
            if types is None or check.check_type in types:
                check.write({"result": result, "note": "Checked"})

    def _decided(self, result="approved", partner=None, note="Reviewed"):
        screening = self._round(partner)
        self._set_checks(screening)
        screening.action_submit()
        screening.decision_note = note
        getattr(
            screening,
            {
                "approved": "action_approve",
                "conditional": "action_approve_conditional",
                "rejected": "action_reject",
            }[result],
        )()
        return screening

    def test_new_round_has_every_check(self):
        screening = self._round()
        self.assertEqual(screening.state, "draft")
        self.assertEqual(len(screening.check_ids), 7)
        self.assertEqual(set(screening.check_ids.mapped("result")), {"pending"})
        # The customer's standing approval holds while it is screened again.
        self.assertEqual(self._state(), "approved")

    def test_round_of_a_customer_never_screened(self):
        other = self.env["res.partner"].create({"name": "New Customer", "is_company": True})
        screening = self._round(other)
        self.assertEqual(self._state(other), "in_progress")
        screening.unlink()
        self.assertEqual(self._state(other), "none")

    def test_one_open_round_per_customer(self):
        self._round()
        with self.assertRaisesRegex(UserError, "already has a screening in progress"):
            self._round()

    def test_contacts_are_not_screened(self):
        with self.assertRaises(UserError):
            self._round(self.contact)

    def test_tax_id_check(self):
        screening = self._round()
        tax_id = screening.check_ids.filtered(lambda c: c.check_type == "tax_id")
        screening.action_run_checks()
        self.assertEqual((tax_id.result, tax_id.note), ("fail", "The customer has no tax ID."))
        self.customer.vat = "BE0477472701"
        screening.action_run_checks()
        # Odoo's VAT validation (base_vat) is not installed: the officer checks by hand.
        self.assertEqual(tax_id.result, "na")
        self.assertIn("base_vat", tax_id.note)
        Partner = self.registry["res.partner"]
        with patch.object(type(self.Screening), "_vat_validation_available", return_value=True):
            for outcome, result in (("be", "pass"), (False, "fail"), (None, "pending")):
                with (
                    self.subTest(outcome=outcome),
                    patch.object(Partner, "_run_vat_test", return_value=outcome, create=True),
                ):
                    screening.action_run_checks()
                    self.assertEqual(tax_id.result, result)
                    self.assertIn("BE0477472701", tax_id.note)
        # A result the officer gave by hand is kept when the checks run again.
        tax_id.write({"result": "pass", "note": "Checked on the tax bureau's site"})
        screening.action_run_checks()
        self.assertEqual((tax_id.result, tax_id.checked_by_id), ("pass", self.user_officer))

    def test_decisions_set_the_state_and_feed_the_check(self):
        rejected = self._decided("rejected", note="Unknown shareholders")
        self.assertEqual((rejected.state, rejected.result), ("decided", "rejected"))
        self.assertEqual(rejected.decided_by_id, self.user_officer)
        self.assertEqual(self._state(), "rejected")
        self.assertIn("Unknown shareholders", rejected.partner_id.message_ids[0].body)
        # The tier's screening rule blocks the order of a rejected customer.
        with self.assertRaisesRegex(UserError, "screening was rejected"):
            self.confirm(self.order_as_sales(10.0))
        # A new round in progress leaves the rejection standing...
        again = self._round()
        self.assertEqual(self._state(), "rejected")
        # ...until it is decided.
        self._set_checks(again)
        again.action_submit()
        again.action_approve()
        self.assertEqual(self._state(), "approved")
        order = self.order_as_sales(10.0)
        self.confirm(order)
        self.assertEqual(order.state, "sale")

    def test_conditional_approval_passes_the_check(self):
        self._decided("conditional", note="Prepayment for the first three orders")
        self.assertEqual(self._state(), "conditional")
        self.confirm(self.order_as_sales(10.0))

    def test_decision_rules(self):
        screening = self._round()
        with self.assertRaisesRegex(UserError, "Give a result to every check"):
            screening.action_submit()
        self._set_checks(screening)
        self._set_checks(screening, "fail", types={"litigation"})
        with self.assertRaisesRegex(UserError, "Submit the screening for review"):
            screening.action_approve()
        screening.action_submit()
        with self.assertRaisesRegex(UserError, "has failed checks"):
            screening.action_approve()
        with self.assertRaisesRegex(UserError, "Give the reason"):
            screening.action_approve_conditional()
        screening.decision_note = "Old dispute, settled"
        screening.action_approve_conditional()
        self.assertEqual(screening.valid_until, date(2026, 3, 15))

    def test_validity_follows_the_company_setting(self):
        self.company.sudo().risk_screening_validity_months = 6
        self.assertEqual(self._decided().valid_until, date(2025, 9, 15))
        screening = self._round(valid_until=date(2025, 4, 30))
        self._set_checks(screening)
        screening.action_submit()
        screening.action_approve()
        self.assertEqual(screening.valid_until, date(2025, 4, 30))

    def test_decided_round_cannot_change(self):
        screening = self._decided()
        for vals in ({"result": "rejected"}, {"valid_until": date(2030, 1, 1)}, {"state": "draft"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                screening.write(vals)
        with self.assertRaises(UserError):
            screening.check_ids[0].result = "fail"
        with self.assertRaises(UserError):
            screening.unlink()
        with self.assertRaises(UserError):
            screening.action_reject()

    def test_watchlist_hit_puts_the_round_in_review(self):
        self._decided()
        screening = self._round()
        with patch.object(
            type(self.Screening),
            "_on_watchlist_hit",
            autospec=True,
            side_effect=type(self.Screening)._on_watchlist_hit,
        ) as on_hit:
            screening.action_run_checks()
            # Running the checks again records nothing twice.
            screening.action_run_checks()
        self.assertEqual(on_hit.call_count, 1)
        (_screenings, hits), _kwargs = on_hit.call_args
        self.assertEqual(hits, screening.hit_ids)
        self.assertEqual(screening.state, "in_review")
        self.assertTrue(screening.watchlist_hit)
        hit = screening.hit_ids
        self.assertEqual(len(hit), 1)
        self.assertEqual(
            (hit.entry_id.watchlist_id, hit.match_type, hit.matched_key),
            (self.watchlist, "name", "riskycustomer"),
        )
        check = screening.check_ids.filtered(lambda c: c.check_type == "watchlist")
        self.assertEqual(check.result, "fail")
        self.assertIn("Sanctions", check.note)
        self.assertIn("Watchlist hit", self.customer.message_ids[0].body)
        alert = self.env["customer.risk.alert"].search(
            [("partner_id", "=", self.customer.id), ("rule_code", "=", "watchlist_hit")]
        )
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.company_id, screening.company_id)
        # The hit suspends the customer's approval: the tier's screening rule blocks.
        self.assertEqual(self._state(), "in_progress")
        with self.assertRaisesRegex(UserError, "screening is missing or not finished"):
            self.confirm(self.order_as_sales(10.0))
        # The officer finds it is another company: clearing the hit restores the approval
        # of the previous round.
        check.write({"result": "pass", "note": "Homonym: different registration number"})
        self.assertEqual(self._state(), "approved")
        screening.action_run_checks()
        self.assertEqual((check.result, self._state()), ("pass", "approved"))

    def test_identifier_match_and_no_match(self):
        other = self.env["res.partner"].create(
            {"name": "Completely Different Name", "is_company": True, "vat": "de123456"}
        )
        clean = self.env["res.partner"].create({"name": "Clean Trading", "is_company": True})
        screenings = self._round(other) | self._round(clean)
        screenings.action_run_checks()
        self.assertEqual(screenings[0].hit_ids.match_type, "identifier")
        self.assertEqual(screenings[0].hit_ids.matched_key, "DE123456")
        watch_check = screenings[1].check_ids.filtered(lambda c: c.check_type == "watchlist")
        self.assertEqual(watch_check.result, "pass")
        self.assertEqual(screenings[1].state, "draft")
        # Archived lists and lists of other companies are not screened against.
        self.watchlist.active = False
        fresh = self.env["res.partner"].create({"name": "Risky Customer", "is_company": True})
        fresh_round = self._round(fresh)
        fresh_round.action_run_checks()
        self.assertFalse(fresh_round.hit_ids)
        watch_check = fresh_round.check_ids.filtered(lambda c: c.check_type == "watchlist")
        self.assertEqual((watch_check.result, watch_check.note), ("na", "No watchlist is loaded."))

    def test_expiry_cron(self):
        old = self._decided()
        other = self.env["res.partner"].create({"name": "Renewed Ltd", "is_company": True})
        renewed_old = self._decided(partner=other)
        with freeze_time("2025-09-01"):
            renewed = self._decided(partner=other)
        with freeze_time("2026-03-16"), patch.object(self.env.cr, "commit"):
            self.assertEqual(self.Screening.sudo()._cron_expire(), 2)
            self.assertEqual(self.Screening.sudo()._cron_expire(), 0)
        self.assertEqual(
            (old.state, renewed_old.state, renewed.state), ("expired",) * 2 + ("decided",)
        )
        self.assertEqual(self._state(), "expired")
        self.assertIn("expired", self.customer.message_ids[0].body)
        # The newer round still holds for the other customer.
        self.assertEqual(self._state(other), "approved")
        with self.assertRaisesRegex(UserError, "screening has expired"):
            self.confirm(self.order_as_sales(10.0))

    def test_screen_button(self):
        action = self.customer.with_user(self.user_officer).action_risk_screen()
        screening = self.Screening.browse(action["res_id"])
        self.assertEqual(screening.partner_id, self.customer)
        self.assertEqual(screening.state, "in_review")  # the watchlist hit
        self.assertEqual(
            self.contact.with_user(self.user_officer).action_risk_screen()["res_id"], screening.id
        )
        self.assertEqual(self.customer.with_user(self.user_officer).risk_screening_count, 1)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_sales).action_risk_screen()

    def test_access_by_role(self):
        screening = self._decided()
        for user in (self.user_sales, self.user_billing, self.user_default):
            with self.subTest(user=user.login):
                Screening = self.env["customer.risk.screening"].with_user(user)
                with self.assertRaises(AccessError):
                    Screening.search([])
                with self.assertRaises(AccessError):
                    screening.with_user(user).read(["result"])
                with self.assertRaises(AccessError):
                    Screening.create({"partner_id": self.customer.id})
                with self.assertRaises(AccessError):
                    screening.with_user(user).action_reject()
                with self.assertRaises(AccessError):
                    self.env["customer.risk.watchlist"].with_user(user).search([])
        # Salespeople read the customer's screening state, never write it.
        customer = self.customer.with_user(self.user_sales).with_company(self.company)
        self.assertEqual(customer.risk_screening_state, "approved")
        with self.assertRaises(AccessError):
            customer.risk_screening_state = "rejected"
        for model, extra in (
            ("customer.risk.screening", [(False, "kanban")]),
            ("customer.risk.watchlist", []),
            ("customer.risk.watchlist.entry", []),
        ):
            with self.subTest(model=model):
                self.env[model].with_user(self.user_officer).get_views(
                    [(False, "list"), (False, "form"), (False, "search"), *extra]
                )
        self.env["customer.risk.watchlist.import"].with_user(self.user_officer).get_views(
            [(False, "form")]
        )
        # The customer list shows the screening state to every role.
        for user in (self.user_sales, self.user_officer):
            action = self.env.ref("customer_risk.res_partner_action_customer")
            views = (
                self.env["res.partner"]
                .with_user(user)
                .get_views([(action.view_id.id, "list"), (action.search_view_id.id, "search")])
            )
            self.assertIn("risk_screening_state", views["views"]["list"]["arch"])
            self.assertIn("screening_to_do", views["views"]["search"]["arch"])

    def test_multi_company(self):
        other = self.env["res.company"].sudo().create({"name": "Other Screening Company"})
        elsewhere = (
            self.env["customer.risk.screening"]
            .sudo()
            .with_company(other)
            .create({"partner_id": self.customer.id, "company_id": other.id})
        )
        self._set_checks(elsewhere.sudo())
        elsewhere.action_submit()
        elsewhere.decision_note = "Fraud"
        elsewhere.action_reject()
        self.assertEqual(self._state(company=other), "rejected")
        self.assertEqual(self._state(), "approved")
        self.assertNotIn(elsewhere, self.Screening.search([]))
