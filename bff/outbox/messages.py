"""Writing a push into the outbox, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain.bank_pushes import WebankPush, stored_fields
from bff.domain.statuses import OutboxStatus
from bff.models import OutboxMessage
from bff.outbox.policy import utcnow


async def enqueue(
    push: WebankPush,
    *,
    aggregate_type: str,
    aggregate_id: str,
    connection: BaseDBAsyncClient,
    request_id: str | None = None,
    claimed_until: datetime | None = None,
) -> OutboxMessage:
    """Record `push` on `connection`, the transaction of the state change it announces.

    It commits or rolls back with that change. The message is due at once; `request_id` (a new uuid4 hex
    by default) becomes `X-WB-Request-Id` on every attempt. Messages of one aggregate are delivered in
    the order they were enqueued.

    With `claimed_until`, the message is written already claimed for its first attempt (attempt 1, leased
    until then): no background pass sends it while its writer is about to
    (`OutboxDelivery.enqueue_claimed` / `deliver_claimed`).
    """
    return await OutboxMessage.create(
        using_db=connection,
        request_id=request_id or uuid.uuid4().hex,
        kind=push.kind,
        payload=stored_fields(push),
        status=OutboxStatus.PENDING,
        attempts=0 if claimed_until is None else 1,
        next_attempt_at=utcnow(),
        locked_until=claimed_until,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
    )
