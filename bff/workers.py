"""Process-wide background work: delivering the outbox, and telling subscribers what the deliveries changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bff import notifications
from bff.events import Broker, admission_topic
from bff.integrations.webank import WebankClient
from bff.models import Admission, OutboxMessage
from bff.notifications.pushes import PUSH_RESULT_HANDLERS
from bff.outbox import OutboxDelivery, ResultHandler

logger = logging.getLogger("bff.workers")


class ChangedAggregates:
    """Collects the suppliers whose admission a delivery changed, to publish once the transaction is over."""

    def __init__(self) -> None:
        self._codes: set[str] = set()

    def wrap(self, handler: ResultHandler) -> ResultHandler:
        async def handle(
            message: OutboxMessage, response: dict[str, Any], connection: BaseDBAsyncClient
        ) -> None:
            await handler(message, response, connection)
            admission = await Admission.filter(id=int(message.aggregate_id)).using_db(connection).first()
            if admission is not None:
                self._codes.add(admission.supplier_code)

        return handle

    async def publish(self, broker: Broker) -> None:
        codes, self._codes = self._codes, set()
        for code in codes:
            await broker.publish(admission_topic(code), {"kind": "admission"})


def build_outbox(webank: WebankClient, changed: ChangedAggregates) -> OutboxDelivery:
    handlers: Mapping[str, ResultHandler] = {
        kind: changed.wrap(h) for kind, h in PUSH_RESULT_HANDLERS.items()
    }
    return OutboxDelivery(webank, handlers)


EVENT_RETRY_SECONDS = 30.0


async def run_outbox(
    delivery: OutboxDelivery, changed: ChangedAggregates, broker: Broker, stop: asyncio.Event, interval: float
) -> None:
    """Deliver due messages until `stop`, and now and then retry bank events whose processing failed.

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
                await notifications.retry_unprocessed(limit=50)
        except Exception:
            logger.exception("background pass failed; retrying in %.1f s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
