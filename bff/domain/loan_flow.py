"""The loan state machine, and how a loan's amount is split across the orders it finances.

PROCESSING → DISBURSED | FAILED; DISBURSED ⇄ OVERDUE (back to DISBURSED only when a posted repayment clears
the arrears); DISBURSED | OVERDUE → SETTLED; FAILED and SETTLED are final. Notifications may arrive twice,
late or out of order: an event that would move a loan back, or sideways out of a final status, changes
nothing. An event that needs a disbursed loan but finds it still PROCESSING (`loan.overdue` before
`loan.disbursed`) is neither applied nor dropped: `waits_for_disbursement` says it must wait.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bff.domain.statuses import LoanStatus

__all__ = [
    "FINAL_LOAN_STATUSES",
    "LoanEvent",
    "allocate",
    "arrears_paid",
    "is_final",
    "next_loan_status",
    "waits_for_disbursement",
]


class LoanEvent(enum.StrEnum):
    """What can happen to a loan; all but the last are WeBank notification types."""

    LOAN_DISBURSED = "loan.disbursed"
    LOAN_FAILED = "loan.failed"
    LOAN_OVERDUE = "loan.overdue"
    LOAN_SETTLED = "loan.settled"
    # derived from `repayment.posted`: the repayments since the loan fell overdue paid its arrears
    REPAYMENT_CLEARED_ARREARS = "repayment.cleared_arrears"


FINAL_LOAN_STATUSES = frozenset({LoanStatus.FAILED, LoanStatus.SETTLED})

S = LoanStatus
E = LoanEvent

_TRANSITIONS: dict[tuple[LoanStatus, LoanEvent], LoanStatus] = {
    (S.PROCESSING, E.LOAN_DISBURSED): S.DISBURSED,
    (S.PROCESSING, E.LOAN_FAILED): S.FAILED,
    (S.DISBURSED, E.LOAN_OVERDUE): S.OVERDUE,
    (S.DISBURSED, E.LOAN_SETTLED): S.SETTLED,
    (S.OVERDUE, E.LOAN_SETTLED): S.SETTLED,
    (S.OVERDUE, E.REPAYMENT_CLEARED_ARREARS): S.DISBURSED,
}

# Events that only make sense once the loan is disbursed.
_AFTER_DISBURSEMENT = frozenset({E.LOAN_OVERDUE, E.LOAN_SETTLED, E.REPAYMENT_CLEARED_ARREARS})


def is_final(status: LoanStatus) -> bool:
    return status in FINAL_LOAN_STATUSES


def next_loan_status(current: LoanStatus, event: LoanEvent) -> LoanStatus | None:
    """The status `event` moves a loan in `current` to, or None when it changes nothing."""
    return _TRANSITIONS.get((current, event))


def waits_for_disbursement(current: LoanStatus, event: LoanEvent) -> bool:
    """Whether `event` arrived ahead of `loan.disbursed` and must be applied after it, not dropped."""
    return current is LoanStatus.PROCESSING and event in _AFTER_DISBURSEMENT


def arrears_paid(arrears_fen: int, repaid_fen: Iterable[int]) -> bool:
    """Whether the repayments posted since the arrears were reported add up to at least the arrears."""
    return sum(repaid_fen) >= arrears_fen


def allocate(amount_fen: int, weights_fen: list[int]) -> list[int]:
    """Split `amount_fen` in proportion to `weights_fen`, exactly: the parts sum to the amount.

    Each part is the floor of its exact share; the fen left over go one each to the largest remainders
    (ties to the earlier weight). No part exceeds its weight, since the amount may not exceed their total.
    """
    if amount_fen < 0 or any(w < 0 for w in weights_fen):
        raise ValueError("amounts and weights must not be negative")
    total = sum(weights_fen)
    if amount_fen > total:
        raise ValueError(f"cannot allocate {amount_fen} fen over weights totalling {total} fen")
    if amount_fen == 0:
        return [0] * len(weights_fen)
    parts = [amount_fen * w // total for w in weights_fen]
    remainders = [amount_fen * w % total for w in weights_fen]
    left = amount_fen - sum(parts)
    by_remainder = sorted(range(len(weights_fen)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts
