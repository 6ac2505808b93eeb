"""Applying `realname.verified`, `limit.approved` and `limit.rejected` to the supplier's current admission."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain import notices
from bff.domain.admission_flow import AdmissionEvent, belongs_to_admission, next_status, rank
from bff.domain.money import yuan_to_fen
from bff.models import Admission, AdmissionStatus, CreditLimit
from bff.notices import create_notice
from bff.notifications.events import (
    LimitApproved,
    LimitRejected,
    parse_limit_approved,
    parse_limit_rejected,
    parse_realname_verified,
)
from bff.store import NoAdmissionError, current_admission_by_credit_code

__all__ = ["NoAdmissionError", "apply_admission_event"]

# A conditional update loses only to a concurrent notification for the same admission; each loss moves the
# admission forward, and there are at most three steps to take.
_MAX_ROUNDS = 4


def _changes(
    admission: Admission,
    new: AdmissionStatus,
    occurred_at: datetime,
    decision: LimitApproved | LimitRejected | None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {"status": new, "updated_at": datetime.now(UTC)}
    if new is AdmissionStatus.VERIFIED or (new is AdmissionStatus.APPROVED and admission.verified_at is None):
        changes["verified_at"] = occurred_at  # an approval implies the verification
    if new in (AdmissionStatus.APPROVED, AdmissionStatus.REJECTED):
        changes["decided_at"] = occurred_at
    if isinstance(decision, LimitRejected):
        changes["rejection_reason"] = decision.reason
        changes["reapply_after"] = decision.reapply_after
    return changes


async def _record_late_verification(
    admission: Admission, event: AdmissionEvent, occurred_at: datetime, conn: BaseDBAsyncClient
) -> None:
    """A `realname.verified` behind the decision moves nothing, but tells when verification really was.

    Without it the verification time would depend on the arrival order: the decision's time (an approval
    implies verification) or none at all (a rejection).
    """
    if event is not AdmissionEvent.REALNAME_VERIFIED or rank(admission.status) < rank(
        AdmissionStatus.VERIFIED
    ):
        return
    if admission.verified_at is not None and admission.verified_at <= occurred_at:
        return
    await (
        Admission.filter(id=admission.id, status=admission.status)
        .using_db(conn)
        .update(verified_at=occurred_at, updated_at=datetime.now(UTC))
    )


async def apply_admission_event(
    event: AdmissionEvent, occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient
) -> None:
    """Move the current admission of `data.credit_code` forward, never back; repeats change nothing.

    Raises `InvalidEventError` for unreadable data and `NoAdmissionError` when no admission takes it.
    """
    decision: LimitApproved | LimitRejected | None = None
    if event is AdmissionEvent.LIMIT_APPROVED:
        decision = parse_limit_approved(data)
    elif event is AdmissionEvent.LIMIT_REJECTED:
        decision = parse_limit_rejected(data)
    credit_code = decision.credit_code if decision else parse_realname_verified(data).credit_code

    admission = await current_admission_by_credit_code(credit_code, conn)
    if not belongs_to_admission(occurred_at, admission.opened_at):
        return  # an earlier admission's (late) event
    for _ in range(_MAX_ROUNDS):
        new = next_status(admission.status, event)
        if new is None:
            await _record_late_verification(admission, event, occurred_at, conn)
            return
        updated = (
            await Admission.filter(id=admission.id, status=admission.status)
            .using_db(conn)
            .update(**_changes(admission, new, occurred_at, decision))
        )
        if updated:
            if isinstance(decision, LimitApproved):
                await CreditLimit.create(
                    using_db=conn,
                    admission_id=admission.id,
                    supplier_code=admission.supplier_code,
                    total_fen=yuan_to_fen(decision.total),
                    order_ratio=decision.order_ratio,
                    credit_ratio=decision.credit_ratio,
                    approved_at=occurred_at,
                    valid_until=decision.valid_until,
                )
                draft = notices.limit_approved(admission.id, decision.total, decision.valid_until)
                await create_notice(admission.supplier_code, draft, conn)
            elif isinstance(decision, LimitRejected) and new is AdmissionStatus.REJECTED:
                draft = notices.limit_rejected(admission.id, decision.reason, decision.reapply_after)
                await create_notice(admission.supplier_code, draft, conn)
            return
        admission = await Admission.filter(id=admission.id).using_db(conn).get()
    raise RuntimeError(f"admission {admission.id} kept changing under event {event}")
