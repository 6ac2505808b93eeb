"""Property: a loan's and an admission's notifications end in the same state whatever order they arrive in.

WeBank retries, so events arrive twice (the same `event_id` again, or the same content under a new one),
late, or out of order. Each generated arrival order — a permutation of the full stream with duplicates
mixed in — goes through the real inbox (`store`, then `process`, as the webhook does) and then the
background sweep (`retry_unprocessed` until nothing more goes through); the outcome must equal what the
stream in order gives, which `EXPECTED` spells out.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from notification_support import CREDIT_CODE, SUPPLIER, admission, handed_over_application

from bff.domain.repayment_record import EpisodeFacts, LoanFacts, PaymentFacts, summarize
from bff.models import (
    Admission,
    AdmissionStatus,
    ApplicationOrder,
    ApplicationStatus,
    BankEvent,
    Consent,
    CreditLimit,
    FinancingApplication,
    Loan,
    LoanOrder,
    LoanStatus,
    OrderClaim,
    OutboxMessage,
    OverdueEpisode,
    Repayment,
    RepaymentKind,
)
from bff.notifications import parse_notification, process, retry_unprocessed, store

TODAY = date(2026, 7, 1)

# (event id, type, occurred_at, data), in the order they occurred
STREAM: list[tuple[str, str, str, dict[str, Any]]] = [
    ("e-verified", "realname.verified", "2026-03-01T12:00:00+08:00", {"credit_code": CREDIT_CODE}),
    (
        "e-approved",
        "limit.approved",
        "2026-03-01T15:00:00+08:00",
        {
            "credit_code": CREDIT_CODE,
            "total": "500000.00",
            "order_ratio": "0.4",
            "credit_ratio": "0.6",
            "valid_until": "2027-03-01",
        },
    ),
    (
        "e-applied",
        "loan.applied",
        "2026-03-02T10:00:00+08:00",
        {
            "credit_code": CREDIT_CODE,
            "loan_no": "L1",
            "kind": "ORDER",
            "amount": "100000.01",
            "order_nos": ["SO-1", "MRO-2"],
            "batch_no": "B1",
        },
    ),
    (
        "e-disbursed",
        "loan.disbursed",
        "2026-03-05T10:00:00+08:00",
        {
            "loan_no": "L1",
            "amount": "100000.01",
            "annual_rate": "0.072",
            "term_months": 6,
            "disbursed_at": "2026-03-05T10:00:00+08:00",
        },
    ),
    (
        "e-r1",
        "repayment.posted",
        "2026-04-05T09:00:00+08:00",
        {
            "loan_no": "L1",
            "repayment_no": "R1",
            "kind": "SCHEDULED",
            "principal": "16000.00",
            "interest": "600.00",
            "paid_at": "2026-04-05T09:00:00+08:00",
        },
    ),
    (
        "e-overdue",
        "loan.overdue",
        "2026-05-06T09:00:00+08:00",
        {"loan_no": "L1", "period": 2, "overdue_amount": "16600.00", "since": "2026-05-06"},
    ),
    (
        "e-r2",
        "repayment.posted",
        "2026-05-10T11:00:00+08:00",
        {
            "loan_no": "L1",
            "repayment_no": "R2",
            "kind": "ACTIVE",
            "principal": "16000.00",
            "interest": "600.00",
            "penalty": "50.00",
            "paid_at": "2026-05-10T11:00:00+08:00",
        },
    ),
    (
        "e-r3",
        "repayment.posted",
        "2026-06-01T10:00:00+08:00",
        {
            "loan_no": "L1",
            "repayment_no": "R3",
            "kind": "EARLY_SETTLEMENT",
            "principal": "68000.01",
            "interest": "300.00",
            "paid_at": "2026-06-01T10:00:00+08:00",
        },
    ),
    (
        "e-settled",
        "loan.settled",
        "2026-06-01T10:05:00+08:00",
        {"loan_no": "L1", "settled_at": "2026-06-01T10:00:00+08:00"},
    ),
]


def utc(day: str) -> datetime:
    return datetime.fromisoformat(day).astimezone(UTC)


EXPECTED: dict[str, Any] = {
    "admission": (
        AdmissionStatus.APPROVED,
        utc("2026-03-01T12:00:00+08:00"),  # verified when `realname.verified` says, not at the approval
        utc("2026-03-01T15:00:00+08:00"),
    ),
    "credit_limits": [(50_000_000, Decimal("0.4"), Decimal("0.6"), date(2027, 3, 1))],
    "application": ApplicationStatus.LOAN_CREATED,
    "loan": (
        LoanStatus.SETTLED,
        10_000_001,
        0,
        Decimal("0.072"),
        6,
        utc("2026-03-05T10:00:00+08:00"),
        utc("2026-06-01T10:00:00+08:00"),
        None,
        None,
    ),
    "loan_orders": [("m-1", 7_500_001), ("r-2", 2_500_000)],
    "repayments": [
        ("R1", RepaymentKind.SCHEDULED, 1_600_000, 60_000, 0, utc("2026-04-05T09:00:00+08:00")),
        ("R2", RepaymentKind.ACTIVE, 1_600_000, 60_000, 5_000, utc("2026-05-10T11:00:00+08:00")),
        ("R3", RepaymentKind.EARLY_SETTLEMENT, 6_800_001, 30_000, 0, utc("2026-06-01T10:00:00+08:00")),
    ],
    # period 2 overdue from 6 May until R2 paid its arrears on 10 May
    "episodes": [(2, date(2026, 5, 6), 1_660_000, utc("2026-05-10T11:00:00+08:00"))],
    "claims": [],  # a settled loan frees its orders
    # R1 and R3 on time, R2 paid while overdue; one episode of 4 days; nothing overdue now
    "record": (2, 1, 4, 0, 0),
    "unprocessed": 0,
}


async def reset() -> None:
    """Empty every table the stream touches (children first: the foreign keys restrict)."""
    for model in (
        OrderClaim,
        LoanOrder,
        Repayment,
        OverdueEpisode,
        Loan,
        ApplicationOrder,
        FinancingApplication,
        CreditLimit,
        Admission,
        Consent,
        BankEvent,
        OutboxMessage,
    ):
        await model.all().delete()


async def opened_admission_with_application() -> None:
    await admission(AdmissionStatus.OPENED)
    await handed_over_application()


async def deliver(event_id: str, event_type: str, occurred_at: str, data: dict[str, Any]) -> None:
    """What the webhook does with a verified body: store it once, process it if it is new."""
    body = {"event_id": event_id, "type": event_type, "occurred_at": occurred_at, "data": data}
    event = await store(parse_notification(json.dumps(body).encode()))
    if event is not None:
        await process(event)


async def run(arrivals: list[tuple[str, str, str, dict[str, Any]]]) -> dict[str, Any]:
    await reset()
    await opened_admission_with_application()
    for arrival in arrivals:
        await deliver(*arrival)
    for _ in range(10):  # the background worker's sweeps
        if await retry_unprocessed() == 0:
            break
    else:
        raise AssertionError("retry_unprocessed kept finding work")
    return await snapshot()


async def snapshot() -> dict[str, Any]:
    admission = await Admission.get(supplier_code=SUPPLIER)
    loans = await Loan.all()
    loan = loans[0] if len(loans) == 1 else None
    loan_nos = {row.id: row.loan_no for row in loans}
    repayments = await Repayment.all().order_by("repayment_no")
    episodes = await OverdueEpisode.all().order_by("loan_id", "period")
    figures = summarize(
        [LoanFacts(row.id, row.status, row.outstanding_principal_fen) for row in loans],
        [PaymentFacts(row.loan_id, row.kind, row.amount_fen, row.paid_at) for row in repayments],
        [EpisodeFacts(r.loan_id, r.period, r.since, r.overdue_fen, r.cleared_at) for r in episodes],
        TODAY,
    )
    return {
        "admission": (admission.status, admission.verified_at, admission.decided_at),
        "credit_limits": [
            (row.total_fen, row.order_ratio, row.credit_ratio, row.valid_until)
            for row in await CreditLimit.all()
        ],
        "application": (await FinancingApplication.get(batch_no="B1")).status,
        "loan": loan
        and (
            loan.status,
            loan.amount_fen,
            loan.outstanding_principal_fen,
            loan.annual_rate,
            loan.term_months,
            loan.disbursed_at,
            loan.settled_at,
            loan.failure_reason,
            loan.overdue_since,
        ),
        "loan_orders": [
            (row.order_id, row.financed_fen) for row in await LoanOrder.all().order_by("order_id")
        ],
        "repayments": [
            (row.repayment_no, row.kind, row.principal_fen, row.interest_fen, row.penalty_fen, row.paid_at)
            for row in repayments
        ],
        "episodes": [(row.period, row.since, row.overdue_fen, row.cleared_at) for row in episodes],
        "claims": [
            (row.order_id, row.loan_id and loan_nos[row.loan_id])
            for row in await OrderClaim.all().order_by("order_id")
        ],
        "record": (
            figures.on_time_count,
            figures.overdue_count,
            figures.max_overdue_days,
            figures.overdue_principal_fen,
            figures.current_overdue_fen,
        ),
        "unprocessed": await BankEvent.filter(processed_at=None).count(),
    }


@st.composite
def arrival_orders(draw: st.DrawFn) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The stream shuffled, with a few events delivered again: replayed, or re-sent under a new id."""
    arrivals = list(draw(st.permutations(STREAM)))
    duplicates = draw(
        st.lists(
            st.tuples(
                st.sampled_from(STREAM),
                st.booleans(),  # True: the same `event_id` again; False: the same content, a new id
                st.integers(min_value=0, max_value=len(STREAM) + 4),
            ),
            max_size=4,
        )
    )
    for number, (event, replay, position) in enumerate(duplicates):
        event_id, event_type, occurred_at, data = event
        again = (event_id if replay else f"{event_id}-again-{number}", event_type, occurred_at, data)
        arrivals.insert(position % (len(arrivals) + 1), again)
    return arrivals


async def test_the_stream_in_order(db: str) -> None:
    assert await run(STREAM) == EXPECTED


async def test_the_stream_backwards(db: str) -> None:
    assert await run(STREAM[::-1]) == EXPECTED


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(arrivals=arrival_orders())
async def test_any_arrival_order_ends_in_the_same_state(
    db: str, arrivals: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    assert await run(arrivals) == EXPECTED
