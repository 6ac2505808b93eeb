"""The webhook stores and applies a notification in one transaction (`inbox.receive`), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from app_fixtures import Bff
from notification_support import platform

from bff.models import BankEvent, Loan, LoanStatus, Repayment

APPLIED = {
    "credit_code": "91440300MA5G8XXXXX",
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


def repayment(number: int) -> dict[str, Any]:
    return {
        "loan_no": "L1",
        "repayment_no": f"R{number}",
        "kind": "ACTIVE",
        "principal": "100.00",
        "interest": "1.00",
        "penalty": "0.00",
        "paid_at": "2026-03-20T10:00:00+08:00",
    }


async def stored(event_id: str) -> tuple[bool, int, str | None]:
    row = await BankEvent.get(event_id=event_id)
    return (row.processed_at is not None, row.attempts, row.last_error)


async def test_an_applied_event_is_stored_processed_in_one_step(bff: Bff) -> None:
    await platform()

    assert await bff.notify("loan.applied", APPLIED, event_id="e-applied") == (200, {"code": "SUCCESS"})

    assert await stored("e-applied") == (True, 1, None)
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.PROCESSING


async def test_an_event_that_cannot_apply_yet_is_stored_with_nothing_applied(bff: Bff) -> None:
    await platform()

    assert await bff.notify("loan.disbursed", DISBURSED, event_id="e-early") == (200, {"code": "SUCCESS"})

    assert await stored("e-early") == (False, 1, "loan L1 is not known yet")
    assert await Loan.all().count() == 0


async def test_concurrent_events_of_one_loan_all_apply(bff: Bff) -> None:
    # Each locks the loan first, so they apply one after the other; on PostgreSQL they used to deadlock
    # (a repayment's insert takes a key-share lock on the loan, then the loan's update waits for the other).
    await platform()
    await bff.notify("loan.applied", APPLIED, event_id="e-applied")
    await bff.notify("loan.disbursed", DISBURSED, event_id="e-disbursed")

    answers = await asyncio.gather(
        *(bff.notify("repayment.posted", repayment(n), event_id=f"e-r{n}") for n in range(12))
    )

    assert answers == [(200, {"code": "SUCCESS"})] * 12
    assert [await stored(f"e-r{n}") for n in range(12)] == [(True, 1, None)] * 12
    assert await Repayment.all().count() == 12
    assert (await Loan.get(loan_no="L1")).outstanding_principal_fen == 10_000_001 - 12 * 10_000
