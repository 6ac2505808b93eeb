"""The inbox of WeBank notifications: store each event once (unique `event_id`), then process it.

Storing is what the bank's acknowledgement promises; processing may fail and is retried later (the event
keeps `attempts` and `last_error`), and is idempotent: a processed event is never applied again, and the
state machines ignore repeated or late events anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bff import db
from bff.domain.admission_flow import AdmissionEvent
from bff.models import BankEvent
from bff.notifications.admission import NoAdmissionError, apply_admission_event
from bff.notifications.events import EventType, InvalidEventError, Notification

__all__ = ["process", "store"]

logger = logging.getLogger("bff.notifications")

LAST_ERROR_MAX_LENGTH = 2000

Handler = Callable[[datetime, Mapping[str, Any], BaseDBAsyncClient], Awaitable[None]]


def _admission_handler(event: AdmissionEvent) -> Handler:
    async def handle(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
        await apply_admission_event(event, occurred_at, data, conn)

    return handle


# Types without a handler (the loan and repayment events) stay stored with `processed_at` NULL for the
# loan processor.
HANDLERS: dict[EventType, Handler] = {
    EventType.REALNAME_VERIFIED: _admission_handler(AdmissionEvent.REALNAME_VERIFIED),
    EventType.LIMIT_APPROVED: _admission_handler(AdmissionEvent.LIMIT_APPROVED),
    EventType.LIMIT_REJECTED: _admission_handler(AdmissionEvent.LIMIT_REJECTED),
}


async def store(notification: Notification) -> BankEvent | None:
    """Insert the event (committed on return); None when its `event_id` is already stored."""
    try:
        return await BankEvent.create(
            event_id=notification.event_id,
            type=notification.type.value,
            occurred_at=notification.occurred_at,
            payload=dict(notification.body),
        )
    except IntegrityError:
        # `event_id` is the only unique column besides the key: a repeated delivery.
        return None


async def process(event: BankEvent) -> bool:
    """Apply a stored event once; True when it is processed now or was before.

    A failure is recorded on the event (`attempts`, `last_error`) and logged, never raised: the event
    stays stored for a later attempt.
    """
    if event.processed_at is not None:
        return True
    handler = HANDLERS.get(EventType(event.type))
    if handler is None:
        return False
    data = event.payload.get("data") if isinstance(event.payload, dict) else None
    try:
        async with in_transaction(db.CONNECTION) as conn:
            # Marking first both claims the event (a concurrent attempt finds nothing to mark and stops)
            # and commits together with what the handler changes.
            marked = (
                await BankEvent.filter(id=event.id, processed_at=None)
                .using_db(conn)
                .update(processed_at=datetime.now(UTC), attempts=F("attempts") + 1, last_error=None)
            )
            if not marked:
                return True
            await handler(event.occurred_at, data if isinstance(data, dict) else {}, conn)
    except (InvalidEventError, NoAdmissionError) as exc:
        logger.warning("bank event %s (%s) not processed: %s", event.event_id, event.type, exc)
        await _record_failure(event, str(exc))
        return False
    except Exception as exc:  # anything else: keep the event for a later attempt, and say so loudly
        logger.exception("bank event %s (%s) failed", event.event_id, event.type)
        await _record_failure(event, f"{type(exc).__name__}: {exc}")
        return False
    return True


async def _record_failure(event: BankEvent, error: str) -> None:
    try:
        await BankEvent.filter(id=event.id, processed_at=None).update(
            attempts=F("attempts") + 1, last_error=error[:LAST_ERROR_MAX_LENGTH]
        )
    except Exception:  # the database may be what failed; the event is stored either way
        logger.exception("could not record the failure of bank event %s", event.event_id)
