"""Aging buckets of receivables and the bad-debt provision they imply."""

from dataclasses import dataclass
from itertools import pairwise

# Upper bounds, in days past due, of the default buckets after "Not due":
# 1-30, 31-60, 61-90, 91-120, then over 120.
DEFAULT_BOUNDS = (30, 60, 90, 120)


@dataclass(frozen=True)
class Bucket:
    index: int
    min_days: int | None  # None: not due yet (days past due <= 0)
    max_days: int | None  # None: open-ended last bucket

    @property
    def label(self):
        if self.min_days is None:
            return "Not due"
        if self.max_days is None:
            return f"Over {self.min_days - 1}"
        return f"{self.min_days}-{self.max_days}"


def check_bounds(bounds):
    """Bounds must be strictly increasing positive integers."""
    bounds = tuple(bounds)
    if not bounds or any(not isinstance(b, int) or b <= 0 for b in bounds):
        raise ValueError("bucket bounds must be positive whole days")
    if any(a >= b for a, b in pairwise(bounds)):
        raise ValueError("bucket bounds must increase")
    return bounds


def buckets(bounds=DEFAULT_BOUNDS):
    """All buckets of a bucket set: "Not due", one per bound, then the open-ended one."""
    bounds = check_bounds(bounds)
    result = [Bucket(0, None, 0)]
    low = 1
    for index, high in enumerate(bounds, start=1):
        result.append(Bucket(index, low, high))
        low = high + 1
    result.append(Bucket(len(bounds) + 1, low, None))
    return tuple(result)


def bucket_index(days_past_due, bounds=DEFAULT_BOUNDS):
    """Index of the bucket of an item ``days_past_due`` days past due (<= 0: not due)."""
    if days_past_due <= 0:
        return 0
    for index, high in enumerate(bounds, start=1):
        if days_past_due <= high:
            return index
    return len(bounds) + 1


def provision(amounts_by_bucket, rates_by_bucket):
    """Provision implied by aged amounts: sum of amount x rate (percent) per bucket.

    Credit balances (negative amounts) are not provisioned.
    """
    return sum(
        max(amount, 0.0) * rates_by_bucket.get(index, 0.0) / 100.0
        for index, amount in amounts_by_bucket.items()
    )
