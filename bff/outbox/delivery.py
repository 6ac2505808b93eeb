"""Delivering outbox messages to WeBank: claim, send with the stored request id, record the outcome.

A message holds a typed push (`bff.domain.bank_pushes`); `WebankClient.push` turns it into the
request and the bank's answer into a typed result, which the result handler applies. A malformed answer
is an `UpstreamResponseError` without a status and is retried like an outage; a stored push that cannot
be read at all is FAILED at once.

A worker claims one message at a time with a conditional UPDATE (status PENDING, due, lease free) that
also counts the attempt; only the worker whose UPDATE changed the row sends. The claim is atomic on
SQLite and on PostgreSQL alike, so any number of BFF processes may deliver from one database.

    claim (lease, attempts+1) ─ send ─┬─ 200 ──────────── DELIVERED + result handler, one transaction
                                      ├─ 5xx, timeout ─── PENDING, next attempt after backoff (FAILED,
                                      │                   `PUSH_GAVE_UP`, once the policy's give-up time
                                      │                   since the message was written has passed)
                                      └─ 4xx ──────────── FAILED at once with the bank's code: the same
                                                          request id would only replay the refusal

A FAILED message is settled with the failure handler in one transaction (`results.apply_failure`: an
application whose orders never reached the bank fails and frees its orders). Nothing retries it again;
the supplier's next `openFinancing` / `submitHandler` writes a new message with a new request id.

A worker that dies after sending but before recording leaves the lease behind; once it expires the
message is sent again with the same `X-WB-Request-Id`, and the bank answers with its first response, so
the push takes effect once. The attempt number doubles as the claim's token: a worker whose lease ran
out and was taken over changes nothing when it finally records a failure.

Messages of one aggregate go out in id order: one waits while an older message of its aggregate is
still PENDING. (On PostgreSQL, ids are handed out before commit, so a message committed later with a
lower id can still be overtaken by a newer one committed earlier; enqueue a follow-up message only after
the state change that announces its predecessor has committed, as the mutations naturally do.)
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from bff import db
from bff.domain.bank_pushes import (
    PushResult,
    UnreadablePushError,
    WebankPush,
    result_fields,
    stored_push,
)
from bff.domain.push_errors import PUSH_GAVE_UP as GAVE_UP
from bff.domain.push_errors import PUSH_UNREADABLE as UNREADABLE
from bff.domain.statuses import OutboxStatus
from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.integrations.webank import WebankClient
from bff.models import OutboxMessage
from bff.outbox.messages import enqueue
from bff.outbox.policy import OutboxPolicy, utcnow

logger = logging.getLogger("bff.outbox")

ResultHandler = Callable[[OutboxMessage, PushResult, BaseDBAsyncClient], Awaitable[None]]
"""Applies the bank's answer to the aggregate, inside the transaction that marks the message DELIVERED
(`bff.outbox.results.apply_result`)."""
FailureHandler = Callable[[OutboxMessage, BaseDBAsyncClient], Awaitable[None]]
"""Applies a push's final failure to the aggregate, inside the transaction that marks the message FAILED
(`bff.outbox.results.apply_failure`)."""

MAX_CODE_LENGTH = 64  # `OutboxMessage.error_code`

MAX_ERROR_LENGTH = 500
# Client errors that say "not now" rather than "not this body": retried like an outage.
RETRYABLE_CLIENT_STATUSES = frozenset({408, 425, 429})


class DeliveryOutcome(enum.StrEnum):
    DELIVERED = "DELIVERED"
    PENDING = "PENDING"  # this attempt failed; a later one will retry
    FAILED = "FAILED"  # gave up: refused by the bank, or out of time
    BUSY = "BUSY"  # another worker holds it, it is not due, or an older message of its aggregate is pending
    ALREADY_DELIVERED = "ALREADY_DELIVERED"


@dataclass(frozen=True, slots=True)
class _Attempt:
    outcome: DeliveryOutcome
    upstream_down: bool = False  # the bank did not answer: the rest of a pass would fare no better


def _short(error: BaseException) -> str:
    # Upstream errors name the system, path and status only; never the body or the signature headers.
    text = str(error) or type(error).__name__
    return text[:MAX_ERROR_LENGTH]


def _refused(error: UpstreamResponseError) -> bool:
    """True when the bank refused this very request, so retrying the same body cannot help."""
    status = error.status
    return status is not None and 400 <= status < 500 and status not in RETRYABLE_CLIENT_STATUSES


class OutboxDelivery:
    def __init__(
        self,
        webank: WebankClient,
        on_delivered: ResultHandler | None,
        policy: OutboxPolicy = OutboxPolicy(),  # noqa: B008 - frozen, so one shared default is harmless
        *,
        clock: Callable[[], datetime] = utcnow,
        on_failed: FailureHandler | None = None,
    ) -> None:
        self._webank = webank
        self._on_delivered = on_delivered
        self._on_failed = on_failed
        self._policy = policy
        self._clock = clock

    async def deliver(self, message_id: int) -> DeliveryOutcome:
        """Try one message now (e.g. right after the mutation that wrote it committed).

        Upstream problems become the outcome; database errors propagate (the lease, if taken, expires).
        """
        return (await self._attempt(message_id)).outcome

    async def enqueue_claimed(
        self, push: WebankPush, *, aggregate_type: str, aggregate_id: str, connection: BaseDBAsyncClient
    ) -> OutboxMessage:
        """Write `push` in the caller's transaction, claimed for the caller's own first attempt.

        The mutation that writes a push sends it right after its commit (`deliver_claimed`). Written
        unclaimed, it was due at once, and a background pass could claim it in between: the mutation's
        own attempt then found it taken and answered "still pending" although the bank was there. Written
        claimed, only the writer sends it; should the writer die first, the lease runs out and a pass
        delivers it like any interrupted attempt.
        """
        return await enqueue(
            push,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            connection=connection,
            claimed_until=self._now() + self._policy.lease,
        )

    async def deliver_claimed(self, message_id: int) -> DeliveryOutcome:
        """Send a message written by `enqueue_claimed`, once the transaction that wrote it has committed.

        An older message of the same aggregate still pending goes first: the claim is released for a
        background pass to deliver both in order.
        """
        message = await OutboxMessage.get_or_none(id=message_id)
        if message is None:
            raise LookupError(f"there is no outbox message {message_id}")
        if message.status is not OutboxStatus.PENDING:
            return _settled(message.status)
        if message.attempts != 1:  # the lease ran out before the commit, and a pass took the message over
            return DeliveryOutcome.BUSY
        if await self._waits_for_older(message):
            await OutboxMessage.filter(id=message_id, status=OutboxStatus.PENDING, attempts=1).update(
                attempts=0, locked_until=None
            )
            logger.debug("%s: waits for an older message of %s", _label(message), _aggregate(message))
            return DeliveryOutcome.BUSY
        return (await self._send(message)).outcome

    async def deliver_due(self, limit: int = 50) -> int:
        """One pass over due messages, oldest first; returns how many were delivered.

        The pass ends early when the bank does not answer: the next pass tries again.
        """
        delivered = 0
        for message_id in await self._due_ids(limit):
            attempt = await self._attempt(message_id)
            if attempt.outcome is DeliveryOutcome.DELIVERED:
                delivered += 1
            elif attempt.upstream_down:
                break
        return delivered

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver due messages until `stop` is set; a failed pass (database away, …) is logged and retried."""
        while not stop.is_set():
            delivered = 0
            try:
                delivered = await self.deliver_due()
            except Exception:
                logger.exception("outbox pass failed; next pass in %.1f s", interval)
            if delivered:
                continue  # progress: messages that waited for the ones just delivered may be due now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    # --- one attempt ---

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the outbox clock must return timezone-aware datetimes")
        # One offset everywhere: SQLite compares the stored ISO strings.
        return now.astimezone(UTC)

    async def _attempt(self, message_id: int) -> _Attempt:
        message = await OutboxMessage.get_or_none(id=message_id)
        if message is None:
            raise LookupError(f"there is no outbox message {message_id}")
        if message.status is not OutboxStatus.PENDING:
            return _Attempt(_settled(message.status))
        if await self._waits_for_older(message):
            logger.debug("%s: waits for an older message of %s", _label(message), _aggregate(message))
            return _Attempt(DeliveryOutcome.BUSY)
        now = self._now()
        claimed = await OutboxMessage.filter(_claimable(now), id=message_id).update(
            locked_until=now + self._policy.lease, attempts=F("attempts") + 1
        )
        if not claimed:
            current = await OutboxMessage.get(id=message_id)
            if current.status is OutboxStatus.PENDING:
                return _Attempt(DeliveryOutcome.BUSY)
            return _Attempt(_settled(current.status))
        # Re-read the claimed row: its attempt count is this claim's token.
        return await self._send(await OutboxMessage.get(id=message_id))

    async def _waits_for_older(self, message: OutboxMessage) -> bool:
        return await OutboxMessage.filter(
            aggregate_type=message.aggregate_type,
            aggregate_id=message.aggregate_id,
            status=OutboxStatus.PENDING,
            id__lt=message.id,
        ).exists()

    async def _send(self, message: OutboxMessage) -> _Attempt:
        try:
            push = stored_push(message.kind, message.payload)
        except UnreadablePushError as exc:  # no attempt can ever send it: keep it for a person to look at
            logger.error("%s: %s", _label(message), exc)
            return _Attempt(await self._give_up(message, _short(exc), UNREADABLE))
        try:
            result = await self._webank.push(push, request_id=message.request_id)
        except UpstreamUnavailableError as exc:
            return _Attempt(await self._later(message, _short(exc)), upstream_down=True)
        except UpstreamResponseError as exc:
            if _refused(exc):
                return _Attempt(await self._give_up(message, _short(exc), _refusal_code(exc)))
            return _Attempt(await self._later(message, _short(exc)))
        except Exception as exc:  # a bug on our side must not stall the queue nor escape to a mutation
            logger.exception("%s: sending failed unexpectedly", _label(message))
            return _Attempt(await self._later(message, f"unexpected {type(exc).__name__}"))
        return _Attempt(await self._complete(message, result))

    async def _complete(self, message: OutboxMessage, result: PushResult) -> DeliveryOutcome:
        """Mark DELIVERED and apply the answer in one transaction; if the handler fails, neither happens."""
        now = self._now()
        answer = result_fields(result)
        try:
            async with in_transaction(db.CONNECTION) as connection:
                marked = (
                    await OutboxMessage.filter(id=message.id, status=OutboxStatus.PENDING)
                    .using_db(connection)
                    .update(
                        status=OutboxStatus.DELIVERED, delivered_at=now, response=answer, locked_until=None
                    )
                )
                if not marked:
                    # Our lease ran out and another worker delivered it (the bank answered both alike).
                    logger.info("%s: already delivered by another worker", _label(message))
                    return DeliveryOutcome.ALREADY_DELIVERED
                message.status = OutboxStatus.DELIVERED
                message.delivered_at = now
                message.response = answer
                message.locked_until = None
                if self._on_delivered is not None:
                    await self._on_delivered(message, result, connection)
        except Exception as exc:
            logger.exception("%s: applying the bank's answer failed; rolled back", _label(message))
            message.status = OutboxStatus.PENDING
            return await self._later(message, f"result handler failed: {type(exc).__name__}")
        logger.info("%s: delivered on attempt %d", _label(message), message.attempts)
        return DeliveryOutcome.DELIVERED

    async def _later(self, message: OutboxMessage, error: str) -> DeliveryOutcome:
        """Schedule the next attempt after the backoff, or give up once the give-up time has passed."""
        next_attempt_at = self._policy.next_attempt(message.attempts, message.created_at, self._now())
        if next_attempt_at is None:
            return await self._give_up(message, error, GAVE_UP)
        released = await OutboxMessage.filter(
            id=message.id, status=OutboxStatus.PENDING, attempts=message.attempts
        ).update(next_attempt_at=next_attempt_at, locked_until=None, last_error=error)
        if not released:
            return self._taken_over(message)
        logger.warning(
            "%s: attempt %d failed (%s); next attempt at %s",
            _label(message),
            message.attempts,
            error,
            next_attempt_at.isoformat(timespec="seconds"),
        )
        return DeliveryOutcome.PENDING

    async def _give_up(self, message: OutboxMessage, error: str, code: str) -> DeliveryOutcome:
        """Mark FAILED and apply the failure in one transaction; if the handler fails, neither happens."""
        now = self._now()
        try:
            async with in_transaction(db.CONNECTION) as connection:
                failed = (
                    await OutboxMessage.filter(
                        id=message.id, status=OutboxStatus.PENDING, attempts=message.attempts
                    )
                    .using_db(connection)
                    .update(
                        status=OutboxStatus.FAILED,
                        locked_until=None,
                        last_error=error,
                        error_code=code,
                        failed_at=now,
                    )
                )
                if not failed:
                    return self._taken_over(message)
                message.status = OutboxStatus.FAILED
                message.last_error, message.error_code, message.failed_at = error, code, now
                if self._on_failed is not None:
                    await self._on_failed(message, connection)
        except Exception as exc:
            # Left PENDING and retried: the next failure tries to settle it again.
            logger.exception("%s: applying the failure failed; rolled back", _label(message))
            message.status = OutboxStatus.PENDING
            released = await OutboxMessage.filter(
                id=message.id, status=OutboxStatus.PENDING, attempts=message.attempts
            ).update(
                next_attempt_at=now + self._policy.backoff(message.attempts),
                locked_until=None,
                last_error=f"failure handler failed: {type(exc).__name__}",
            )
            return DeliveryOutcome.PENDING if released else self._taken_over(message)
        logger.error("%s: gave up after attempt %d (%s: %s)", _label(message), message.attempts, code, error)
        return DeliveryOutcome.FAILED

    def _taken_over(self, message: OutboxMessage) -> DeliveryOutcome:
        logger.warning(
            "%s: attempt %d outlived its lease; another worker took over", _label(message), message.attempts
        )
        return DeliveryOutcome.BUSY

    # --- choosing messages ---

    async def _due_ids(self, limit: int) -> list[int]:
        """Due, unleased PENDING messages without an older PENDING message of their aggregate, by id.

        Raw SQL because the ORM cannot express the correlated NOT EXISTS; filtering blocked messages here
        (rather than per message) keeps a long queue behind one aggregate from starving the others.
        """
        connection = Tortoise.get_connection(db.CONNECTION)
        sqlite = connection.capabilities.dialect == "sqlite"
        now = self._now()
        table = OutboxMessage._meta.db_table
        pending = OutboxStatus.PENDING.value
        query = (
            f"SELECT m.id AS id FROM {table} m"  # only constants and placeholders
            f" WHERE m.status = '{pending}' AND m.next_attempt_at <= {'?' if sqlite else '$1'}"
            f" AND (m.locked_until IS NULL OR m.locked_until < {'?' if sqlite else '$1'})"
            f" AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.aggregate_type = m.aggregate_type"
            f" AND o.aggregate_id = m.aggregate_id AND o.status = '{pending}' AND o.id < m.id)"
            f" ORDER BY m.id LIMIT {int(limit)}"
        )
        rows = await connection.execute_query_dict(query, [now, now] if sqlite else [now])
        return [int(row["id"]) for row in rows]


def _refusal_code(error: UpstreamResponseError) -> str:
    """The bank's own code for a refusal, else one naming the HTTP status (`HTTP_404`)."""
    return (error.upstream_code or f"HTTP_{error.status}")[:MAX_CODE_LENGTH]


def _claimable(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )


def _settled(status: OutboxStatus) -> DeliveryOutcome:
    return DeliveryOutcome.ALREADY_DELIVERED if status is OutboxStatus.DELIVERED else DeliveryOutcome.FAILED


def _aggregate(message: OutboxMessage) -> str:
    return f"{message.aggregate_type} {message.aggregate_id}"


def _label(message: OutboxMessage) -> str:
    return f"outbox message {message.id} ({message.kind} for {_aggregate(message)}, request {message.request_id})"
