from dataclasses import replace
from datetime import date

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.customer_risk.tools import BLOCK, OFF, TIER_RULES, WARN, Snapshot, decide

TODAY = date(2025, 3, 15)
ALL_BLOCK = tuple((rule, BLOCK) for rule in TIER_RULES)

# An assessed customer every rule passes for: the base row each case changes.
BASE = Snapshot(
    today=TODAY,
    limit=1000.0,
    exposure=400.0,
    order_amount=100.0,
    screening_state="approved",
    max_overdue_days=30,
    max_overdue_amount=500.0,
    single_order_max=800.0,
    review_date=date(2025, 6, 30),
    modes=ALL_BLOCK,
)


def codes(reasons):
    return tuple(r.code for r in reasons)


@tagged("post_install", "-at_install")
class TestDecisionTools(BaseCase):
    """Every rule and boundary of the decision, without a database."""

    def check(self, table):
        for label, changes, blocking, warnings in table:
            with self.subTest(label):
                decision = decide(replace(BASE, **changes))
                self.assertEqual(codes(decision.blocking), blocking)
                self.assertEqual(codes(decision.warnings), warnings)
                self.assertEqual(decision.blocked, bool(blocking))

    def test_limit_boundaries(self):
        self.check(
            [
                ("well below", {}, (), ()),
                ("exactly at the limit", {"exposure": 900.0}, (), ()),
                ("one minor unit above", {"exposure": 900.01}, ("limit",), ()),
                ("float noise at the limit", {"exposure": 899.9999999}, (), ()),
                ("half a unit rounds to the limit", {"exposure": 900.004}, (), ()),
                ("half a unit rounds above", {"exposure": 900.005}, ("limit",), ()),
                ("at limit plus tolerance", {"exposure": 950.0, "tolerance_percent": 5}, (), ()),
                (
                    "a unit above the tolerance",
                    {"exposure": 950.01, "tolerance_percent": 5},
                    ("limit",),
                    (),
                ),
                ("zero limit blocks any order", {"limit": 0.0, "exposure": 0.0}, ("limit",), ()),
                (
                    "zero limit, credit balance covers it",
                    {"limit": 0.0, "exposure": -100.0},
                    (),
                    (),
                ),
                (
                    "zero limit and zero order",
                    {"limit": 0.0, "exposure": 0.0, "order_amount": 0.0},
                    (),
                    (),
                ),
                ("already over with a tiny order", {"exposure": 1000.0}, ("limit",), ()),
                (
                    "yen: rounding 1",
                    {"rounding": 1.0, "limit": 1000.0, "exposure": 900.4},
                    (),
                    (),
                ),
                (
                    "yen: one unit above",
                    {"rounding": 1.0, "limit": 1000.0, "exposure": 901.0},
                    ("limit",),
                    (),
                ),
            ]
        )

    def test_limit_figures(self):
        decision = decide(replace(BASE, exposure=950.0, tolerance_percent=2))
        figures = decision.blocking[0].values()
        self.assertEqual(figures["limit"], 1000.0)
        self.assertEqual(figures["allowed"], 1020.0)
        self.assertEqual(figures["exposure"], 950.0)
        self.assertEqual(figures["order_amount"], 100.0)
        self.assertEqual(figures["total"], 1050.0)

    def test_overdue_rules(self):
        self.check(
            [
                ("at the max days", {"max_days_overdue": 30}, (), ()),
                ("one day more", {"max_days_overdue": 31}, ("overdue_days",), ()),
                (
                    "zero days allows none",
                    {"max_overdue_days": 0, "max_days_overdue": 1},
                    ("overdue_days",),
                    (),
                ),
                ("at the max amount", {"overdue_amount": 500.0}, (), ()),
                ("a unit above the amount", {"overdue_amount": 500.01}, ("overdue_amount",), ()),
                (
                    "zero allowance",
                    {"max_overdue_amount": 0.0, "overdue_amount": 0.01},
                    ("overdue_amount",),
                    (),
                ),
                (
                    "credits do not count as overdue",
                    {"max_overdue_amount": 0.0, "overdue_amount": -50.0},
                    (),
                    (),
                ),
            ]
        )

    def test_single_order_maximum(self):
        self.check(
            [
                ("at the maximum", {"order_amount": 800.0, "exposure": 0.0}, (), ()),
                (
                    "a unit above",
                    {"order_amount": 800.01, "exposure": 0.0},
                    ("single_order",),
                    (),
                ),
                (
                    "zero means no maximum",
                    {"single_order_max": 0.0, "order_amount": 900.0, "exposure": 0.0},
                    (),
                    (),
                ),
            ]
        )

    def test_terms_contract_review_screening(self):
        self.check(
            [
                ("prepayment with immediate terms", {"prepayment_required": True}, (), ()),
                (
                    "prepayment with credit terms",
                    {"prepayment_required": True, "terms_immediate": False},
                    ("prepayment",),
                    (),
                ),
                ("credit terms without prepayment", {"terms_immediate": False}, (), ()),
                ("contract required, none", {"contract_required": True}, ("contract",), ()),
                (
                    "contract required and covering",
                    {"contract_required": True, "contract_covers": True},
                    (),
                    (),
                ),
                ("review today", {"review_date": TODAY}, (), ()),
                ("review yesterday", {"review_date": date(2025, 3, 14)}, ("review",), ()),
                ("no review date", {"review_date": None}, (), ()),
                ("screening conditional", {"screening_state": "conditional"}, (), ()),
                ("screening missing", {"screening_state": None}, ("screening",), ()),
                ("screening none", {"screening_state": "none"}, ("screening",), ()),
                ("screening running", {"screening_state": "in_progress"}, ("screening",), ()),
                ("screening rejected", {"screening_state": "rejected"}, ("screening",), ()),
                ("screening expired", {"screening_state": "expired"}, ("screening",), ()),
            ]
        )

    def test_hold_always_blocks(self):
        all_off = tuple((rule, OFF) for rule in TIER_RULES)
        for label, changes in [
            ("assessed", {}),
            ("every rule off", {"modes": all_off}),
            ("unassessed, allow", {"assessed": False, "unassessed_policy": "allow"}),
        ]:
            with self.subTest(label):
                decision = decide(replace(BASE, hold=True, hold_reason="Fraud", **changes))
                self.assertEqual(codes(decision.blocking), ("hold",))
                self.assertEqual(decision.blocking[0].values(), {"reason": "Fraud"})
                self.assertFalse(decision.releasable)

    def test_modes(self):
        failing = {
            "exposure": 2000.0,
            "max_days_overdue": 40,
            "screening_state": "rejected",
            "review_date": date(2025, 1, 1),
        }
        warn_limit = tuple((r, WARN if r == "limit" else m) for r, m in ALL_BLOCK)
        off_but_limit = tuple((r, BLOCK if r == "limit" else OFF) for r in TIER_RULES)
        self.check(
            [
                ("all block", failing, ("screening", "limit", "overdue_days", "review"), ()),
                (
                    "limit only warns",
                    {**failing, "modes": warn_limit},
                    ("screening", "overdue_days", "review"),
                    ("limit",),
                ),
                ("others off", {**failing, "modes": off_but_limit}, ("limit",), ()),
                ("no modes at all", {**failing, "modes": ()}, (), ()),
            ]
        )

    def test_warnings_do_not_block(self):
        decision = decide(replace(BASE, exposure=5000.0, modes=(("limit", WARN),)))
        self.assertFalse(decision.blocked)
        self.assertEqual(codes(decision.warnings), ("limit",))

    def test_unassessed_policies(self):
        unassessed = {
            "assessed": False,
            "limit": 0.0,
            "screening_state": None,
            "review_date": None,
            "modes": (),
        }
        over = {**unassessed, "limit": 450.0}
        self.check(
            [
                ("allow", {**unassessed, "unassessed_policy": "allow"}, (), ()),
                ("allow ignores a limit", {**over, "unassessed_policy": "allow"}, (), ()),
                ("warn", {**unassessed, "unassessed_policy": "warn"}, (), ("not_assessed",)),
                (
                    "warn with a limit exceeded",
                    {**over, "unassessed_policy": "warn"},
                    (),
                    ("not_assessed", "limit"),
                ),
                (
                    "warn, limit at the boundary",
                    {**unassessed, "limit": 500.0, "unassessed_policy": "warn"},
                    (),
                    ("not_assessed",),
                ),
                ("block", {**unassessed, "unassessed_policy": "block"}, ("not_assessed",), ()),
                (
                    "block with a limit exceeded",
                    {**over, "unassessed_policy": "block"},
                    ("not_assessed", "limit"),
                    (),
                ),
                (
                    "no limit set: no limit rule",
                    {**unassessed, "exposure": 10**6, "unassessed_policy": "warn"},
                    (),
                    ("not_assessed",),
                ),
                (
                    "tier thresholds do not apply",
                    {
                        **unassessed,
                        "max_days_overdue": 400,
                        "overdue_amount": 10**6,
                        "prepayment_required": True,
                        "terms_immediate": False,
                        "contract_required": True,
                        "order_amount": 10**6,
                        "unassessed_policy": "warn",
                    },
                    (),
                    ("not_assessed",),
                ),
                (
                    "rejected screening counts",
                    {**unassessed, "screening_state": "rejected", "unassessed_policy": "warn"},
                    (),
                    ("not_assessed", "screening"),
                ),
                (
                    "review date passed counts",
                    {**unassessed, "review_date": date(2025, 1, 1), "unassessed_policy": "block"},
                    ("not_assessed", "review"),
                    (),
                ),
            ]
        )

    def test_releasable(self):
        self.assertTrue(decide(replace(BASE, exposure=5000.0)).releasable)
        self.assertFalse(decide(BASE).releasable)
        both = decide(replace(BASE, exposure=5000.0, hold=True))
        self.assertEqual(codes(both.blocking), ("hold", "limit"))
        self.assertFalse(both.releasable)
