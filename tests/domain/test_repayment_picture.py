"""Days overdue and the amount due, from the bank's plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from bff.domain.bank_records import PlanItem
from bff.domain.repayment_picture import AmountDue, amount_due, overdue_days

SHANGHAI = timezone(timedelta(hours=8))
TODAY = date(2026, 5, 20)


def item(period: int, due: date, status: str, **fields: object) -> PlanItem:
    values: dict[str, object] = {"principal": Decimal("1000.00"), "interest": Decimal("60.00")}
    return PlanItem(period=period, due_date=due, status=status, **(values | fields))  # type: ignore[arg-type]


def test_overdue_days_run_to_today_while_unpaid_and_to_the_payment_once_paid_late() -> None:
    assert overdue_days(item(1, date(2026, 5, 15), "OVERDUE"), TODAY) == 5
    late = item(1, date(2026, 5, 15), "PAID", paid_at=datetime(2026, 5, 18, 0, 30, tzinfo=SHANGHAI))
    assert overdue_days(late, TODAY) == 3
    # 23:30 UTC on the 14th is the 15th in Shanghai: on time
    on_time = item(1, date(2026, 5, 15), "PAID", paid_at=datetime(2026, 5, 14, 23, 30, tzinfo=UTC))
    assert overdue_days(on_time, TODAY) == 0
    assert overdue_days(item(2, date(2026, 6, 15), "PENDING"), TODAY) == 0
    assert (
        overdue_days(
            item(2, date(2026, 6, 15), "SETTLED", paid_at=datetime(2026, 5, 1, tzinfo=SHANGHAI)), TODAY
        )
        == 0
    )


def test_arrears_are_due_today_with_their_penalty() -> None:
    plan = [
        item(1, date(2026, 4, 15), "OVERDUE", penalty=Decimal("12.34")),
        item(2, date(2026, 5, 15), "OVERDUE", penalty=Decimal("1.11")),
        item(3, date(2026, 6, 15), "PENDING"),
    ]
    assert amount_due(plan, TODAY) == AmountDue(
        TODAY, Decimal("2000.00"), Decimal("120.00"), Decimal("13.45")
    )
    assert amount_due(plan, TODAY).total == Decimal("2133.45")  # type: ignore[union-attr]


def test_else_the_next_pending_installment_on_its_due_date() -> None:
    plan = [
        item(1, date(2026, 4, 15), "PAID"),
        item(3, date(2026, 6, 15), "PENDING", principal=Decimal("999.99")),
        item(2, date(2026, 5, 25), "PENDING"),
    ]
    due = amount_due(plan, TODAY)
    assert due == AmountDue(date(2026, 5, 25), Decimal("1000.00"), Decimal("60.00"), Decimal("0.00"))


def test_nothing_due_once_paid_or_settled() -> None:
    plan = [item(1, date(2026, 4, 15), "PAID"), item(2, date(2026, 5, 25), "SETTLED")]
    assert amount_due(plan, TODAY) is None
    assert amount_due([], TODAY) is None
