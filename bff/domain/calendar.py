"""Calendar arithmetic for the business rules: calendar months with month-end clamping, Shanghai dates."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from bff.clock import SHANGHAI, business_today

# SHANGHAI is the clock's, re-exported: the rules look for it here.
__all__ = ["SHANGHAI", "add_months", "shanghai_date", "today_in_shanghai"]


def add_months(d: date, n: int) -> date:
    """`d` moved by `n` calendar months (negative goes back); a day past the month's end becomes its last day.

    2024-02-29 + 12 months is 2025-02-28 and 2024-08-31 − 6 months is 2024-02-29.
    """
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def shanghai_date(moment: datetime) -> date:
    """The date of `moment` in Asia/Shanghai; a naive datetime is taken as Shanghai wall-clock time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.date()
    return moment.astimezone(SHANGHAI).date()


def today_in_shanghai() -> date:
    """The business day (`bff.clock`): the system's date in Shanghai, or the demo bank's."""
    return business_today()
