"""Every path that changes state tells subscribers through `bff.events.tell`; subscriptions start with the
current state. (The webhook, mutation and delivered-push paths are covered beside their subscriptions.)"""

from __future__ import annotations

import uuid

from app_fixtures import Bff
from factories import AGREED_AT, create_admission, create_loan
from ws_support import next_payload

from bff.models import AdmissionStatus, LoanStatus
from bff.workers import sweep_events

ADMISSION = "subscription { admissionChanged { status } }"
LOANS = "subscription { loanStatusChanged { loanNo status } }"
CREDIT_CODE = "91440300MA5G8XXXXX"


async def test_an_event_the_background_sweep_applies_is_told_to_subscribers(bff: Bff) -> None:
    # given: the bank's approval arrived before the admission it belongs to was opened, so it waits stored
    status, _ = await bff.notify(
        "limit.approved",
        {
            "credit_code": CREDIT_CODE,
            "total": "100000.00",
            "order_ratio": "0.4",
            "credit_ratio": "0.6",
            "valid_until": None,
        },
        event_id=uuid.uuid4().hex,
    )
    assert status == 200
    await create_admission(
        "GD-BOTH", status=AdmissionStatus.REGISTERING, credit_code=CREDIT_CODE, opened_at=AGREED_AT
    )
    ws = await bff.subscribe(ADMISSION)
    try:
        assert await next_payload(ws) == {"data": {"admissionChanged": {"status": "REGISTERING"}}}
        # when: the background worker's sweep applies it
        assert await sweep_events(bff.app.state.services.broker) == 1
        # then
        assert await next_payload(ws) == {"data": {"admissionChanged": {"status": "APPROVED"}}}
    finally:
        await ws.close()


async def test_the_loans_subscription_starts_with_the_loans_that_can_still_change(bff: Bff) -> None:
    # given: loans in every state (a client resubscribing after a lost connection)
    for n, status in enumerate(LoanStatus):
        await create_loan(f"WBL-{n}", status=status)
    await create_loan("WBL-OTHER", "HN-MALL", status=LoanStatus.DISBURSED)
    # when
    ws = await bff.subscribe(LOANS)
    try:
        first = [(await next_payload(ws))["data"]["loanStatusChanged"] for _ in range(3)]
    finally:
        await ws.close()
    # then: the viewer's processing, disbursed and overdue loans; no final one, no other supplier's
    assert sorted(loan["status"] for loan in first) == ["DISBURSED", "OVERDUE", "PROCESSING"]
