"""Collection KPIs: DSO by the countback method, CEI, average days delinquent."""


def dso_countback(receivables, periods):
    """Days sales outstanding by countback.

    ``periods`` lists (days in period, credit sales of the period), most recent first.
    Walk back through the periods, consuming each period's sales until the receivables are
    covered; a partly consumed period counts pro rata. Receivables larger than all the
    sales given count every day of every period.
    """
    remaining = max(receivables or 0.0, 0.0)
    days = 0.0
    for period_days, sales in periods:
        if remaining <= 0:
            break
        if sales <= 0:
            days += period_days
            continue
        if remaining >= sales:
            days += period_days
            remaining -= sales
        else:
            days += period_days * remaining / sales
            remaining = 0.0
    return days


def cei(begin_receivables, credit_sales, end_receivables, end_current):
    """Collection effectiveness index (percent) of a period; None when undefined.

    (begin + sales - end total) / (begin + sales - end current) x 100.
    """
    collectible = begin_receivables + credit_sales - end_current
    if collectible <= 0:
        return None
    return (begin_receivables + credit_sales - end_receivables) / collectible * 100.0


def average_days_delinquent(dso, best_possible_dso):
    """Days beyond terms, on average: DSO minus best possible DSO (never negative)."""
    return max(dso - best_possible_dso, 0.0)
