"""The guarantees the database itself gives the domain code, proven on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from factories import create_admission, create_loan
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bff.models import (
    Admission,
    BankEvent,
    CreditLimit,
    Loan,
    LoanStatus,
    OrderClaim,
    OrderSource,
)

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)


async def _loan(loan_no: str = "WB-L-1", **fields: object) -> Loan:
    return await create_loan(loan_no, "S001", **({"amount_fen": 100_000_00, "applied_at": NOW} | fields))


async def _admission(supplier_code: str = "S001", **fields: object) -> Admission:
    return await create_admission(supplier_code, **({"agreed_at": NOW} | fields))


async def test_a_second_claim_of_the_same_order_is_rejected(db: str) -> None:
    await OrderClaim.create(source=OrderSource.MALL, order_id="1001")

    with pytest.raises(IntegrityError):
        await OrderClaim.create(source=OrderSource.MALL, order_id="1001")
    # the same id in the other order system is another order
    await OrderClaim.create(source=OrderSource.MRO, order_id="1001")


async def test_a_freed_claim_can_be_won_again(db: str) -> None:
    claim = await OrderClaim.create(source=OrderSource.MRO, order_id="77")

    await claim.delete()

    await OrderClaim.create(source=OrderSource.MRO, order_id="77")


async def test_of_two_concurrent_claims_exactly_one_wins(db: str) -> None:
    async def claim() -> None:
        async with in_transaction():
            await OrderClaim.create(source=OrderSource.MALL, order_id="42")

    results = await asyncio.gather(claim(), claim(), return_exceptions=True)

    assert sorted(type(result).__name__ for result in results) == ["IntegrityError", "NoneType"]
    assert await OrderClaim.filter(source=OrderSource.MALL, order_id="42").count() == 1


async def test_a_repeated_bank_event_id_is_rejected(db: str) -> None:
    event = {"type": "loan.settled", "occurred_at": NOW, "payload": {"loan_no": "WB-L-1"}}
    await BankEvent.create(event_id="evt-1", **event)

    with pytest.raises(IntegrityError):
        await BankEvent.create(event_id="evt-1", **event)


async def test_a_conditional_update_changes_the_row_only_once(db: str) -> None:
    loan = await _loan()

    first = await Loan.filter(id=loan.id, status=LoanStatus.PROCESSING).update(status=LoanStatus.DISBURSED)
    second = await Loan.filter(id=loan.id, status=LoanStatus.PROCESSING).update(status=LoanStatus.DISBURSED)

    assert (first, second) == (1, 0)
    assert (await Loan.get(id=loan.id)).status is LoanStatus.DISBURSED


@pytest.mark.parametrize(
    "fen",
    [1, 9_999_999_999_99, 2**53 + 1, 2**63 - 1],
    ids=["one-fen", "ten-billion-yuan", "beyond-float-precision", "bigint-max"],
)
async def test_money_round_trips_exactly_in_fen(db: str, fen: int) -> None:
    loan = await _loan(amount_fen=fen, outstanding_principal_fen=fen)

    stored = await Loan.get(id=loan.id)

    assert (stored.amount_fen, stored.outstanding_principal_fen) == (fen, fen)
    assert type(stored.amount_fen) is int


async def test_ratios_and_rates_round_trip_as_exact_decimals(db: str) -> None:
    admission = await _admission()
    await CreditLimit.create(admission=admission, supplier_code="S001", total_fen=500_000_00, approved_at=NOW)
    loan = await _loan(annual_rate=Decimal("0.0725"))

    limit = await CreditLimit.get(admission_id=admission.id)
    stored = await Loan.get(id=loan.id)

    assert (limit.order_ratio, limit.credit_ratio) == (Decimal("0.4"), Decimal("0.6"))
    assert stored.annual_rate == Decimal("0.0725")
    assert isinstance(stored.annual_rate, Decimal)


async def test_datetimes_come_back_timezone_aware_in_utc(db: str) -> None:
    loan = await _loan(applied_at=NOW)

    stored = await Loan.get(id=loan.id)

    assert stored.applied_at == NOW
    assert stored.applied_at.utcoffset() == timedelta(0)
    assert stored.created_at.tzinfo is not None
    assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)


async def test_dates_and_json_round_trip(db: str) -> None:
    payload = {"credit_code": "91440300MA5F0000X1", "reason": "资料不全", "amounts": ["1.10", None, 3]}
    await BankEvent.create(event_id="evt-json", type="limit.rejected", occurred_at=NOW, payload=payload)
    admission = await _admission(reapply_after=date(2026, 6, 1))

    assert (await BankEvent.get(event_id="evt-json")).payload == payload
    assert (await Admission.get(id=admission.id)).reapply_after == date(2026, 6, 1)


async def test_a_supplier_has_at_most_one_current_admission(db: str) -> None:
    first = await _admission()
    assert first.current_key == "S001"

    with pytest.raises(IntegrityError):
        await _admission()

    first.is_current = False
    await first.save(update_fields=["is_current"])
    second = await _admission()
    await _admission("S002")

    assert (await Admission.get(id=first.id)).current_key is None
    assert (await Admission.get(current_key="S001")).id == second.id


async def test_the_connection_is_visible_to_other_tasks(db: str) -> None:
    # init_db uses tortoise's global fallback: work started in another task finds the connection.
    loan = await asyncio.create_task(_loan())

    assert await Loan.filter(id=loan.id).exists()
