"""The overdue record kept from WeBank's notifications, and `Supplier.repaymentRecord` over it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from app_fixtures import Bff
from notification_support import platform
from test_loan_events import APPLIED, DISBURSED, at, send

from bff.domain.calendar import today_in_shanghai
from bff.models import BankEvent, Loan, LoanStatus, OverdueEpisode

REPAYMENT_RECORD = """
query {
  viewer { repaymentRecord { onTimeCount overdueCount maxOverdueDays overduePrincipal } }
}
"""

OVERDUE = {"loan_no": "L1", "period": 1, "overdue_amount": "20000.00", "since": "2026-03-15"}


def repayment(no: str, principal: str, day: int, kind: str = "ACTIVE") -> dict[str, Any]:
    return {
        "loan_no": "L1",
        "repayment_no": no,
        "kind": kind,
        "principal": principal,
        "interest": "0.00",
        "paid_at": at(day),
    }


async def episodes() -> list[tuple[int, date, int, datetime | None]]:
    rows = await OverdueEpisode.all().order_by("period")
    return [(row.period, row.since, row.overdue_fen, row.cleared_at) for row in rows]


async def record(bff: Bff) -> dict[str, Any]:
    result = await bff.query(REPAYMENT_RECORD)
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["viewer"]["repaymentRecord"]
    return found


async def disbursed_loan(bff: Bff) -> None:
    await platform()
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))


async def test_an_episode_opens_once_and_clears_with_the_repayment_that_pays_the_arrears(bff: Bff) -> None:
    await disbursed_loan(bff)
    await send(bff, "repayment.posted", repayment("R0", "100.00", 10, "SCHEDULED"), "e-r0", at(10))

    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))
    await send(bff, "loan.overdue", OVERDUE, "e-overdue-again", at(16))  # same report, new event id
    assert await episodes() == [(1, date(2026, 3, 15), 2_000_000, None)]
    open_days = (today_in_shanghai() - date(2026, 3, 15)).days
    assert await record(bff) == {
        "onTimeCount": 1,
        "overdueCount": 1,
        "maxOverdueDays": open_days,
        "overduePrincipal": "99900.01",
    }

    await send(bff, "repayment.posted", repayment("R1", "12000.00", 18), "e-r1", at(18))
    await send(bff, "repayment.posted", repayment("R2", "8000.00", 20), "e-r2", at(20))

    assert await episodes() == [(1, date(2026, 3, 15), 2_000_000, datetime(2026, 3, 20, 2, tzinfo=UTC))]
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.DISBURSED
    # a late report of the same installment neither opens a second episode nor reopens this one
    await send(bff, "loan.overdue", {**OVERDUE, "since": "2026-03-21"}, "e-overdue-late", at(22))
    assert await episodes() == [(1, date(2026, 3, 15), 2_000_000, datetime(2026, 3, 20, 2, tzinfo=UTC))]
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.DISBURSED

    await send(bff, "repayment.posted", repayment("R3", "100.00", 25, "SCHEDULED"), "e-r3", at(25))
    # R0 and R3 on time, R1 and R2 paid while overdue; 15 → 20 March is 5 days
    assert await record(bff) == {
        "onTimeCount": 2,
        "overdueCount": 1,
        "maxOverdueDays": 5,
        "overduePrincipal": "0.00",
    }


async def test_a_report_of_arrears_already_paid_records_a_cleared_episode(bff: Bff) -> None:
    await disbursed_loan(bff)
    await send(bff, "repayment.posted", repayment("R1", "20000.00", 17), "e-r1", at(17))

    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))  # reported on the 16th, arriving late

    assert await episodes() == [(1, date(2026, 3, 15), 2_000_000, datetime(2026, 3, 17, 2, tzinfo=UTC))]
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.DISBURSED


async def test_settlement_clears_open_episodes(bff: Bff) -> None:
    await disbursed_loan(bff)
    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))
    await send(bff, "loan.overdue", {**OVERDUE, "period": 2, "since": "2026-03-18"}, "e-overdue-2", at(18))
    assert (await Loan.get(loan_no="L1")).overdue_since == date(2026, 3, 15)

    await send(bff, "loan.settled", {"loan_no": "L1", "settled_at": at(25)}, "e-settled", at(25))

    settled_at = datetime(2026, 3, 25, 2, tzinfo=UTC)
    assert await episodes() == [
        (1, date(2026, 3, 15), 2_000_000, settled_at),
        (2, date(2026, 3, 18), 2_000_000, settled_at),
    ]
    loan = await Loan.get(loan_no="L1")
    assert (loan.status, loan.overdue_since) == (LoanStatus.SETTLED, None)
    assert (await record(bff))["maxOverdueDays"] == 10


async def test_loan_events_are_stored_with_their_loan_number(bff: Bff) -> None:
    await platform()
    credit = {"credit_code": "91440300MA5G8XXXXX"}
    await send(bff, "realname.verified", credit, "e-verified", at(1))
    await send(bff, "loan.overdue", OVERDUE, "e-overdue", at(16))  # waits for the loan, found by `loan_no`
    await send(bff, "loan.applied", APPLIED, "e-applied", at(2))
    await send(bff, "loan.disbursed", DISBURSED, "e-disbursed", at(5))

    rows = await BankEvent.all().order_by("id")
    assert [(row.event_id, row.loan_no, row.processed_at is not None) for row in rows] == [
        ("e-verified", None, True),
        ("e-overdue", "L1", True),
        ("e-applied", "L1", True),
        ("e-disbursed", "L1", True),
    ]
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.OVERDUE
