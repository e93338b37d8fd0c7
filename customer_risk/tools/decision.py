"""The credit check: which rules an order fails, from a snapshot of figures.

The same function decides at confirmation and feeds the quotation banner, so what the
salesperson sees is what ``action_confirm`` will do.
"""

from dataclasses import dataclass, field
from datetime import date

from .limits import limit_with_tolerance, round_to

BLOCK = "block"
WARN = "warn"
OFF = "off"

# Rules a tier configures (block / warn / off), in the order reasons are listed.
TIER_RULES = (
    "screening",
    "limit",
    "overdue_days",
    "overdue_amount",
    "prepayment",
    "contract",
    "single_order",
    "review",
)
# Reason codes outside the tier's modes: a manual hold always blocks; "not_assessed" reports
# a customer without a tier under the company's policy.
HOLD = "hold"
NOT_ASSESSED = "not_assessed"
# A credit release lifts every blocking reason except these: only a manager lifts a hold.
UNRELEASABLE = frozenset({HOLD})

# Screening states: "none" and "in_progress" count as missing.
SCREENING_PASSED = frozenset({"approved", "conditional"})
SCREENING_BAD = frozenset({"rejected", "expired"})


@dataclass(frozen=True)
class Snapshot:
    """Every figure the check needs for one order; amounts in company currency.

    ``exposure`` excludes the order; ``order_amount`` is the order's total. ``modes`` maps
    each rule of ``TIER_RULES`` to block / warn / off as pairs (a frozen mapping).
    """

    today: date
    rounding: float = 0.01
    assessed: bool = True
    unassessed_policy: str = WARN
    hold: bool = False
    hold_reason: str = ""
    limit: float = 0.0
    tolerance_percent: float = 0.0
    exposure: float = 0.0
    order_amount: float = 0.0
    overdue_amount: float = 0.0
    max_days_overdue: int = 0
    max_overdue_days: int = 0
    max_overdue_amount: float = 0.0
    screening_state: str | None = None
    prepayment_required: bool = False
    terms_immediate: bool = True
    contract_required: bool = False
    contract_covers: bool = False
    review_date: date | None = None
    single_order_max: float = 0.0
    modes: tuple = field(default_factory=tuple)

    def mode(self, rule):
        return dict(self.modes).get(rule, OFF)


@dataclass(frozen=True)
class Reason:
    """One failed rule: its code, block or warn, and the figures that explain it."""

    code: str
    severity: str
    figures: tuple = ()

    def values(self):
        return dict(self.figures)


@dataclass(frozen=True)
class Decision:
    reasons: tuple = ()

    @property
    def blocking(self):
        return tuple(r for r in self.reasons if r.severity == BLOCK)

    @property
    def warnings(self):
        return tuple(r for r in self.reasons if r.severity == WARN)

    @property
    def blocked(self):
        return bool(self.blocking)

    @property
    def releasable(self):
        """Blocked only by reasons a credit release may lift."""
        return self.blocked and not any(r.code in UNRELEASABLE for r in self.blocking)


def decide(snapshot):
    """The decision for ``snapshot``: every failed rule with its severity and figures."""
    s = snapshot
    reasons = []
    if s.hold:
        reasons.append(Reason(HOLD, BLOCK, (("reason", s.hold_reason or ""),)))
    if s.assessed:
        for code, figures in _failures(s):
            severity = s.mode(code)
            if severity != OFF:
                reasons.append(Reason(code, severity, figures))
    elif s.unassessed_policy != "allow":
        severity = BLOCK if s.unassessed_policy == "block" else WARN
        reasons.append(Reason(NOT_ASSESSED, severity))
        reasons.extend(Reason(code, severity, figures) for code, figures in _failures(s))
    return Decision(tuple(reasons))


def _failures(s):
    """(code, figures) of each rule the snapshot fails, whatever its mode."""
    rnd = s.rounding
    # Without a tier a missing screening adds nothing to "not assessed": only a recorded
    # bad outcome counts.
    if s.screening_state not in SCREENING_PASSED and (
        s.assessed or s.screening_state in SCREENING_BAD
    ):
        yield "screening", (("state", s.screening_state or "none"),)
    # A zero limit means no credit for an assessed customer; a customer never assessed is
    # checked against a limit only when one was set.
    if s.assessed or s.limit > 0:
        allowed = limit_with_tolerance(s.limit, s.tolerance_percent, rnd)
        total = round_to(s.exposure + s.order_amount, rnd)
        if total > allowed:
            yield (
                "limit",
                (
                    ("limit", s.limit),
                    ("tolerance_percent", s.tolerance_percent),
                    ("allowed", allowed),
                    ("exposure", s.exposure),
                    ("order_amount", s.order_amount),
                    ("total", total),
                ),
            )
    if s.assessed:
        yield from _tier_threshold_failures(s)
    if s.review_date and s.review_date < s.today:
        yield "review", (("review_date", s.review_date),)


def _tier_threshold_failures(s):
    """Rules that need the tier's thresholds, so only for assessed customers."""
    rnd = s.rounding
    if s.max_days_overdue > s.max_overdue_days:
        yield "overdue_days", (("days", s.max_days_overdue), ("max_days", s.max_overdue_days))
    if round_to(s.overdue_amount, rnd) > round_to(s.max_overdue_amount, rnd):
        yield (
            "overdue_amount",
            (("overdue", s.overdue_amount), ("max_amount", s.max_overdue_amount)),
        )
    if s.prepayment_required and not s.terms_immediate:
        yield "prepayment", ()
    if s.contract_required and not s.contract_covers:
        yield "contract", ()
    if s.single_order_max > 0 and round_to(s.order_amount, rnd) > round_to(s.single_order_max, rnd):
        yield (
            "single_order",
            (("order_amount", s.order_amount), ("max_amount", s.single_order_max)),
        )
