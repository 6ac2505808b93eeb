"""The inbox of WeBank notifications: store each event once (unique `event_id`), then process it.

Storing is what the bank's acknowledgement promises. The webhook stores and applies an event in one
transaction (`receive`): the event is inserted, then applied, and applying a loan's event locks the loan's
row before anything else of it (`loans._loan`), so concurrent events of one loan run one after the other
and never deadlock. When applying fails, the transaction rolls back and the event is stored on its own,
unprocessed, with the failure. Processing may fail and is retried later (the event
keeps `attempts` and `last_error`), and is idempotent: a processed event is never applied again, and the
state machines ignore repeated or late events anyway.

Loan events may arrive before the loan they concern: such an event fails with `NotYetApplicableError` and
waits. Whenever an event of a loan is processed, the waiting events of that loan (found by the indexed
`loan_no`, stored with each loan and repayment event) are run again, oldest (`occurred_at`) first
(`process_waiting`); `retry_unprocessed` is the background worker's sweep over all.
"""

from __future__ import annotations

import enum
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
from bff.notifications.admission import apply_admission_event
from bff.notifications.events import EventType, InvalidEventError, Notification, loan_no_of
from bff.notifications.loans import LOAN_HANDLERS, LoanApplicationError, NotYetApplicableError, loan_supplier
from bff.notifications.quarantine import quarantine_stored
from bff.store import NoAdmissionError, current_admission_by_credit_code

__all__ = [
    "HANDLERS",
    "affected_supplier",
    "process",
    "process_waiting",
    "receive",
    "retry_unprocessed",
    "store",
    "sweep",
]

logger = logging.getLogger("bff.notifications")

LAST_ERROR_MAX_LENGTH = 2000
# How many of one loan's unprocessed events `process_waiting` re-runs per pass (a handful normally).
WAITING_LIMIT = 500

Handler = Callable[[datetime, Mapping[str, Any], BaseDBAsyncClient], Awaitable[None]]


def _admission_handler(event: AdmissionEvent) -> Handler:
    async def handle(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
        await apply_admission_event(event, occurred_at, data, conn)

    return handle


# A type without a handler would stay stored with `processed_at` NULL.
HANDLERS: dict[EventType, Handler] = {
    EventType.REALNAME_VERIFIED: _admission_handler(AdmissionEvent.REALNAME_VERIFIED),
    EventType.LIMIT_APPROVED: _admission_handler(AdmissionEvent.LIMIT_APPROVED),
    EventType.LIMIT_REJECTED: _admission_handler(AdmissionEvent.LIMIT_REJECTED),
    **LOAN_HANDLERS,
}

# Expected refusals: logged without a traceback, the event kept for a later attempt. (An unreadable event,
# `InvalidEventError`, will never read better: it goes to quarantine instead.)
_EXPECTED_ERRORS = (NoAdmissionError, NotYetApplicableError, LoanApplicationError)


class _Outcome(enum.Enum):
    PROCESSED = "processed"  # by this call
    ALREADY = "already"  # before, or concurrently by another attempt
    FAILED = "failed"  # kept unprocessed, with `last_error`
    QUARANTINED = "quarantined"  # its data is unreadable: never processed, listed to operators


# Events wait only for their loan to be known (`loan.applied`) or disbursed (`loan.disbursed`): only those
# two can let a waiting event through, so only they look for waiting events at once (the sweep finds any).
UNBLOCKING_TYPES = frozenset({EventType.LOAN_APPLIED, EventType.LOAN_DISBURSED})


class _Repeated(Exception):
    """The notification's `event_id` is stored already."""


async def _insert(
    notification: Notification, loan_no: str | None, conn: BaseDBAsyncClient | None, **fields: Any
) -> BankEvent:
    try:
        return await BankEvent.create(
            using_db=conn,
            event_id=notification.event_id,
            type=notification.type.value,
            loan_no=loan_no,
            occurred_at=notification.occurred_at,
            payload=dict(notification.body),
            **fields,
        )
    except IntegrityError:
        # `event_id` is the only unique column besides the key: a repeated delivery.
        raise _Repeated from None


async def receive(notification: Notification) -> BankEvent | None:
    """Store a notification and apply it in one transaction; None when its `event_id` is already stored.

    On return the event is committed whatever came of applying it: processed, or unprocessed with
    `attempts` and `last_error` (waiting for its loan or admission, or failed), or quarantined (its data is
    unreadable). Raises only when the event could not be stored (the bank must then retry). When a loan's
    event went through, that loan's waiting events are run again.
    """
    loan_no = loan_no_of(notification.type, notification.body)
    handler = HANDLERS.get(notification.type)
    data = notification.body.get("data")
    try:
        async with in_transaction(db.CONNECTION) as conn:
            event = await _insert(
                notification,
                loan_no,
                conn,
                processed_at=datetime.now(UTC) if handler else None,
                attempts=1 if handler else 0,
            )
            if handler is not None:
                await handler(notification.occurred_at, data if isinstance(data, dict) else {}, conn)
    except _Repeated:
        return None
    except InvalidEventError as exc:
        return await _store_quarantined(notification, loan_no, exc.message)
    except Exception as exc:
        _log_failure(notification.event_id, notification.type.value, exc)
        return await _store_failed(notification, loan_no, _error_text(exc))
    if notification.type in UNBLOCKING_TYPES and loan_no is not None:
        await process_waiting(loan_no)
    return event


async def _store_failed(notification: Notification, loan_no: str | None, error: str) -> BankEvent | None:
    try:
        return await _insert(
            notification, loan_no, None, attempts=1, last_error=error[:LAST_ERROR_MAX_LENGTH]
        )
    except _Repeated:  # delivered again meanwhile, and stored by that delivery
        return None


async def _store_quarantined(
    notification: Notification, loan_no: str | None, reason: str
) -> BankEvent | None:
    try:
        async with in_transaction(db.CONNECTION) as conn:
            event = await _insert(notification, loan_no, conn)
            await quarantine_stored(event, reason)  # a savepoint within this transaction
    except _Repeated:
        return None
    return event


def _error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, _EXPECTED_ERRORS) else f"{type(exc).__name__}: {exc}"


def _log_failure(event_id: str, event_type: str, exc: Exception) -> None:
    if isinstance(exc, NotYetApplicableError):
        logger.info("bank event %s (%s) waits: %s", event_id, event_type, exc)
    elif isinstance(exc, _EXPECTED_ERRORS):
        logger.warning("bank event %s (%s) not processed: %s", event_id, event_type, exc)
    else:  # anything else: keep the event for a later attempt, and say so loudly
        logger.error("bank event %s (%s) failed", event_id, event_type, exc_info=exc)


async def store(notification: Notification) -> BankEvent | None:
    """Insert the event (committed on return); None when its `event_id` is already stored."""
    try:
        return await BankEvent.create(
            event_id=notification.event_id,
            type=notification.type.value,
            loan_no=loan_no_of(notification.type, notification.body),
            occurred_at=notification.occurred_at,
            payload=dict(notification.body),
        )
    except IntegrityError:
        # `event_id` is the only unique column besides the key: a repeated delivery.
        return None


async def process(event: BankEvent) -> bool:
    """Apply a stored event once; True when it is processed now or was before.

    A failure is recorded on the event (`attempts`, `last_error`) and logged, never raised: the event
    stays stored for a later attempt. Processing a loan's event re-runs that loan's waiting events.
    """
    outcome = await _process(event)
    if outcome is _Outcome.PROCESSED:
        loan_no = _loan_no(event)
        if loan_no is not None:
            await process_waiting(loan_no)
    return outcome in (_Outcome.PROCESSED, _Outcome.ALREADY)


async def process_waiting(loan_no: str) -> int:
    """Re-run the stored unprocessed events of one loan in `occurred_at` order; how many now went through.

    Passes repeat while one makes progress: an event may unblock an earlier-dated one (a `loan.overdue`
    that waited for the `loan.disbursed` arriving after it).
    """
    return len(await _process_waiting(loan_no))


async def _process_waiting(loan_no: str) -> list[BankEvent]:
    done: list[BankEvent] = []
    while True:
        progressed = False
        for event in await _waiting_events(loan_no):
            if await _process(event) is _Outcome.PROCESSED:
                done.append(event)
                progressed = True
        if not progressed:
            return done


async def _waiting_events(loan_no: str) -> list[BankEvent]:
    return (
        await BankEvent.filter(loan_no=loan_no, processed_at=None, quarantined_at=None)
        .order_by("occurred_at", "id")
        .limit(WAITING_LIMIT)
    )


def _loan_no(event: BankEvent) -> str | None:
    # events stored before `loan_no` was a column have it only in their payload
    return event.loan_no or loan_no_of(event.type, event.payload)


MAX_RETRIES = 20


async def retry_unprocessed(limit: int = 100) -> int:
    """Process up to `limit` stored unprocessed events that have a handler, oldest first; how many went through.

    For the background worker: events that failed (the database was away, a loan not known yet, an
    admission not opened yet) get another attempt. Events that can never go through stay, with `last_error`.
    """
    return len(await sweep(limit))


async def sweep(limit: int = 100) -> list[BankEvent]:
    """`retry_unprocessed`, answering the events that went through (the waiting events of their loans
    included), so the worker can tell subscribers what they changed."""
    events = (
        # events that failed MAX_RETRIES times stay for an operator, and no longer starve newer ones
        await BankEvent.filter(
            processed_at=None,
            quarantined_at=None,
            type__in=[t.value for t in HANDLERS],
            attempts__lt=MAX_RETRIES,
        )
        .order_by("occurred_at", "id")
        .limit(limit)
    )
    done: list[BankEvent] = []
    for event in events:
        outcome = await _process(event)
        if outcome is _Outcome.PROCESSED:
            done.append(event)
            loan_no = _loan_no(event)
            if loan_no is not None:
                done += await _process_waiting(loan_no)
    return done


async def _process(event: BankEvent) -> _Outcome:
    if event.processed_at is not None:
        return _Outcome.ALREADY
    if event.quarantined_at is not None:
        return _Outcome.QUARANTINED
    handler = HANDLERS.get(EventType(event.type))
    if handler is None:
        return _Outcome.FAILED
    data = event.payload.get("data") if isinstance(event.payload, dict) else None
    try:
        async with in_transaction(db.CONNECTION) as conn:
            # Marking first both claims the event (a concurrent attempt finds nothing to mark and stops)
            # and commits together with what the handler changes.
            marked = (
                await BankEvent.filter(id=event.id, processed_at=None)
                .using_db(conn)
                .update(
                    processed_at=datetime.now(UTC),
                    attempts=F("attempts") + 1,
                    last_error=None,
                    loan_no=_loan_no(event),  # fills it in on events stored before it was a column
                )
            )
            if not marked:
                return _Outcome.ALREADY
            await handler(event.occurred_at, data if isinstance(data, dict) else {}, conn)
    except InvalidEventError as exc:
        try:
            await quarantine_stored(event, exc.message)
        except Exception as failure:  # the database may be away: the event stays for a later attempt
            logger.exception("could not quarantine bank event %s", event.event_id)
            await _record_failure(event, f"{type(failure).__name__}: {failure}")
            return _Outcome.FAILED
        return _Outcome.QUARANTINED
    except Exception as exc:  # kept for a later attempt, with the failure
        _log_failure(event.event_id, event.type, exc)
        await _record_failure(event, _error_text(exc))
        return _Outcome.FAILED
    return _Outcome.PROCESSED


async def affected_supplier(event: BankEvent) -> str | None:
    """The supplier whose live views an event may have changed (for subscriptions), if known."""
    loan_no = _loan_no(event)
    if loan_no is not None:
        return await loan_supplier(loan_no)
    data = event.payload.get("data") if isinstance(event.payload, dict) else None
    credit_code = data.get("credit_code") if isinstance(data, dict) else None
    if not isinstance(credit_code, str):
        return None
    try:
        return (await current_admission_by_credit_code(credit_code.strip())).supplier_code
    except NoAdmissionError:
        return None


async def _record_failure(event: BankEvent, error: str) -> None:
    try:
        await BankEvent.filter(id=event.id, processed_at=None).update(
            attempts=F("attempts") + 1, last_error=error[:LAST_ERROR_MAX_LENGTH]
        )
    except Exception:  # the database may be what failed; the event is stored either way
        logger.exception("could not record the failure of bank event %s", event.event_id)
