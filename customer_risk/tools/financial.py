"""Financial statements and agency ratings as scorecard figures (0-100, higher is safer)."""

from .limits import round_to
from .scoring import band_points


def current_ratio(current_assets, current_liabilities):
    """Current assets / current liabilities; None without current liabilities."""
    if not current_liabilities or current_liabilities <= 0:
        return None
    return (current_assets or 0.0) / current_liabilities


def debt_to_equity(total_liabilities, equity):
    """Total liabilities / equity; None when equity is zero or negative (the ratio then
    means nothing: see ``financial_strength_points`` for how it scores)."""
    if not equity or equity <= 0:
        return None
    return (total_liabilities or 0.0) / equity


def net_margin(net_income, revenue):
    """Net income as a percent of revenue; None without revenue."""
    if not revenue or revenue <= 0:
        return None
    return (net_income or 0.0) * 100.0 / revenue


# Points of each ratio, as scoring bands ``(lower, upper, points)``: lower included, upper
# excluded, None for an open end.
CURRENT_RATIO_BANDS = (
    (None, 0.8, 0.0),
    (0.8, 1.0, 25.0),
    (1.0, 1.5, 50.0),
    (1.5, 2.0, 75.0),
    (2.0, None, 100.0),
)
DEBT_TO_EQUITY_BANDS = (
    (None, 0.5, 100.0),
    (0.5, 1.0, 75.0),
    (1.0, 2.0, 50.0),
    (2.0, 4.0, 25.0),
    (4.0, None, 0.0),
)
NET_MARGIN_BANDS = (
    (None, 0.0, 0.0),
    (0.0, 2.0, 25.0),
    (2.0, 5.0, 50.0),
    (5.0, 10.0, 75.0),
    (10.0, None, 100.0),
)


def financial_strength_points(
    current_assets=0.0,
    current_liabilities=0.0,
    total_liabilities=0.0,
    equity=0.0,
    net_income=0.0,
    revenue=0.0,
):
    """Strength 0-100 of one set of financial statements: the average of the points of
    its liquidity, leverage and profitability, rounded to 0.1.

    - current ratio (liquidity): under 0.8 gives 0, 0.8-1 gives 25, 1-1.5 gives 50,
      1.5-2 gives 75, 2 or more gives 100; current assets without current liabilities
      give 100;
    - debt to equity (leverage): under 0.5 gives 100, 0.5-1 gives 75, 1-2 gives 50, 2-4
      gives 25, 4 or more gives 0; zero or negative equity with debts gives 0 (the
      company owes more than it owns);
    - net margin (profitability): a loss gives 0, 0-2 % gives 25, 2-5 % gives 50, 5-10 %
      gives 75, 10 % or more gives 100.

    A ratio that cannot be measured (no revenue, nothing on the balance sheet) is left
    out; None when none can be.

    >>> financial_strength_points(200, 100, 50, 100, 12, 100)
    91.7
    """
    points = []
    ratio = current_ratio(current_assets, current_liabilities)
    if ratio is not None:
        points.append(band_points(ratio, CURRENT_RATIO_BANDS))
    elif (current_assets or 0.0) > 0:
        points.append(100.0)
    leverage = debt_to_equity(total_liabilities, equity)
    if leverage is not None:
        points.append(band_points(leverage, DEBT_TO_EQUITY_BANDS))
    elif (equity or 0.0) < 0 or (total_liabilities or 0.0) > 0:
        points.append(0.0)
    margin = net_margin(net_income, revenue)
    if margin is not None:
        points.append(band_points(margin, NET_MARGIN_BANDS))
    if not points:
        return None
    return round_to(sum(points) / len(points), 0.1)


def rating_key(rating):
    """A rating as agencies' scales compare it: no spaces, upper case ("aa +" is "AA+")."""
    return "".join((rating or "").split()).upper()


def agency_points(rating=None, score=None, ratings=None, score_bands=()):
    """Points 0-100 an agency's report gives, from the agency's scale.

    ``ratings`` maps rating keys (see ``rating_key``) to points; ``score_bands`` are
    ``(lower, upper, points)`` bands of numeric scores. A rating wins over a score; None
    when the scale knows neither.

    >>> agency_points(rating="aa", ratings={"AA": 90.0})
    90.0
    >>> agency_points(score=640, score_bands=[(600, 700, 60.0)])
    60.0
    """
    if rating and rating_key(rating):
        return (ratings or {}).get(rating_key(rating))
    if score is None:
        return None
    return band_points(score, list(score_bands))
