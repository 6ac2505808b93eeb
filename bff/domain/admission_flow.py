"""The admission state machine: how WeBank's admission notifications move an admission forward.

Statuses are ranked AGREED < OPENED < REGISTERING < VERIFIED < APPROVED | REJECTED; the two decisions are
final for that admission. Notifications may arrive twice, late or out of order, so a status never moves
backwards and an event that would not move it forward changes nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from bff.domain.statuses import AdmissionStatus

__all__ = [
    "CLOCK_TOLERANCE",
    "FINAL_STATUSES",
    "AdmissionEvent",
    "belongs_to_admission",
    "is_final",
    "next_status",
    "rank",
]


class AdmissionEvent(enum.StrEnum):
    """The WeBank notification types that concern an admission."""

    REALNAME_VERIFIED = "realname.verified"
    LIMIT_APPROVED = "limit.approved"
    LIMIT_REJECTED = "limit.rejected"


_RANK: dict[AdmissionStatus, int] = {
    AdmissionStatus.AGREED: 0,
    AdmissionStatus.OPENED: 1,
    AdmissionStatus.REGISTERING: 2,
    AdmissionStatus.VERIFIED: 3,
    AdmissionStatus.APPROVED: 4,
    AdmissionStatus.REJECTED: 4,
}

# The bank's clock and ours may differ by as much as the signature window allows.
CLOCK_TOLERANCE = timedelta(seconds=300)

FINAL_STATUSES = frozenset({AdmissionStatus.APPROVED, AdmissionStatus.REJECTED})

# The status each event leads to. A decision implies verification: WeBank decides only on verified
# enterprises, so `limit.approved` before `realname.verified` goes straight to APPROVED.
_TARGET: dict[AdmissionEvent, AdmissionStatus] = {
    AdmissionEvent.REALNAME_VERIFIED: AdmissionStatus.VERIFIED,
    AdmissionEvent.LIMIT_APPROVED: AdmissionStatus.APPROVED,
    AdmissionEvent.LIMIT_REJECTED: AdmissionStatus.REJECTED,
}


def rank(status: AdmissionStatus) -> int:
    return _RANK[status]


def is_final(status: AdmissionStatus) -> bool:
    return status in FINAL_STATUSES


def next_status(current: AdmissionStatus, event: AdmissionEvent) -> AdmissionStatus | None:
    """The status `event` moves an admission in `current` to, or None when it changes nothing."""
    if is_final(current):
        return None
    target = _TARGET[event]
    return target if rank(target) > rank(current) else None


def belongs_to_admission(occurred_at: datetime, opened_at: datetime | None) -> bool:
    """Whether an event can concern an admission opened at `opened_at`.

    WeBank learns of an admission only when it is opened (the supplier push), so an event that occurred
    earlier belongs to a previous admission of the same enterprise (e.g. one rejected before re-applying).
    """
    return opened_at is not None and occurred_at >= opened_at - CLOCK_TOLERANCE
