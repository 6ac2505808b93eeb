"""WeBank's loan and repayment notifications, posted to the running BFF, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app_fixtures import Bff
from notification_support import CREDIT_CODE, SUPPLIER, admission, platform

from bff.models import (
    AdmissionStatus,
    ApplicationStatus,
    BankEvent,
    Loan,
    LoanKind,
    LoanOrder,
    LoanStatus,
    OrderClaim,
    Repayment,
    RepaymentKind,
)
from bff.notifications.inbox import affected_supplier, retry_unprocessed

APPLIED = {
    "credit_code": CREDIT_CODE,
    "loan_no": "L1",
    "kind": "ORDER",
    "amount": "100000.01",
    "order_nos": ["SO-1", "MRO-2"],
    "batch_no": "B1",
}
DISBURSED = {
    "loan_no": "L1",
    "amount": "100000.01",
    "annual_rate": "0.072",
    "term_months": 6,
    "disbursed_at": "2026-03-05T10:00:00+08:00",
}
FAILED = {"loan_no": "L1", "reason": "风控未通过"}


def at(day: int, hour: int = 10) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00+08:00"


async def send(bff: Bff, event_type: str, data: dict[str, Any], event_id: str, occurred_at: str) -> None:
    assert await bff.notify(event_type, data, event_id=event_id, occurred_at=occurred_at) == (
        200,
        {"code": "SUCCESS"},
    )


async def lines(loan: Loan) -> list[tuple[str, str, str, int]]:
    rows = await LoanOrder.filter(loan_id=loan.id).order_by("id")
    return [(row.source.value, row.order_id, row.order_no, row.financed_fen) for row in rows]


async def claims() -> list[tuple[str, int | None, int | None]]:
    rows = await OrderClaim.all().order_by("order_id")
    return [(row.order_id, row.application_id, row.loan_id) for row in rows]


async def events() -> list[tuple[str, bool, str | None]]:
    rows = await BankEvent.all().order_by("id")
    return [(row.event_id, row.processed_at is not None, row.last_error) for row in rows]


# --- loan.applied ---------------------------------------------------------------------------------------


async def test_an_order_loan_takes_its_orders_and_frees_the_others(bff: Bff) -> None:
    application = await platform()

    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    loan = await Loan.get(loan_no="L1")
    assert (loan.supplier_code, loan.kind, loan.status, loan.batch_no, loan.application_id) == (
        SUPPLIER,
        LoanKind.ORDER,
        LoanStatus.PROCESSING,
        "B1",
        application.id,
    )
    assert (loan.amount_fen, loan.outstanding_principal_fen) == (10_000_001, 0)
    assert loan.applied_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    # 10 000 001 fen split 10 000 000 : 3 333 333 — 7 500 001.3 and 2 499 999.7, the leftover fen to the latter
    assert await lines(loan) == [("MALL", "m-1", "SO-1", 7_500_001), ("MRO", "r-2", "MRO-2", 2_500_000)]
    assert await claims() == [("m-1", application.id, loan.id), ("r-2", application.id, loan.id)]
    await application.refresh_from_db()
    assert application.status is ApplicationStatus.LOAN_CREATED
    assert await events() == [("e-applied", True, None)]
    assert await affected_supplier(await BankEvent.get(event_id="e-applied")) == SUPPLIER


async def test_a_credit_loan_has_no_orders(bff: Bff) -> None:
    application = await platform()
    data = {"credit_code": CREDIT_CODE, "loan_no": "C1", "kind": "CREDIT", "amount": "5000.00"}

    await send(bff, "loan.applied", data, "e-applied", at(2))

    loan = await Loan.get(loan_no="C1")
    assert (loan.kind, loan.status, loan.amount_fen, loan.application_id, loan.batch_no) == (
        LoanKind.CREDIT,
        LoanStatus.PROCESSING,
        500_000,
        None,
        None,
    )
    assert await lines(loan) == []
    assert [c[2] for c in await claims()] == [None, None, None]  # the application's orders stay claimed
    await application.refresh_from_db()
    assert application.status is ApplicationStatus.HANDED_OVER


async def test_a_loan_applied_for_an_unknown_batch_applies_nothing(bff: Bff) -> None:
    application = await platform()

    await send(bff, "loan.applied", {**APPLIED, "batch_no": "B-OTHER"}, "e-applied", at(2))

    assert await Loan.all().count() == 0
    assert await events() == [
        ("e-applied", False, "no financing application of the supplier has batch B-OTHER")
    ]
    await application.refresh_from_db()
    assert application.status is ApplicationStatus.HANDED_OVER


async def test_a_loan_applied_with_foreign_orders_applies_nothing(bff: Bff) -> None:
    application = await platform()
    before = await claims()

    await send(bff, "loan.applied", {**APPLIED, "order_nos": ["SO-1", "SO-404"]}, "e-applied", at(2))

    assert await Loan.all().count() == 0
    assert await LoanOrder.all().count() == 0
    assert await claims() == before
    assert await events() == [("e-applied", False, "orders SO-404 are not in batch B1")]
    await application.refresh_from_db()
    assert application.status is ApplicationStatus.HANDED_OVER


async def test_a_loan_applied_for_an_unknown_enterprise_is_retried_later(bff: Bff) -> None:
    data = {"credit_code": CREDIT_CODE, "loan_no": "C1", "kind": "CREDIT", "amount": "5000.00"}
    await send(bff, "loan.applied", data, "e-applied", at(2))
    assert await events() == [("e-applied", False, "no admission for credit code")]

    await admission(AdmissionStatus.APPROVED)
    assert await retry_unprocessed() == 1

    assert (await Loan.get(loan_no="C1")).status is LoanStatus.PROCESSING
    assert await events() == [("e-applied", True, None)]
    assert await retry_unprocessed() == 0


# --- disbursal and failure ------------------------------------------------------------------------------


async def test_disbursal_sets_the_terms_and_the_outstanding_principal(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.amount_fen, loan.outstanding_principal_fen) == (
        LoanStatus.DISBURSED,
        10_000_001,
        10_000_001,
    )
    assert (loan.annual_rate, loan.term_months) == (Decimal("0.072"), 6)
    assert loan.disbursed_at == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    assert [c[2] for c in await claims()] == [loan.id, loan.id]  # a live loan keeps its orders


async def test_a_smaller_disbursal_is_split_over_the_orders_again(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    await send(bff, "loan.disbursed", {**DISBURSED, "amount": "90000.00"}, "e-disbursed", at(5))

    loan = await Loan.get(loan_no="L1")
    assert (loan.amount_fen, loan.outstanding_principal_fen) == (9_000_000, 9_000_000)
    assert await lines(loan) == [("MALL", "m-1", "SO-1", 6_750_000), ("MRO", "r-2", "MRO-2", 2_250_000)]


async def test_a_failed_loan_frees_its_orders(bff: Bff) -> None:
    application = await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    await send(bff, "loan.failed", FAILED, "e-failed", at(3))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.failure_reason, loan.outstanding_principal_fen) == (
        LoanStatus.FAILED,
        "风控未通过",
        0,
    )
    assert await claims() == []
    assert len(await lines(loan)) == 2  # the record of what was applied for stays
    await application.refresh_from_db()
    assert application.status is ApplicationStatus.LOAN_CREATED


async def test_disbursed_before_applied_ends_disbursed(bff: Bff) -> None:
    await platform()

    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))
    assert await Loan.all().count() == 0
    assert await events() == [("e-disbursed", False, "loan L1 is not known yet")]

    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.outstanding_principal_fen) == (LoanStatus.DISBURSED, 10_000_001)
    assert await events() == [("e-disbursed", True, None), ("e-applied", True, None)]
    assert await affected_supplier(await BankEvent.get(event_id="e-disbursed")) == SUPPLIER


async def test_repeated_events_with_new_ids_change_nothing(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))
    loan = await Loan.get(loan_no="L1")
    before = (loan.status, loan.amount_fen, loan.disbursed_at, await lines(loan), await claims())

    await send(bff, "loan.applied", {**APPLIED, "amount": "1.00"}, "e-applied-again", at(6))
    await send(bff, "loan.disbursed", {**DISBURSED, "amount": "2.00"}, "e-disbursed-again", at(6))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.amount_fen, loan.disbursed_at, await lines(loan), await claims()) == before
    assert loan.outstanding_principal_fen == 10_000_001
    assert await Loan.all().count() == 1
    assert all(processed for _, processed, _ in await events())


async def test_a_late_failure_after_disbursal_changes_nothing(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))

    await send(bff, "loan.failed", FAILED, "e-failed", at(3))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.failure_reason, loan.outstanding_principal_fen) == (
        LoanStatus.DISBURSED,
        None,
        10_000_001,
    )
    assert len(await claims()) == 2
    assert await events() == [
        ("e-applied", True, None),
        ("e-disbursed", True, None),
        ("e-failed", True, None),
    ]


# --- repayments, overdue, settlement --------------------------------------------------------------------


def repayment(
    no: str, principal: str, interest: str = "0.00", penalty: str = "0.00", day: int = 20
) -> dict[str, Any]:
    return {
        "loan_no": "L1",
        "repayment_no": no,
        "kind": "ACTIVE",
        "principal": principal,
        "interest": interest,
        "penalty": penalty,
        "paid_at": at(day),
    }


OVERDUE = {"loan_no": "L1", "period": 1, "overdue_amount": "20000.00", "since": "2026-03-15"}


async def test_overdue_until_repayments_clear_the_arrears_then_settled(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))

    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))
    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.overdue_since) == (LoanStatus.OVERDUE, date(2026, 3, 15))

    await send(bff, "repayment.posted", repayment("R1", "10000.00", "500.00", "10.00"), "e-r1", at(20))
    await send(bff, "repayment.posted", repayment("R1", "10000.00", "500.00", "10.00"), "e-r1-again", at(20))
    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.outstanding_principal_fen) == (LoanStatus.OVERDUE, 9_000_001)

    await send(bff, "repayment.posted", repayment("R2", "9000.00", "490.00", day=21), "e-r2", at(21))
    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.outstanding_principal_fen, loan.overdue_since) == (
        LoanStatus.DISBURSED,
        8_100_001,
        None,
    )
    assert [(r.repayment_no, r.kind, r.amount_fen) for r in await Repayment.all().order_by("id")] == [
        ("R1", RepaymentKind.ACTIVE, 1_051_000),
        ("R2", RepaymentKind.ACTIVE, 949_000),
    ]

    # the same arrears reported again (a new event id) after they were paid
    await send(bff, "loan.overdue", OVERDUE, "e-overdue-again", at(16))
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.DISBURSED

    await send(bff, "loan.settled", {"loan_no": "L1", "settled_at": at(25)}, "e-settled", at(25))
    await send(bff, "loan.overdue", {**OVERDUE, "since": "2026-03-26"}, "e-overdue-late", at(27))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed-late", at(28))

    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.outstanding_principal_fen, loan.settled_at) == (
        LoanStatus.SETTLED,
        0,
        datetime(2026, 3, 25, 2, 0, tzinfo=UTC),
    )
    assert await claims() == []
    assert all(processed for _, processed, _ in await events())


async def test_events_ahead_of_the_disbursal_wait_for_it(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))

    await send(bff, "repayment.posted", repayment("R1", "1000.00"), "e-r1", at(20))
    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.PROCESSING
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))

    loan = await Loan.get(loan_no="L1")
    # applied in the order they occurred: overdue, then a repayment too small to clear 20 000.00 arrears
    assert (loan.status, loan.outstanding_principal_fen, loan.overdue_since) == (
        LoanStatus.OVERDUE,
        9_900_001,
        date(2026, 3, 15),
    )
    assert all(processed for _, processed, _ in await events())
