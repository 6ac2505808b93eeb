"""The business day: the date the product's rules run on (eligibility, statistics months, payoff quotes,
overdue days).

In production it is the system clock's date in Shanghai. `bff demo` runs the sandbox bank in the same
process, and that bank's clock can be moved forward to run due dates; the demo then makes the BFF follow
it (`follow`), so the graph and the bank agree on what day it is: the same payoff quote, the same overdue
days, and statistics never "from the future" of the bank. Times kept for the record (`updated_at`), token
expiry and retry schedules stay on the system clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_days_ahead: Callable[[], int] | None = None


def follow(days_ahead: Callable[[], int] | None) -> None:
    """Run the business day `days_ahead()` days after the system's (None: the system's own)."""
    global _days_ahead
    _days_ahead = days_ahead


def business_today() -> date:
    today = datetime.now(SHANGHAI).date()
    return today if _days_ahead is None else today + timedelta(days=_days_ahead())
