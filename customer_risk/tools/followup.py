"""Follow-up levels: which reminder step a customer has reached in an overdue episode.

A level is a step of the collection plan: ``delay`` days after the due date of the
customer's oldest open item (negative: a reminder before that date). The levels naming a
tier form that tier's ladder; the levels naming no tier form the general ladder, used by
every tier without a ladder of its own and by customers never assessed.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class LevelRule:
    key: object  # the level's id
    delay: int  # days after the due date of the oldest open item (negative: before)
    tiers: frozenset = frozenset()  # empty: the general ladder
    sequence: int = 0


@dataclass(frozen=True)
class Plan:
    """Where a customer stands on its ladder on a given day.

    ``reached`` is the last level whose delay has passed; ``due`` is the same level when it
    has not been executed yet in the current episode (None otherwise); ``upcoming`` is the
    next level, the one whose delay comes next.
    """

    reached: LevelRule | None
    due: LevelRule | None
    upcoming: LevelRule | None


def ladder(levels, tier):
    """The levels that apply to a customer of ``tier`` (None: not assessed), in order.

    The levels naming the tier when there are any, otherwise the general ones; ordered by
    delay, then sequence.
    """
    specific = [lvl for lvl in levels if tier is not None and tier in lvl.tiers]
    chosen = specific or [lvl for lvl in levels if not lvl.tiers]
    return tuple(sorted(chosen, key=lambda lvl: (lvl.delay, lvl.sequence)))


def days_from_due(due_date, today):
    """Signed days from ``due_date`` to ``today``: negative before the due date."""
    if not isinstance(due_date, date) or not isinstance(today, date):
        raise TypeError("dates expected")
    return (today - due_date).days


def reached_level(steps, days):
    """The last level of the ordered ``steps`` whose delay is at most ``days``, or None."""
    reached = None
    for step in steps:
        if step.delay > days:
            break
        reached = step
    return reached


def upcoming_level(steps, days):
    """The first level of the ordered ``steps`` whose delay is still ahead, or None."""
    return next((step for step in steps if step.delay > days), None)


def plan(steps, days, done=frozenset()):
    """The customer's position on its ladder ``days`` after its oldest due date, given the
    keys of the levels already executed in this episode (``done``)."""
    reached = reached_level(steps, days)
    due = reached if reached is not None and reached.key not in done else None
    return Plan(reached=reached, due=due, upcoming=upcoming_level(steps, days))


def reminder_cutoff(today, delay):
    """Items due on or before this date are the ones a level of ``delay`` reminds.

    A level after the due date lists every overdue item; a level before it also lists the
    items falling due within its ``-delay`` days.
    """
    return today - timedelta(days=min(delay, 1))
