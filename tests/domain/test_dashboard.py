"""The dashboard figures over a known set of loans and orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bff.domain.bank_records import PlanItem
from bff.domain.dashboard import NextDue, SummaryLoan, summarize
from bff.domain.statuses import LoanStatus

TODAY = date(2026, 5, 10)


def item(
    period: int, due: date, principal: str, interest: str, status: str, penalty: str = "0.00"
) -> PlanItem:
    return PlanItem(
        period=period,
        due_date=due,
        principal=Decimal(principal),
        interest=Decimal(interest),
        status=status,
        penalty=Decimal(penalty),
    )


LOANS = [
    # disbursed, next installment on 5-20
    SummaryLoan(
        "L-A",
        LoanStatus.DISBURSED,
        60_000_00,
        plan=(
            item(1, date(2026, 4, 20), "20000.00", "300.00", "PAID"),
            item(2, date(2026, 5, 20), "20000.00", "200.00", "PENDING"),
            item(3, date(2026, 6, 20), "20000.00", "100.00", "PENDING"),
        ),
    ),
    # disbursed, next installment on 5-15: the earliest
    SummaryLoan(
        "L-B",
        LoanStatus.DISBURSED,
        10_000_00,
        plan=(item(1, date(2026, 5, 15), "10000.00", "50.00", "PENDING"),),
    ),
    # failed, settled and processing loans owe nothing
    SummaryLoan("L-F", LoanStatus.FAILED, 0),
    SummaryLoan("L-S", LoanStatus.SETTLED, 0, plan=()),
    SummaryLoan("L-P", LoanStatus.PROCESSING, 0),
]


def test_outstanding_next_due_and_orders_without_arrears() -> None:
    summary = summarize(LOANS, [Decimal("500.00"), Decimal("0.00"), Decimal("1250.50")], TODAY)
    assert summary.outstanding_principal == Decimal("70000.00")
    assert summary.overdue_amount == Decimal("0.00")
    assert summary.next_due == NextDue(date(2026, 5, 15), Decimal("10050.00"), "L-B")
    assert summary.financeable_order_count == 2  # an order that can back nothing is not counted
    assert summary.financeable_total == Decimal("1750.50")


def test_arrears_are_due_today_and_count_as_overdue() -> None:
    overdue = SummaryLoan(
        "L-O",
        LoanStatus.OVERDUE,
        30_000_00,
        open_overdue_fen=15_120_00,
        plan=(
            item(1, date(2026, 5, 1), "15000.00", "100.00", "OVERDUE", penalty="20.00"),
            item(2, date(2026, 6, 1), "15000.00", "50.00", "PENDING"),
        ),
    )
    summary = summarize([*LOANS, overdue], [], TODAY)
    assert summary.outstanding_principal == Decimal("100000.00")
    assert summary.overdue_amount == Decimal("15120.00")
    assert summary.next_due == NextDue(TODAY, Decimal("15120.00"), "L-O")
    assert (summary.financeable_order_count, summary.financeable_total) == (0, Decimal("0.00"))


def test_a_loan_whose_plan_was_not_read_still_counts_its_principal() -> None:
    summary = summarize([SummaryLoan("L-X", LoanStatus.DISBURSED, 123_45)], [], TODAY)
    assert summary.outstanding_principal == Decimal("123.45")
    assert summary.next_due is None


def test_nothing_owed() -> None:
    summary = summarize([], [], TODAY)
    assert summary.outstanding_principal == Decimal("0.00")
    assert summary.next_due is None
