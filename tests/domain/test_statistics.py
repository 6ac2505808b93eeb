"""The 24-month statistics: consecutive months, empty ones included, both systems summed, in Shanghai time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from bff.domain.records import (
    OrderKey,
    OrderRecord,
    OrderSource,
    OrderStatus,
    Statement,
    StatementKind,
)
from bff.domain.statistics import business_statistics, window_start

TODAY = date(2026, 11, 25)


def order(source: OrderSource, order_id: str, created: datetime, amount: str, buyer: str) -> OrderRecord:
    return OrderRecord(
        key=OrderKey(source, order_id),
        order_no=f"NO{order_id}",
        supplier_code="S",
        status=OrderStatus.COMPLETED,
        amount=Decimal(amount),
        buyer_name=buyer,
        created_at=created,
        contract=None,
    )


def statement(source: OrderSource, completed: datetime, amount: str) -> Statement:
    return Statement(
        no="ST", source=source, kind=StatementKind.SETTLEMENT, amount=Decimal(amount), completed_at=completed
    )


def test_window_is_24_consecutive_months_ending_with_the_current_one() -> None:
    stats = business_statistics([], [], TODAY)
    assert [m.month for m in stats.months][:2] == ["2024-12", "2025-01"]
    assert stats.months[-1].month == "2026-11"
    assert len(stats.months) == 24
    assert window_start(TODAY) == date(2024, 12, 1)
    assert all(m.order_amount == Decimal("0.00") and m.order_count == 0 for m in stats.months)
    assert stats.buyers == 0


def test_orders_and_statements_of_both_systems_are_summed_per_month() -> None:
    # given
    orders = [
        order(OrderSource.MALL, "1", datetime(2026, 3, 5, 2, tzinfo=UTC), "100.10", "甲公司"),
        order(OrderSource.MRO, "2", datetime(2026, 3, 20, 2, tzinfo=UTC), "0.90", "乙公司"),
        order(OrderSource.MRO, "3", datetime(2026, 4, 1, 2, tzinfo=UTC), "5.00", "甲公司"),
        order(
            OrderSource.MALL, "4", datetime(2024, 11, 30, 2, tzinfo=UTC), "999.00", "丙公司"
        ),  # before window
    ]
    statements = [
        statement(OrderSource.MALL, datetime(2026, 3, 9, tzinfo=UTC), "50.00"),
        statement(OrderSource.MRO, datetime(2026, 3, 31, 17, tzinfo=UTC), "7.00"),  # 1 April in Shanghai
        statement(OrderSource.MRO, datetime(2020, 1, 1, tzinfo=UTC), "1.00"),  # MRO's full history: ignored
    ]
    # when
    stats = business_statistics(orders, statements, TODAY)
    months = {m.month: m for m in stats.months}
    # then
    assert (months["2026-03"].order_amount, months["2026-03"].order_count) == (Decimal("101.00"), 2)
    assert months["2026-03"].settled_amount == Decimal("50.00")
    assert months["2026-04"].settled_amount == Decimal("7.00")
    assert (months["2026-04"].order_amount, months["2026-04"].order_count) == (Decimal("5.00"), 1)
    assert stats.buyers == 2
    assert sum(m.order_count for m in stats.months) == 3


def test_an_order_created_late_on_the_last_day_of_a_month_in_utc_belongs_to_the_next_month_in_shanghai() -> (
    None
):
    stats = business_statistics(
        [order(OrderSource.MALL, "1", datetime(2026, 5, 31, 16, 30, tzinfo=UTC), "1.00", "甲")], [], TODAY
    )
    months = {m.month: m for m in stats.months}
    assert months["2026-06"].order_count == 1
    assert months["2026-05"].order_count == 0
