from datetime import date

from odoo.tests import BaseCase

from odoo.addons.customer_risk.tools import followup

L = followup.LevelRule
# The default collection plan: a general ladder and a stricter one for the High tier.
FRIENDLY = L("friendly", -3)
REMINDER = L("reminder", 7)
LETTER = L("letter", 30)
HOLD = L("hold", 60)
HIGH_FRIENDLY = L("high_friendly", -5, frozenset({"HIGH"}))
HIGH_REMINDER = L("high_reminder", 1, frozenset({"HIGH"}))
HIGH_CALL = L("high_call", 15, frozenset({"HIGH"}))
HIGH_HOLD = L("high_hold", 30, frozenset({"HIGH", "MEDIUM"}))
LEVELS = (HOLD, HIGH_CALL, FRIENDLY, LETTER, HIGH_HOLD, REMINDER, HIGH_REMINDER, HIGH_FRIENDLY)


class TestFollowupTools(BaseCase):
    """Level selection per tier, table-driven (no database)."""

    def test_ladder_per_tier(self):
        cases = [
            (None, (FRIENDLY, REMINDER, LETTER, HOLD)),
            ("LOW", (FRIENDLY, REMINDER, LETTER, HOLD)),
            ("HIGH", (HIGH_FRIENDLY, HIGH_REMINDER, HIGH_CALL, HIGH_HOLD)),
            # A tier with a level of its own no longer uses the general ladder.
            ("MEDIUM", (HIGH_HOLD,)),
        ]
        for tier, expected in cases:
            with self.subTest(tier=tier):
                self.assertEqual(followup.ladder(LEVELS, tier), expected)
        self.assertEqual(followup.ladder((), "HIGH"), ())
        self.assertEqual(followup.ladder((HIGH_CALL,), "LOW"), ())

    def test_ladder_orders_equal_delays_by_sequence(self):
        first, second = L("b", 10, sequence=1), L("a", 10, sequence=2)
        self.assertEqual(followup.ladder((second, first), None), (first, second))

    def test_reached_and_upcoming_level(self):
        general = followup.ladder(LEVELS, None)
        high = followup.ladder(LEVELS, "HIGH")
        cases = [
            # (ladder, days from the oldest due date, reached, upcoming)
            (general, -10, None, FRIENDLY),
            (general, -4, None, FRIENDLY),
            (general, -3, FRIENDLY, REMINDER),
            (general, 0, FRIENDLY, REMINDER),
            (general, 6, FRIENDLY, REMINDER),
            (general, 7, REMINDER, LETTER),
            (general, 29, REMINDER, LETTER),
            (general, 30, LETTER, HOLD),
            (general, 59, LETTER, HOLD),
            (general, 60, HOLD, None),
            (general, 400, HOLD, None),
            (high, -6, None, HIGH_FRIENDLY),
            (high, -5, HIGH_FRIENDLY, HIGH_REMINDER),
            (high, 1, HIGH_REMINDER, HIGH_CALL),
            (high, 15, HIGH_CALL, HIGH_HOLD),
            (high, 30, HIGH_HOLD, None),
            ((), 100, None, None),
        ]
        for steps, days, reached, upcoming in cases:
            with self.subTest(days=days, steps=[s.key for s in steps]):
                self.assertEqual(followup.reached_level(steps, days), reached)
                self.assertEqual(followup.upcoming_level(steps, days), upcoming)

    def test_high_risk_reaches_its_levels_earlier(self):
        general = followup.ladder(LEVELS, "LOW")
        high = followup.ladder(LEVELS, "HIGH")
        first_general, first_high = general[0].delay, high[0].delay
        self.assertLess(first_high, first_general)
        # One day overdue: the high-risk customer is already reminded of the overdue item,
        # the low-risk one only had the friendly notice before the due date.
        self.assertEqual(followup.reached_level(high, 1), HIGH_REMINDER)
        self.assertEqual(followup.reached_level(general, 1), FRIENDLY)

    def test_plan_skips_levels_already_done(self):
        steps = followup.ladder(LEVELS, None)
        cases = [
            (-5, frozenset(), followup.Plan(None, None, FRIENDLY)),
            (8, frozenset(), followup.Plan(REMINDER, REMINDER, LETTER)),
            (8, frozenset({"reminder"}), followup.Plan(REMINDER, None, LETTER)),
            # Levels of the episode not executed on their day are not caught up: the last
            # one reached is the one due.
            (45, frozenset({"friendly"}), followup.Plan(LETTER, LETTER, HOLD)),
            (70, frozenset({"hold"}), followup.Plan(HOLD, None, None)),
        ]
        for days, done, expected in cases:
            with self.subTest(days=days, done=done):
                self.assertEqual(followup.plan(steps, days, done), expected)

    def test_days_from_due_and_cutoff(self):
        today = date(2025, 6, 30)
        cases = [
            (date(2025, 6, 30), 0),
            (date(2025, 6, 29), 1),
            (date(2025, 7, 3), -3),
            (date(2024, 6, 30), 365),
        ]
        for due, days in cases:
            with self.subTest(due=due):
                self.assertEqual(followup.days_from_due(due, today), days)
        with self.assertRaises(TypeError):
            followup.days_from_due(None, today)
        cutoffs = [
            (-3, date(2025, 7, 3)),
            (0, date(2025, 6, 30)),
            (1, date(2025, 6, 29)),
            (7, date(2025, 6, 29)),
            (60, date(2025, 6, 29)),
        ]
        for delay, cutoff in cutoffs:
            with self.subTest(delay=delay):
                self.assertEqual(followup.reminder_cutoff(today, delay), cutoff)
