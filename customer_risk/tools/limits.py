"""Credit limits granted by a tier, and the limit plus tolerance the check compares with."""

import math

LIMIT_METHODS = ("fixed", "sales_share", "agency")
# Largest amount a limit, tier or authority may hold: far above any real limit, and small
# enough that a float still counts every cent.
MAX_AMOUNT = 1e13
MAX_AMOUNT_TEXT = "10,000,000,000,000"


def valid_amount(value, signed=False):
    """Whether a client's ``value`` can be stored as a limit-like amount: a finite number
    from 0 (``-MAX_AMOUNT`` when ``signed``) to MAX_AMOUNT (``None`` and ``False`` mean 0).
    Text, NaN and infinities are not.

    >>> [valid_amount(v) for v in (0, 12.5, None, -1, float("nan"), "12", 1e300)]
    [True, True, True, False, False, False, False]
    """
    if value is None or value is False:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and (-MAX_AMOUNT if signed else 0) <= value <= MAX_AMOUNT


def tier_limit(
    method, fixed=0.0, sales_share_percent=0.0, sales_12m=0.0, agency_limit=None, cap=0.0
):
    """Limit from a tier's method; ``cap`` > 0 bounds it. Unknown inputs give 0 (no credit).

    >>> tier_limit("sales_share", sales_share_percent=25, sales_12m=1000.0, cap=200.0)
    200.0
    """
    if method not in LIMIT_METHODS:
        raise ValueError(f"unknown limit method {method!r}")
    if method == "fixed":
        limit = fixed or 0.0
    elif method == "sales_share":
        limit = max(sales_12m or 0.0, 0.0) * (sales_share_percent or 0.0) / 100.0
    else:
        limit = agency_limit or 0.0
    limit = max(limit, 0.0)
    if cap and cap > 0:
        limit = min(limit, cap)
    return limit


def limit_with_tolerance(limit, tolerance_percent, rounding=0.01):
    """The highest exposure allowed, rounded to the currency's minor unit."""
    allowed = (limit or 0.0) * (1.0 + max(tolerance_percent or 0.0, 0.0) / 100.0)
    return round_to(allowed, rounding)


def round_to(amount, rounding=0.01):
    """Round half away from zero to a multiple of ``rounding`` (like Odoo's float_round)."""
    if not rounding:
        return amount
    units = abs(amount) / rounding
    rounded = int(units + 0.5 + 1e-9) * rounding
    digits = max(0, len(f"{rounding:.10f}".rstrip("0").split(".")[1]))
    return round(rounded if amount >= 0 else -rounded, digits)
