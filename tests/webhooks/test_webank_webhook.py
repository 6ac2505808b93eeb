"""`POST /webhooks/webank` over a real socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_admission, create_loan

from bff.models import (
    Admission,
    AdmissionStatus,
    BankEvent,
    CreditLimit,
    Loan,
    LoanStatus,
    QuarantinedBankEvent,
)
from bff.notifications import retry_unprocessed
from bff.signing import signed_headers

CREDIT_CODE = "91440300MA5G8XXXXX"  # the webhook never validates it; only matching matters
OPENED_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def event(
    event_type: str = "loan.failed",
    data: dict[str, Any] | None = None,
    *,
    event_id: str = "evt-1",
    occurred_at: str = "2026-03-02T10:00:00+08:00",
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": event_type,
        "occurred_at": occurred_at,
        "data": {"loan_no": "L1", "reason": "declined"} if data is None else data,
    }


async def post(
    bff: Bff,
    body: dict[str, Any] | bytes,
    *,
    app_id: str | None = None,
    secret: str | None = None,
    now: float | None = None,
    tamper: bool = False,
) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = signed_headers(
        app_id or bff.settings.webank_app_id, secret or bff.settings.webank_secret, raw, now=now
    )
    sent = raw + b" " if tamper else raw
    async with bff.http.post(
        f"{bff.url}/webhooks/webank", data=sent, headers={**headers, "Content-Type": "application/json"}
    ) as response:
        answer: dict[str, Any] = await response.json(content_type=None)
        return response.status, answer


async def open_admission(status: AdmissionStatus = AdmissionStatus.REGISTERING) -> Admission:
    return await create_admission(
        "GD-BOTH", status=status, agreed_at=OPENED_AT, opened_at=OPENED_AT, credit_code=CREDIT_CODE
    )


APPROVED = {
    "credit_code": CREDIT_CODE,
    "total": "1000000.00",
    "order_ratio": "0.4",
    "credit_ratio": "0.6",
    "valid_until": "2027-03-01",
}
REJECTED = {"credit_code": CREDIT_CODE, "reason": "经营年限不足", "reapply_after": "2026-09-01"}
VERIFIED = {"credit_code": CREDIT_CODE}


# --- acknowledgement and storage ------------------------------------------------------------------------


async def test_a_valid_event_is_stored_and_acknowledged(bff: Bff) -> None:
    status, answer = await post(bff, event())

    assert (status, answer) == (200, {"code": "SUCCESS"})
    stored = await BankEvent.get(event_id="evt-1")
    assert stored.type == "loan.failed"
    assert stored.payload["data"] == {"loan_no": "L1", "reason": "declined"}
    assert stored.occurred_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert stored.processed_at is None  # loan events wait for the loan processor


async def test_a_replayed_event_is_acknowledged_and_stored_once(bff: Bff) -> None:
    first = await post(bff, event())
    again = await post(bff, event(data={"loan_no": "L1", "reason": "changed"}))

    assert first == again == (200, {"code": "SUCCESS"})
    assert await BankEvent.filter(event_id="evt-1").count() == 1
    assert (await BankEvent.get(event_id="evt-1")).payload["data"]["reason"] == "declined"


async def test_concurrent_deliveries_of_one_event_store_it_once(bff: Bff) -> None:
    admission = await open_admission()
    body = event("limit.approved", APPROVED, event_id="e-approved")

    answers = await asyncio.gather(*(post(bff, body) for _ in range(5)))

    assert answers == [(200, {"code": "SUCCESS"})] * 5
    assert await BankEvent.filter(event_id="e-approved").count() == 1
    assert await CreditLimit.filter(admission_id=admission.id).count() == 1


@pytest.mark.parametrize(
    "signing",
    [
        pytest.param({"secret": "another-secret-0123456789"}, id="wrong-secret"),
        pytest.param({"tamper": True}, id="body-changed-after-signing"),
        pytest.param({"skew": -301}, id="timestamp-301s-old"),
        # +305: the header holds whole seconds, rounded down, so +301 could land within the window
        pytest.param({"skew": +305}, id="timestamp-305s-ahead"),
        pytest.param({"app_id": "someone-else"}, id="wrong-app-id"),
    ],
)
async def test_an_unauthentic_request_is_refused_and_not_stored(bff: Bff, signing: dict[str, Any]) -> None:
    if "skew" in signing:
        signing = {"now": time.time() + signing["skew"]}
    status, answer = await post(bff, event(), **signing)

    assert (status, answer) == (401, {"code": "INVALID_SIGNATURE"})
    assert await BankEvent.all().count() == 0


async def test_an_unsigned_request_is_refused(bff: Bff) -> None:
    async with bff.http.post(f"{bff.url}/webhooks/webank", json=event()) as response:
        assert response.status == 401
        assert await response.json() == {"code": "INVALID_SIGNATURE"}
    assert await BankEvent.all().count() == 0


def _without(key: str) -> dict[str, Any]:
    body = event()
    del body[key]
    return body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="malformed-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b"", id="empty-body"),
        pytest.param(_without("event_id"), id="missing-event-id"),
        pytest.param(_without("type"), id="missing-type"),
        pytest.param(_without("occurred_at"), id="missing-occurred-at"),
        pytest.param(_without("data"), id="missing-data"),
        pytest.param(event("loan.exploded"), id="unknown-type"),
        pytest.param(event(occurred_at="2026-03-02T10:00:00"), id="occurred-at-without-offset"),
        pytest.param(event(occurred_at="yesterday"), id="occurred-at-not-a-date"),
        pytest.param({**event(), "data": ["x"]}, id="data-not-an-object"),
        pytest.param({**event(), "event_id": ""}, id="empty-event-id"),
        pytest.param({**event(), "event_id": 7}, id="event-id-not-a-string"),
        pytest.param(event(data={"loan_no": "L1\u0000"}), id="nul-character"),
        pytest.param(event(data={"loan_no": "L" * 200, "reason": "x"}), id="loan-no-too-long"),
        pytest.param(
            event("repayment.posted", {"loan_no": "L1", "repayment_no": "R" * 65}), id="repayment-no-too-long"
        ),
    ],
)
async def test_an_unreadable_signed_event_is_quarantined_and_acknowledged(
    bff: Bff, body: dict[str, Any] | bytes
) -> None:
    # when: the bank sends it, and (not having heard SUCCESS in time, say) sends it again
    first = await post(bff, body)
    again = await post(bff, body)

    # then: acknowledged, so the bank stops resending; kept once, for operators; nothing processed
    assert first == again == (200, {"code": "SUCCESS"})
    assert await BankEvent.all().count() == 0
    kept = await QuarantinedBankEvent.all()
    assert len(kept) == 1
    assert kept[0].reason
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    assert kept[0].body == raw.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")


async def test_a_quarantined_event_keeps_what_its_envelope_says(bff: Bff) -> None:
    await post(bff, event("loan.exploded", event_id="evt-unknown"))

    kept = await QuarantinedBankEvent.get()
    assert (kept.event_id, kept.type) == ("evt-unknown", "loan.exploded")
    assert kept.reason == "Unknown event type: 'loan.exploded'."


async def test_a_stored_event_with_unreadable_data_is_quarantined_and_never_retried(bff: Bff) -> None:
    # given: a loan the event is about, so only its data can be wrong
    await create_loan("L1", status=LoanStatus.PROCESSING)
    data = {
        "loan_no": "L1",
        "amount": "1000.00",
        "annual_rate": "seven percent",
        "term_months": 6,
        "disbursed_at": "2026-03-02T10:00:00+08:00",
    }
    body = event("loan.disbursed", data, event_id="e-bad")

    # when
    assert await post(bff, body) == (200, {"code": "SUCCESS"})

    # then: stored, not processed, quarantined with the reason; the sweep leaves it alone
    stored = await BankEvent.get(event_id="e-bad")
    assert stored.processed_at is None
    assert stored.quarantined_at is not None
    kept = await QuarantinedBankEvent.get(bank_event_id=stored.id)
    assert (kept.event_id, kept.type) == ("e-bad", "loan.disbursed")
    assert "annual_rate" in kept.reason
    assert await retry_unprocessed() == 0
    assert (await BankEvent.get(event_id="e-bad")).attempts == 0
    assert (await Loan.get(loan_no="L1")).status is LoanStatus.PROCESSING


# --- admission processing -------------------------------------------------------------------------------


async def test_limit_approved_before_realname_verified_ends_approved(bff: Bff) -> None:
    admission = await open_admission()

    assert (await post(bff, event("limit.approved", APPROVED, event_id="e-approved")))[0] == 200
    assert (await post(bff, event("realname.verified", VERIFIED, event_id="e-verified")))[0] == 200

    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.APPROVED
    assert admission.verified_at == admission.decided_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    limit = await CreditLimit.get(admission_id=admission.id)
    assert (limit.total_fen, limit.order_ratio, limit.credit_ratio) == (
        100_000_000,
        Decimal("0.4"),
        Decimal("0.6"),
    )
    assert limit.valid_until == date(2027, 3, 1)
    events = await BankEvent.all().order_by("id")
    assert [(e.event_id, e.processed_at is not None, e.last_error) for e in events] == [
        ("e-approved", True, None),
        ("e-verified", True, None),
    ]


async def test_a_late_rejection_changes_nothing_after_approval(bff: Bff) -> None:
    admission = await open_admission()
    await post(bff, event("limit.approved", APPROVED, event_id="e-approved"))

    status, answer = await post(bff, event("limit.rejected", REJECTED, event_id="e-rejected"))

    assert (status, answer) == (200, {"code": "SUCCESS"})
    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.APPROVED
    assert admission.rejection_reason is None
    assert await CreditLimit.filter(admission_id=admission.id).count() == 1


async def test_verified_then_rejected_records_reason_and_window(bff: Bff) -> None:
    admission = await open_admission()

    await post(bff, event("realname.verified", VERIFIED, event_id="e-verified"))
    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.VERIFIED
    await post(bff, event("limit.rejected", REJECTED, event_id="e-rejected"))
    await post(bff, event("realname.verified", VERIFIED, event_id="e-verified-again"))

    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.REJECTED
    assert (admission.rejection_reason, admission.reapply_after) == ("经营年限不足", date(2026, 9, 1))
    assert await CreditLimit.all().count() == 0


async def test_ratios_default_to_40_60(bff: Bff) -> None:
    admission = await open_admission()
    data = {"credit_code": CREDIT_CODE, "total": "500000.00"}

    await post(bff, event("limit.approved", data, event_id="e-approved"))

    limit = await CreditLimit.get(admission_id=admission.id)
    assert (limit.total_fen, limit.order_ratio, limit.credit_ratio, limit.valid_until) == (
        50_000_000,
        Decimal("0.4"),
        Decimal("0.6"),
        None,
    )


async def test_an_event_for_an_unknown_credit_code_stays_stored_unprocessed(bff: Bff) -> None:
    status, answer = await post(bff, event("realname.verified", VERIFIED, event_id="e-verified"))

    assert (status, answer) == (200, {"code": "SUCCESS"})
    stored = await BankEvent.get(event_id="e-verified")
    assert (stored.processed_at, stored.attempts, stored.last_error) == (
        None,
        1,
        "no admission for credit code",
    )


async def test_unreadable_admission_data_stays_stored_in_quarantine(bff: Bff) -> None:
    admission = await open_admission()
    data = {**APPROVED, "total": 1000000.5}

    status, _ = await post(bff, event("limit.approved", data, event_id="e-approved"))

    assert status == 200
    stored = await BankEvent.get(event_id="e-approved")
    assert stored.processed_at is None
    assert stored.quarantined_at is not None
    assert "data.total" in (await QuarantinedBankEvent.get(bank_event_id=stored.id)).reason
    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.REGISTERING
    assert await CreditLimit.all().count() == 0


async def test_an_event_older_than_the_admission_belongs_to_an_earlier_one(bff: Bff) -> None:
    admission = await open_admission()
    late = event("limit.rejected", REJECTED, event_id="e-old", occurred_at="2025-09-01T10:00:00+08:00")

    assert (await post(bff, late))[0] == 200

    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.REGISTERING
    assert (await BankEvent.get(event_id="e-old")).processed_at is not None


async def test_an_event_dated_with_offset_is_compared_in_utc(bff: Bff) -> None:
    admission = await open_admission()
    occurred = (OPENED_AT + timedelta(minutes=1)).astimezone().isoformat()

    await post(bff, event("realname.verified", VERIFIED, event_id="e-verified", occurred_at=occurred))

    await admission.refresh_from_db()
    assert admission.status is AdmissionStatus.VERIFIED
