"""The sandbox bank's notifications to the BFF: signed POSTs to `state.webhook_url`, retried until SUCCESS.

`Notifier.send(type, data)` may be called from any thread: it records the notification in the state
(`state.notifications()`, with every delivery attempt) and starts one delivery task on the sandbox
server's event loop. That loop exists between the app's lifespan startup and shutdown
(`Notifier.running()`); notifications sent before it are delivered once it starts, and a task keeps
retrying (backoff 0.2 s, 0.5 s, 1 s, 2 s, 4 s, then every 5 s) until the webhook answers HTTP 200 with
`{"code": "SUCCESS"}` — it stops only when the server stops or `state.reset()` forgets the notification.
While no webhook URL is set, notifications wait without counting attempts. Each attempt is signed anew
(fresh timestamp and nonce), so a notification retried for longer than the allowed clock skew still
verifies. Like the real bank's, deliveries are independent — under retries they may arrive out of order —
unless sent with `after=<event id>`: such a notification waits until that one was delivered (or forgotten
or dropped), which is how a loan's `loan.applied` always reaches the platform before its decision. While
`state.drop_notifications(True)` is on, notifications are recorded as DROPPED and never delivered
(`bff_sandbox.notification_drops`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiohttp

from bff.signing import signed_headers
from bff_sandbox.data import SHANGHAI
from bff_sandbox.state import DELIVERED, DROPPED, PENDING, DeliveryAttempt, SandboxState, SentNotification

logger = logging.getLogger("bff_sandbox.notifier")

BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0, 5.0)
NO_WEBHOOK_POLL_SECONDS = 0.2
FOLLOW_POLL_SECONDS = 0.05  # how often a notification sent `after` another checks on it
TIMEOUT = aiohttp.ClientTimeout(total=5, connect=2)


def _now() -> datetime:
    return datetime.now(SHANGHAI).replace(microsecond=0)


class Notifier:
    def __init__(
        self,
        state: SandboxState,
        *,
        app_id: str,
        secret: str,
        backoff: Sequence[float] = BACKOFF_SECONDS,
    ) -> None:
        self.state = state
        self.app_id = app_id
        self.secret = secret
        self.backoff = tuple(backoff)
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}  # touched only on the loop's thread

    def send(
        self,
        type: str,
        data: Mapping[str, Any],
        *,
        after: str | None = None,
        occurred_at: datetime | None = None,
    ) -> SentNotification:
        """Record a notification and start delivering it (once `after` is delivered); safe from any thread.

        `occurred_at` defaults to now; the loan servicing passes the sandbox clock's time instead.
        """
        event_id = str(uuid.uuid4())
        occurred_at = occurred_at or _now()
        payload = dict(data)
        body = {"event_id": event_id, "type": type, "occurred_at": occurred_at.isoformat(), "data": payload}
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        notification = SentNotification(event_id, type, occurred_at, payload, raw, after=after)
        if self.state.dropping_notifications:
            # lost for good (the sandbox's switch): recorded, so tests see what the BFF never heard
            notification = replace(notification, status=DROPPED)
            self.state.add_notification(notification)
            return notification
        self.state.add_notification(notification)
        with self._guard:
            loop = self._loop
        if loop is not None:
            with suppress(RuntimeError):  # the loop closed meanwhile: the server is gone
                loop.call_soon_threadsafe(self._start, event_id)
        return notification

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Deliver on the current event loop until the block ends (the sandbox app's lifespan)."""
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            self._session = session
            with self._guard:
                self._loop = asyncio.get_running_loop()
            for pending in self.state.notifications():
                if pending.status not in (DELIVERED, DROPPED):
                    self._start(pending.event_id)
            try:
                yield
            finally:
                with self._guard:
                    self._loop = None
                tasks = list(self._tasks.values())
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with suppress(asyncio.CancelledError):
                        await task
                self._session = None

    def _start(self, event_id: str) -> None:
        with self._guard:
            stopped = self._loop is None
        if not stopped and event_id not in self._tasks and self._session is not None:
            task = asyncio.get_running_loop().create_task(self._deliver(event_id, self._session))
            self._tasks[event_id] = task
            task.add_done_callback(lambda _: self._tasks.pop(event_id, None))

    def _waiting(self, notification: SentNotification) -> bool:
        """Whether the notification it must follow is still undelivered."""
        if notification.after is None:
            return False
        earlier = self.state.notification(notification.after)
        # a dropped one never will be delivered: waiting for it would hold the loan's events for ever
        return earlier is not None and earlier.status not in (DELIVERED, DROPPED)

    def _delay(self, failures: int) -> float:
        return self.backoff[min(failures, len(self.backoff) - 1)]

    async def _deliver(self, event_id: str, session: aiohttp.ClientSession) -> None:
        failures = 0
        while True:
            notification = self.state.notification(event_id)
            if notification is None or notification.status != PENDING:
                return
            url = self.state.webhook_url
            if url is None:
                await asyncio.sleep(NO_WEBHOOK_POLL_SECONDS)
                continue
            if self._waiting(notification):
                await asyncio.sleep(FOLLOW_POLL_SECONDS)
                continue
            attempt = await self._attempt(session, url, notification.body)
            self.state.record_attempt(event_id, attempt, delivered=attempt.error is None)
            if attempt.error is None:
                return
            logger.info("notification %s to %s not delivered: %s", event_id, url, attempt.error)
            await asyncio.sleep(self._delay(failures))
            failures += 1

    async def _attempt(self, session: aiohttp.ClientSession, url: str, body: bytes) -> DeliveryAttempt:
        at = _now()
        headers = {**signed_headers(self.app_id, self.secret, body), "Content-Type": "application/json"}
        try:
            async with session.post(url, data=body, headers=headers) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            return DeliveryAttempt(at, url, None, f"{type(exc).__name__}: {exc}")
        answer: Any = None
        with suppress(ValueError):
            answer = json.loads(text)
        if status == 200 and isinstance(answer, dict) and answer.get("code") == "SUCCESS":
            return DeliveryAttempt(at, url, status, None)
        return DeliveryAttempt(at, url, status, f"answered {status}: {text[:200]}")
