"""Credit scoring: factor values to points, points to a 0-100 score, score to a tier."""

from .limits import round_to

# Screening result as a scorecard value (higher is safer); a customer never screened
# counts as "none".
SCREENING_VALUES = {
    "approved": 3.0,
    "conditional": 2.0,
    "none": 1.0,
    "in_progress": 1.0,
    "rejected": 0.0,
    "expired": 0.0,
}


def band_index(value, bands):
    """Position of the first band holding ``value``, or None.

    ``bands`` is a sequence of ``(lower, upper, points)``: lower inclusive, upper exclusive,
    None for an open end.
    """
    if value is None:
        return None
    for index, (lower, upper, _points) in enumerate(bands):
        if (lower is None or value >= lower) and (upper is None or value < upper):
            return index
    return None


def band_points(value, bands):
    """Points of the band holding ``value``; None when there is no value or no band.

    >>> band_points(15, [(0, 15, 80), (15, None, 40)])
    40
    """
    index = band_index(value, bands)
    return None if index is None else bands[index][2]


def score_contributions(items):
    """Points each factor adds to the score, from ``(points 0-100 or None, weight)`` pairs.

    Factors without points are left out of the weights (their contribution is None), so a
    missing figure neither helps nor hurts the customer.
    """
    items = list(items)
    for points, weight in items:
        if weight is None or weight < 0:
            raise ValueError(f"weight must be >= 0, got {weight!r}")
        if points is not None and not 0 <= points <= 100:
            raise ValueError(f"points must be within 0-100, got {points!r}")
    total = sum(weight for points, weight in items if points is not None)
    return [
        points * weight / total if total and points is not None else None
        for points, weight in items
    ]


def weighted_score(items):
    """Weighted average of the points, rounded to 0.1; None when no factor counts.

    >>> weighted_score([(100, 3), (0, 1), (None, 5)])
    75.0
    """
    contributions = [c for c in score_contributions(items) if c is not None]
    if not contributions:
        return None
    return min(max(round_to(sum(contributions), 0.1), 0.0), 100.0)


def tier_for_score(score, tiers):
    """Key of the tier with the highest ``score_min`` <= ``score``, from ``(key, score_min)``.

    Only lower bounds matter, so a gap between two tiers' ranges never leaves a score
    without a tier. None when there is no score or every tier starts above it.
    """
    if score is None:
        return None
    eligible = [(score_min, key) for key, score_min in tiers if score_min <= score]
    if not eligible:
        return None
    return max(eligible, key=lambda item: item[0])[1]


def payment_delay(payments):
    """Amount-weighted average days paid late, from ``(amount, days_late)`` pairs.

    Early payments count as 0 days late; None when nothing was paid.

    >>> payment_delay([(300.0, 0), (100.0, 40)])
    10.0
    """
    pairs = [(amount, max(days or 0, 0)) for amount, days in payments if amount and amount > 0]
    total = sum(amount for amount, _days in pairs)
    if not total:
        return None
    return sum(amount * days for amount, days in pairs) / total


def ratio_percent(part, whole, default=None):
    """``part`` as a percent of ``whole``; ``default`` when ``whole`` is zero or negative."""
    if not whole or whole <= 0:
        return default
    return (part or 0.0) * 100.0 / whole


def months_between(start, end):
    """Whole months from ``start`` to ``end`` (dates); 0 when ``end`` is not after ``start``."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)
