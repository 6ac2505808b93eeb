"""The admission state machine: forward only, decisions final, a decision implies verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bff.domain.admission_flow import AdmissionEvent, belongs_to_admission, next_status
from bff.domain.statuses import AdmissionStatus

S = AdmissionStatus
E = AdmissionEvent

TRANSITIONS = [
    # (current, event, expected new status or None for "changes nothing", id)
    (S.AGREED, E.REALNAME_VERIFIED, S.VERIFIED, "agreed-verified-moves-to-verified"),
    (S.OPENED, E.REALNAME_VERIFIED, S.VERIFIED, "opened-verified-moves-to-verified"),
    (S.REGISTERING, E.REALNAME_VERIFIED, S.VERIFIED, "registering-verified-moves-to-verified"),
    (S.VERIFIED, E.REALNAME_VERIFIED, None, "repeated-verified-changes-nothing"),
    (S.APPROVED, E.REALNAME_VERIFIED, None, "late-verified-after-approval-changes-nothing"),
    (S.REJECTED, E.REALNAME_VERIFIED, None, "late-verified-after-rejection-changes-nothing"),
    (S.VERIFIED, E.LIMIT_APPROVED, S.APPROVED, "verified-approved-moves-to-approved"),
    (S.REGISTERING, E.LIMIT_APPROVED, S.APPROVED, "approval-before-verification-implies-it"),
    (S.OPENED, E.LIMIT_APPROVED, S.APPROVED, "approval-straight-after-opening"),
    (S.APPROVED, E.LIMIT_APPROVED, None, "repeated-approval-changes-nothing"),
    (S.REJECTED, E.LIMIT_APPROVED, None, "approval-after-rejection-changes-nothing"),
    (S.VERIFIED, E.LIMIT_REJECTED, S.REJECTED, "verified-rejected-moves-to-rejected"),
    (S.REGISTERING, E.LIMIT_REJECTED, S.REJECTED, "rejection-before-verification"),
    (S.REJECTED, E.LIMIT_REJECTED, None, "repeated-rejection-changes-nothing"),
    (S.APPROVED, E.LIMIT_REJECTED, None, "rejection-after-approval-changes-nothing"),
]


@pytest.mark.parametrize(
    ("current", "event", "expected"),
    [pytest.param(c, e, x, id=name) for c, e, x, name in TRANSITIONS],
)
def test_next_status(
    current: AdmissionStatus, event: AdmissionEvent, expected: AdmissionStatus | None
) -> None:
    assert next_status(current, event) == expected


@pytest.mark.parametrize("status", list(AdmissionStatus), ids=str)
@pytest.mark.parametrize("event", list(AdmissionEvent), ids=str)
def test_a_status_never_moves_backwards(status: AdmissionStatus, event: AdmissionEvent) -> None:
    order = [S.AGREED, S.OPENED, S.REGISTERING, S.VERIFIED]
    new = next_status(status, event)
    if new is not None:
        assert new in (S.VERIFIED, S.APPROVED, S.REJECTED)
        assert status in order
        assert new not in order or order.index(new) > order.index(status)


def test_approval_then_late_verification_ends_approved() -> None:
    status = S.REGISTERING
    for event in (E.LIMIT_APPROVED, E.REALNAME_VERIFIED, E.LIMIT_REJECTED):
        status = next_status(status, event) or status
    assert status == S.APPROVED


OPENED_AT = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("occurred_at", "opened_at", "expected"),
    [
        pytest.param(OPENED_AT + timedelta(hours=1), OPENED_AT, True, id="after-opening-belongs"),
        pytest.param(OPENED_AT - timedelta(seconds=60), OPENED_AT, True, id="within-clock-tolerance-belongs"),
        pytest.param(
            OPENED_AT - timedelta(days=30), OPENED_AT, False, id="before-opening-is-an-earlier-admission"
        ),
        pytest.param(OPENED_AT, None, False, id="never-opened-gets-no-events"),
    ],
)
def test_belongs_to_admission(occurred_at: datetime, opened_at: datetime | None, expected: bool) -> None:
    assert belongs_to_admission(occurred_at, opened_at) is expected
