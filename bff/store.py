"""Reads and writes of the BFF's own records that several layers share: resolvers, bank notifications,
the webhook and the background workers. Plain functions over the models, no GraphQL and no HTTP.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from bff.domain.statuses import OPEN_APPLICATION_STATUSES, ApplicationStatus, OutboxStatus
from bff.models import Admission, FinancingApplication, OrderClaim, OutboxMessage

# Outbox messages name the record they change by aggregate type and id; the workers read them back to tell
# that record's subscribers.
ADMISSION_AGGREGATE = "admission"
APPLICATION_AGGREGATE = "application"

__all__ = [
    "ADMISSION_AGGREGATE",
    "APPLICATION_AGGREGATE",
    "OPEN_APPLICATION_STATUSES",
    "NoAdmissionError",
    "current_admission_by_credit_code",
    "current_admission_of_supplier",
    "current_admissions_by_credit_code",
    "expire_applications",
    "is_lost_race",
]


# PostgreSQL's serialization_failure and deadlock_detected: the transaction lost to a concurrent one.
LOST_RACE_SQLSTATES = frozenset({"40001", "40P01"})


class NoAdmissionError(Exception):
    """No current admission can take the event (yet): it stays stored and unprocessed."""


async def current_admission_of_supplier(
    supplier_code: str, connection: BaseDBAsyncClient | None = None
) -> Admission | None:
    return await Admission.filter(current_key=supplier_code).using_db(connection).first()


async def current_admissions_by_credit_code(
    credit_code: str, connection: BaseDBAsyncClient | None = None
) -> list[Admission]:
    """The current admissions opened under an enterprise's credit code: one, unless several suppliers of the
    platform registered the same enterprise."""
    return await Admission.filter(credit_code=credit_code, is_current=True).using_db(connection)


async def current_admission_by_credit_code(
    credit_code: str, connection: BaseDBAsyncClient | None = None
) -> Admission:
    """The one current admission a bank notification about this credit code belongs to."""
    found = await current_admissions_by_credit_code(credit_code, connection)
    if not found:
        raise NoAdmissionError("no admission for credit code")
    if len(found) > 1:
        # Two suppliers opened with one enterprise's credit code: granting the limit to either could be wrong.
        raise NoAdmissionError("several current admissions for credit code")
    return found[0]


async def expire_applications(now: datetime, *, connection: BaseDBAsyncClient | None = None) -> int:
    """Applications WeBank never turned into a loan expire; their orders are free again."""
    expired = list(
        await FinancingApplication.filter(status__in=OPEN_APPLICATION_STATUSES, expires_at__lte=now)
        .using_db(connection)
        .values_list("id", flat=True)
    )
    if not expired:
        return 0
    await OrderClaim.filter(application_id__in=expired, loan_id=None).using_db(connection).delete()
    changed = (
        await FinancingApplication.filter(id__in=expired, status__in=OPEN_APPLICATION_STATUSES)
        .using_db(connection)
        .update(status=ApplicationStatus.EXPIRED, updated_at=now)
    )
    return int(changed)


async def outbox_backlog() -> int:
    """Pushes to WeBank not yet delivered (readiness reports it: a growing backlog is a bank outage)."""
    return await OutboxMessage.filter(status=OutboxStatus.PENDING).count()


def is_lost_race(exc: BaseException) -> bool:
    """Whether a transaction over contended rows failed because a concurrent one got there first.

    A unique violation (tortoise's `IntegrityError`), or PostgreSQL aborting one of two transactions that
    wait for each other: deadlock (SQLSTATE 40P01) or serialization failure (40001). tortoise translates
    only the first; the others reach us as asyncpg's `DeadlockDetectedError` / `SerializationError`, or
    wrapped (`raise ... from`) by a tortoise error. Told apart by SQLSTATE, which every asyncpg error has.
    """
    seen: BaseException | None = exc
    for _ in range(5):  # a short cause chain: tortoise wraps at most once
        if seen is None:
            return False
        if isinstance(seen, IntegrityError) or getattr(seen, "sqlstate", None) in LOST_RACE_SQLSTATES:
            return True
        seen = seen.__cause__
    return False
