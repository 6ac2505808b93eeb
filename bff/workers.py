"""Process-wide background work: delivering the outbox, and telling subscribers what the deliveries changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from bff import notifications
from bff.clock import business_today
from bff.domain.bank_pushes import PushResult
from bff.due_soon import remind_due_soon
from bff.events import Broker, Change, tell
from bff.integrations.webank import WebankClient
from bff.messaging import MessageDelivery
from bff.models import Admission, FinancingApplication, OutboxMessage
from bff.outbox import (
    FailureHandler,
    OutboxDelivery,
    OutboxPolicy,
    ResultHandler,
    apply_failure,
    apply_result,
)
from bff.reconcile import reconcile_all
from bff.store import ADMISSION_AGGREGATE, APPLICATION_AGGREGATE, expire_applications

logger = logging.getLogger("bff.workers")


class ChangedAggregates:
    """Collects what deliveries changed, to tell subscribers once the delivering transaction is over."""

    def __init__(self) -> None:
        self._changes: list[Change] = []

    def wrap(self, handler: ResultHandler) -> ResultHandler:
        async def handle(message: OutboxMessage, result: PushResult, connection: BaseDBAsyncClient) -> None:
            await handler(message, result, connection)
            change = await _change_of(message, connection)
            if change is not None:
                self._changes.append(change)

        return handle

    def wrap_failure(self, handler: FailureHandler) -> FailureHandler:
        # A failure changes what the graph shows (`pushError`, a FAILED application): tell subscribers too.
        async def handle(message: OutboxMessage, connection: BaseDBAsyncClient) -> None:
            await handler(message, connection)
            change = await _change_of(message, connection)
            if change is not None:
                self._changes.append(change)

        return handle

    async def publish(self, broker: Broker) -> None:
        changes, self._changes = self._changes, []
        await tell(broker, changes)


async def _change_of(message: OutboxMessage, connection: BaseDBAsyncClient) -> Change | None:
    """The change of the admission or application the message belongs to, for its supplier."""
    aggregate_id = int(message.aggregate_id)
    if message.aggregate_type == ADMISSION_AGGREGATE:
        admission = await Admission.filter(id=aggregate_id).using_db(connection).first()
        return None if admission is None else Change.admission(admission.supplier_code)
    if message.aggregate_type == APPLICATION_AGGREGATE:
        application = await FinancingApplication.filter(id=aggregate_id).using_db(connection).first()
        return None if application is None else Change.application(application.supplier_code, application.id)
    return None


async def sweep_events(broker: Broker, limit: int = 50) -> int:
    """Retry the stored bank events that could not be applied yet, and tell subscribers what went through."""
    processed = await notifications.sweep(limit)
    changes: list[Change] = []
    for event in processed:
        changes += await notifications.changes_of_event(event)
    await tell(broker, changes)
    return len(processed)


def build_outbox(
    webank: WebankClient,
    changed: ChangedAggregates,
    policy: OutboxPolicy = OutboxPolicy(),  # noqa: B008 - frozen, so one shared default is harmless
) -> OutboxDelivery:
    return OutboxDelivery(
        webank, changed.wrap(apply_result), policy, on_failed=changed.wrap_failure(apply_failure)
    )


EVENT_RETRY_SECONDS = 30.0


async def run_outbox(
    delivery: OutboxDelivery, changed: ChangedAggregates, broker: Broker, stop: asyncio.Event, interval: float
) -> None:
    """Deliver due messages until `stop`; now and then retry bank events whose processing failed and expire
    order-financing applications WeBank never turned into a loan.

    Survives database and upstream blips (they are logged).
    """
    loop = asyncio.get_running_loop()
    next_event_retry = loop.time() + EVENT_RETRY_SECONDS
    while not stop.is_set():
        try:
            await delivery.deliver_due()
            await changed.publish(broker)
            if loop.time() >= next_event_retry:
                next_event_retry = loop.time() + EVENT_RETRY_SECONDS
                await sweep_events(broker)
                await expire_applications(datetime.now(UTC))
        except Exception:
            logger.exception("background pass failed; retrying in %.1f s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def reconcile_once(webank: WebankClient, broker: Broker | None) -> int:
    """Reconcile every admitted supplier with WeBank; how many repairs were applied."""
    return sum(len(run.repairs) for run in await reconcile_all(webank, broker=broker))


async def run_reconciler(
    webank: WebankClient,
    broker: Broker,
    stop: asyncio.Event,
    interval: float,
    *,
    first_delay: float | None = None,
) -> None:
    """Reconcile every `interval` seconds until `stop` (the first pass after `first_delay`, default one
    interval: a starting fleet does not all ask the bank at once). A failed pass is logged and retried
    at the next interval."""
    delay = interval if first_delay is None else first_delay
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        if stop.is_set():
            return
        delay = interval
        try:
            repaired = await reconcile_once(webank, broker)
            logger.info("reconciliation with WeBank: %d repair(s)", repaired)
        except Exception:
            logger.exception("reconciliation pass failed; next in %.0f s", interval)


async def run_due_soon(webank: WebankClient, broker: Broker, stop: asyncio.Event, interval: float) -> None:
    """The DUE_SOON job every `interval` seconds until `stop`, the first pass one interval after start (as
    the reconciler: a starting fleet does not all ask the bank at once; a pass is idempotent, and one
    missed on a reminder day reminds on the next). A failed pass is logged and retried at the next interval."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            await remind_due_soon(webank, broker, business_today())
        except Exception:
            logger.exception("due-date reminder pass failed; next in %.0f s", interval)


async def run_messages(delivery: MessageDelivery, stop: asyncio.Event, interval: float) -> None:
    """Send due notice messages (SMS, e-mail) every `interval` seconds until `stop`; a failed pass is logged."""
    while not stop.is_set():
        try:
            await delivery.deliver_due()
        except Exception:
            logger.exception("message delivery pass failed; retrying in %.1f s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
