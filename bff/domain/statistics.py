"""The 24-month business statistics pushed to WeBank at 开通 (DESIGN §4 `/v1/suppliers/push`).

`months` are the 24 consecutive calendar months ending with the current one (Asia/Shanghai), empty months
included. A month's `order_amount`/`order_count` come from the orders created in it and its
`settled_amount` from the statements (结算单 and 产值单) completed in it, mall and MRO summed. `buyers` is
the number of distinct buyers among the window's orders. Every order counts, whatever its status: the
contract says "orders created that month", and the bank sees each order's status when orders are pushed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bff.domain.calendar import add_months, shanghai_date
from bff.domain.records import OrderRecord, Statement

WINDOW_MONTHS = 24


@dataclass(frozen=True, slots=True)
class MonthStatistics:
    month: str  # "2026-01"
    order_amount: Decimal
    settled_amount: Decimal
    order_count: int


@dataclass(frozen=True, slots=True)
class BusinessStatistics:
    months: tuple[MonthStatistics, ...]
    buyers: int


def window_start(today: date) -> date:
    """The first day of the oldest month in the window."""
    return add_months(today.replace(day=1), -(WINDOW_MONTHS - 1))


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def business_statistics(
    orders: Iterable[OrderRecord], statements: Iterable[Statement], today: date
) -> BusinessStatistics:
    start = window_start(today)
    keys = [_month_key(add_months(start, offset)) for offset in range(WINDOW_MONTHS)]
    amounts = {key: Decimal("0.00") for key in keys}
    counts = dict.fromkeys(keys, 0)
    settled = {key: Decimal("0.00") for key in keys}
    buyers: set[str] = set()
    for order in orders:
        key = _month_key(shanghai_date(order.created_at))
        if key in amounts:
            amounts[key] += order.amount
            counts[key] += 1
            buyers.add(order.buyer_name.strip())
    for statement in statements:
        key = _month_key(shanghai_date(statement.completed_at))
        if key in settled:
            settled[key] += statement.amount
    months = tuple(
        MonthStatistics(
            month=key, order_amount=amounts[key], settled_amount=settled[key], order_count=counts[key]
        )
        for key in keys
    )
    return BusinessStatistics(months=months, buyers=len(buyers - {""}))
