"""Idempotent mutations: a POST carrying an `Idempotency-Key` header acts once and answers the same each time.

Contract (DESIGN §6.2): for 24 h, a request with the same supplier, key and body is answered with the exact
first JSON body (HTTP status as the first time, header `Idempotent-Replayed: true`) without running again;
the same key with another body is refused with `IDEMPOTENCY_KEY_REUSED`.

Scope: only a POST whose (single) operation is a mutation and whose token names a supplier. A query, a
subscription, a GET, a batch, an unauthenticated request or a body the server cannot parse is executed as
if the header were absent: queries change nothing, and the other cases are refused by the normal path.
A key that is empty or longer than 255 characters is refused first, on any HTTP request: 400 `BAD_REQUEST`.
Identity is (supplier code of the token, key); an operator's token names the operator's own code.
The body's fingerprint is the SHA-256 of the canonical request: query text, variables and operationName
as sorted-key JSON, so the order of keys in `variables` does not matter but any change of value does.

Atomicity: the mutation runs inside one database transaction, opened here. tortoise 1.x keeps the open
transaction in a context variable per connection name, which every plain query (`Model.filter`, `get`,
`create`) and every nested `in_transaction` of the resolvers picks up: the resolvers' own transactions
become savepoints of this one (their lost-race handling still works: a savepoint rolls back alone), and
the whole request commits once, together with the `IdempotencyKey` row holding the response. So:
- crash (or any failure) before the commit: nothing the mutation wrote and no key row exist; a retry
  with the same key runs the mutation afresh, exactly once;
- crash after the commit (the response lost on the way): the row exists; a retry gets the first body.
- two concurrent requests with the same key: the key row is inserted before the mutation runs. On
  PostgreSQL the second insert waits on the unique index until the first transaction ends, then fails
  (and the second request answers with the first's response) or, if the first rolled back, succeeds
  and runs. On SQLite tortoise serialises transactions on the one connection, so the second only starts
  after the first committed and finds its row. Either way the mutation acts once.
What the database cannot roll back (calls made while the transaction is open) is the limit:
- a push delivered to WeBank during the request (`OutboxDelivery.deliver` right after the mutation's
  writes, so that the response carries the bank's URL) reaches the bank before the commit. A crash in
  the short window between the bank's answer and the commit leaves the bank with a push the BFF has
  no record of; the retry pushes again with a new request id. The outbox's own guarantee (at-least-once
  with the same request id) is unchanged for pushes that committed.
- events for subscribers are held back until the commit (`AfterCommitBroker`), so nobody is told of a
  change that then rolls back, and subscribers reading afresh see the committed state.
While the transaction is open, SQLite (one connection) makes every other database access of the process
wait for it; PostgreSQL holds one pooled connection for the request.

Expiry: a row older than `TTL` is ignored; it is deleted when its key is used again, and after each new
key commits up to `PURGE_BATCH` other expired rows are deleted, so the table holds about one day of keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bff import db
from bff.events.broker import Broker, Event
from bff.events.changes import publish_all
from bff.models import IDEMPOTENCY_KEY_LENGTH, IdempotencyKey
from bff.request_guard import error_response

logger = logging.getLogger("bff.idempotency")

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
PURGE_BATCH = 100
# Codes and statuses as the IETF draft "The Idempotency-Key HTTP Header Field" has them.
REUSED = "IDEMPOTENCY_KEY_REUSED"  # 422: the same key with another body
IN_PROGRESS = "IDEMPOTENCY_KEY_IN_PROGRESS"  # 409: the same key is still being answered; retry later
NOT_RECORDED = "IDEMPOTENCY_NOT_RECORDED"  # 503: the transaction did not commit; nothing was done

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class InvalidKey(ValueError):
    """The header is present but not a usable key; the message says why (answered 400)."""


def checked_key(request: Request) -> str | None:
    """The request's key, None without the header; raises `InvalidKey` for an empty or too long one."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip():
        raise InvalidKey("The Idempotency-Key header must not be empty.")
    if len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise InvalidKey(f"The Idempotency-Key header must be at most {IDEMPOTENCY_KEY_LENGTH} characters.")
    return key


def mutation_fingerprint(body: bytes) -> str | None:
    """SHA-256 of the canonical request if `body` is one GraphQL mutation, else None (run it normally)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    query, operation_name = data.get("query"), data.get("operationName")
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return None
    try:
        # Token-limited like the schema's own parsing; an unparsable document is refused by the normal path.
        operation = get_operation_ast(parse(query, no_location=True, max_tokens=20_000), operation_name)
    except (GraphQLError, RecursionError):
        return None
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    canonical = json.dumps(
        {"query": query, "variables": data.get("variables") or {}, "operationName": operation_name},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class AfterCommitBroker:
    """A `Broker` for one idempotent request: publishes are held until its transaction committed."""

    inner: Broker
    held: list[tuple[str, Event]] = field(default_factory=list)

    async def publish(self, topic: str, event: Event) -> None:
        self.held.append((topic, event))

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]:
        return self.inner.subscribe(topic)

    def subscriber_count(self) -> int:
        return self.inner.subscriber_count()

    async def release(self) -> None:
        held, self.held = self.held, []
        await publish_all(self.inner, held)


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        return error_response(
            422, "This Idempotency-Key was already used for a different request; use a new key.", REUSED
        )
    return Response(
        row.response,
        status_code=row.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


async def _stored(supplier_code: str, key: str, since: datetime) -> IdempotencyKey | None:
    return await IdempotencyKey.get_or_none(supplier_code=supplier_code, key=key, created_at__gt=since)


async def _purge_expired(cutoff: datetime) -> None:
    """Delete up to `PURGE_BATCH` expired rows. Run after the commit, outside the mutation's transaction:
    inside it, two requests deleting the same old rows would wait for each other's whole mutation."""
    try:
        ids = (
            await IdempotencyKey.filter(created_at__lte=cutoff)
            .limit(PURGE_BATCH)
            .values_list("id", flat=True)
        )
        if ids:
            await IdempotencyKey.filter(id__in=list(ids)).delete()
    except Exception:  # housekeeping only: the answer is committed and must still reach the client
        logger.warning("could not purge expired idempotency keys", exc_info=True)


class _Answered(Exception):
    """Raised inside the transaction to roll it back and answer `response` (an earlier request's)."""

    def __init__(self, response: Response) -> None:
        self.response = response


class _Raced(Exception):
    """Another transaction inserted the same key first."""


async def run_once(
    supplier_code: str,
    key: str,
    fingerprint: str,
    execute: Callable[[], Awaitable[Response]],
    broker: AfterCommitBroker,
    clock: Clock = utcnow,
) -> Response:
    """Answer the request identified by (`supplier_code`, `key`) once: run `execute` in one transaction
    with the stored response, or replay the stored one."""
    now = clock()
    cutoff = now - TTL
    try:
        async with in_transaction(db.CONNECTION):
            existing = await _stored(supplier_code, key, cutoff)
            if existing is not None:
                raise _Answered(_replay(existing, fingerprint))
            # An expired row of this key would block the insert below; it is forgotten now.
            await IdempotencyKey.filter(supplier_code=supplier_code, key=key, created_at__lte=cutoff).delete()
            # Before the mutation runs: a concurrent request with this key waits here (see the module doc).
            try:
                row = await IdempotencyKey.create(
                    supplier_code=supplier_code,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    response="",
                    created_at=now,
                )
            except IntegrityError:
                raise _Raced from None
            response = await execute()
            row.status_code = response.status_code
            row.response = bytes(response.body).decode("utf-8")
            await row.save(update_fields=["status_code", "response"])
    except _Answered as answered:
        return answered.response
    except _Raced:
        # A concurrent request with the same key committed first (PostgreSQL): its answer is ours.
        existing = await _stored(supplier_code, key, cutoff)
        if existing is None:
            return error_response(
                409, "A request with this Idempotency-Key is in progress; retry later.", IN_PROGRESS
            )
        return _replay(existing, fingerprint)
    except HTTPException:
        raise  # refused before execution (a malformed body): nothing ran, nothing to record
    except Exception:
        # The mutation's writes rolled back with the key row: the executed answer must not reach the client.
        logger.exception("idempotent request of %s did not commit", supplier_code)
        return error_response(
            503,
            "The request could not be completed and nothing was recorded; retry with the same key.",
            NOT_RECORDED,
        )
    await broker.release()
    await _purge_expired(cutoff)
    return response
