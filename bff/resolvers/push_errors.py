"""The state of an aggregate's pushes to WeBank, read from the outbox: the latest push decides.

The latest message of an admission or application is what the bank was last asked; an older failure
that a newer push superseded (`openFinancing` / `submitHandler` again) is history, not an error.
"""

from __future__ import annotations

from bff.domain.push_errors import PushError, push_error
from bff.domain.statuses import OutboxStatus
from bff.models import OutboxMessage
from bff.store import ADMISSION_AGGREGATE, APPLICATION_AGGREGATE


async def latest_push(
    aggregate_type: str, aggregate_id: int, kind: str | None = None
) -> OutboxMessage | None:
    """The newest push of the aggregate (of `kind`, if given)."""
    query = OutboxMessage.filter(aggregate_type=aggregate_type, aggregate_id=str(aggregate_id))
    if kind is not None:
        query = query.filter(kind=kind)
    return await query.order_by("-id").first()


def failed(message: OutboxMessage | None) -> bool:
    return message is not None and message.status is OutboxStatus.FAILED


async def latest_failed_push(aggregate_type: str, aggregate_id: int) -> OutboxMessage | None:
    """The aggregate's latest push when it failed for good, else None."""
    message = await latest_push(aggregate_type, aggregate_id)
    return message if failed(message) else None


def error_of(message: OutboxMessage) -> PushError:
    # Messages that failed before `failed_at` was kept fall back to when they were written.
    return push_error(
        message.kind, message.error_code, message.last_error, message.failed_at or message.created_at
    )


async def push_error_of(aggregate_type: str, aggregate_id: int) -> PushError | None:
    message = await latest_failed_push(aggregate_type, aggregate_id)
    return None if message is None else error_of(message)


async def admission_failed_push(admission_id: int) -> OutboxMessage | None:
    """The admission's latest push (开通 or the handler form) when it failed for good."""
    return await latest_failed_push(ADMISSION_AGGREGATE, admission_id)


async def application_push_error(application_id: int) -> PushError | None:
    return await push_error_of(APPLICATION_AGGREGATE, application_id)
