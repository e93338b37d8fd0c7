"""Early warnings: which alert rules a customer's figures meet, and unusual orders.

Each check takes the figures of one customer and the rule's threshold and returns the
figures that explain the alert, or None when the rule is not met.
"""

from dataclasses import dataclass
from datetime import date

from .limits import round_to
from .scoring import ratio_percent

# Rules whose condition is a state of the customer: their alert resolves itself once the
# condition is gone.
STATE_RULES = (
    "limit_utilization",
    "overdue_days",
    "screening",
    "review_overdue",
    "contract_expiring",
    "obligation_overdue",
)
# Rules raised by a change since the previous run: an officer resolves their alert.
EVENT_RULES = ("tier_downgrade", "overdue_jump")


@dataclass(frozen=True)
class AlertFigures:
    """Figures of one customer in one company; amounts in company currency.

    ``previous_*`` are the figures seen at the previous monitoring run (None before the
    first one); tier ranks grow with the risk (the tier's sequence).
    """

    today: date
    rounding: float = 0.01
    limit: float = 0.0
    exposure: float = 0.0
    overdue: float = 0.0
    max_days_overdue: int = 0
    previous_overdue: float | None = None
    tier_rank: int | None = None
    previous_tier_rank: int | None = None
    screening_state: str | None = None
    screening_valid_until: date | None = None
    review_date: date | None = None
    contract_end: date | None = None
    obligation_due: date | None = None


def _limit_utilization(f, threshold):
    # Without a limit, utilization means nothing (the credit check handles a zero limit).
    utilization = ratio_percent(f.exposure, f.limit)
    if utilization is None or utilization < threshold - 1e-9:
        return None
    return {"utilization": round(utilization, 2), "exposure": f.exposure, "limit": f.limit}


def _overdue_days(f, threshold):
    if f.max_days_overdue <= threshold:
        return None
    return {"days": f.max_days_overdue}


def _overdue_jump(f, threshold):
    # Nothing overdue at the previous run gives no base for a ratio: a first overdue item
    # is what the overdue-days rule and the event assessments watch.
    if not f.previous_overdue or f.previous_overdue <= 0:
        return None
    increase = round_to(f.overdue - f.previous_overdue, f.rounding)
    percent = round(increase * 100.0 / f.previous_overdue, 2)
    if increase <= 0 or percent <= threshold:
        return None
    return {"previous": f.previous_overdue, "overdue": f.overdue, "increase_percent": percent}


def _tier_downgrade(f, threshold):
    if f.tier_rank is None or f.previous_tier_rank is None or f.tier_rank <= f.previous_tier_rank:
        return None
    return {"tier_rank": f.tier_rank, "previous_tier_rank": f.previous_tier_rank}


def _screening(f, threshold):
    if f.screening_state == "expired":
        return {"state": "expired"}
    if f.screening_valid_until:
        days_left = (f.screening_valid_until - f.today).days
        if days_left <= threshold:
            return {"valid_until": f.screening_valid_until, "days_left": days_left}
    return None


def _review_overdue(f, threshold):
    if not f.review_date or (f.today - f.review_date).days <= threshold:
        return None
    return {"review_date": f.review_date, "days": (f.today - f.review_date).days}


def _contract_expiring(f, threshold):
    if not f.contract_end:
        return None
    days_left = (f.contract_end - f.today).days
    if not 0 <= days_left <= threshold:
        return None
    return {"date_end": f.contract_end, "days_left": days_left}


def _obligation_overdue(f, threshold):
    if not f.obligation_due or (f.today - f.obligation_due).days <= threshold:
        return None
    return {"due_date": f.obligation_due, "days": (f.today - f.obligation_due).days}


CHECKS = {
    "limit_utilization": _limit_utilization,
    "overdue_days": _overdue_days,
    "overdue_jump": _overdue_jump,
    "tier_downgrade": _tier_downgrade,
    "screening": _screening,
    "review_overdue": _review_overdue,
    "contract_expiring": _contract_expiring,
    "obligation_overdue": _obligation_overdue,
}


def alert_conditions(figures, thresholds):
    """{rule code: figures} of the rules in ``thresholds`` ({code: threshold}) that
    ``figures`` meet; codes without a check here (raised by other code) are ignored."""
    result = {}
    for code, threshold in thresholds.items():
        check = CHECKS.get(code)
        values = check(figures, threshold or 0) if check else None
        if values is not None:
            result[code] = values
    return result


def unusual_order(amount, average, times, rounding=0.01):
    """How many times ``average`` the order ``amount`` is, when that is more than
    ``times``; None otherwise or without a usual size to compare with."""
    if not average or average <= 0 or not times or times <= 0:
        return None
    if round_to(amount, rounding) <= round_to(average * times, rounding):
        return None
    return round(amount / average, 2)
