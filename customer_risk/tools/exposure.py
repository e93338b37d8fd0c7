"""Exposure of a customer: the parts it is made of and what is left of the limit."""

from dataclasses import dataclass, fields
from datetime import date

# Order matters: it is the order of the parts on screens and in messages.
EXPOSURE_PARTS = ("open_not_due", "overdue", "draft_invoices", "uninvoiced_orders")


@dataclass(frozen=True)
class ExposureParts:
    """Amounts in company currency for one commercial partner and one company."""

    open_not_due: float = 0.0
    overdue: float = 0.0
    draft_invoices: float = 0.0
    uninvoiced_orders: float = 0.0
    # Not an amount: age in days of the oldest overdue receivable (0 when none).
    max_days_overdue: int = 0

    def total(self, included=EXPOSURE_PARTS):
        """Sum of the parts chosen in the company settings."""
        unknown = set(included) - set(EXPOSURE_PARTS)
        if unknown:
            raise ValueError(f"unknown exposure parts {sorted(unknown)}")
        return sum(getattr(self, part) for part in included)

    def __add__(self, other):
        values = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        values["max_days_overdue"] = max(self.max_days_overdue, other.max_days_overdue)
        return ExposureParts(**values)


def days_overdue(due_date, today):
    """Days past the due date on ``today`` (0 when not yet due or no due date)."""
    if not due_date:
        return 0
    if not isinstance(due_date, date) or not isinstance(today, date):
        raise TypeError("dates expected")
    return max((today - due_date).days, 0)


def available_credit(limit, exposure):
    """What can still be sold on credit; negative when over the limit."""
    return (limit or 0.0) - (exposure or 0.0)
