"""Publish/subscribe by topic; one broker per process, chosen by whether `BFF_REDIS_URL` is set."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as redis

from bff.events.shared import Told

logger = logging.getLogger("bff.events")

Event = dict[str, Any]
QUEUE_LIMIT = 100
DEFAULT_CHANNEL_PREFIX = "bff:"
# Told to every local subscriber after the Redis listener reconnected: changes may have been missed.
RESYNC: Event = {"kind": "resync"}
CONNECT_TIMEOUT = 2.0


def admission_topic(supplier_code: str) -> str:
    return f"admission:{supplier_code}"


def application_topic(supplier_code: str) -> str:
    return f"application:{supplier_code}"


def loan_topic(supplier_code: str) -> str:
    return f"loan:{supplier_code}"


def notice_topic(supplier_code: str) -> str:
    return f"notice:{supplier_code}"


class Broker(Protocol):
    async def publish(self, topic: str, event: Event) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]: ...

    def subscriber_count(self) -> int:
        """Subscribers registered in this process: a subscription receives events once it counts here."""
        ...

    async def ping(self) -> None:
        """Raise if events cannot reach other processes now (readiness reports it)."""
        ...

    async def close(self) -> None: ...


class _Fanout:
    """Local subscribers of each topic, each with a bounded queue (a slow one drops, never blocks)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    def deliver(self, topic: str, event: Event) -> None:
        subscribers = self._queues.get(topic)
        if not subscribers:
            return
        told = Told(event)  # one object for all: they share what they read for it (`bff.events.shared`)
        for queue in list(subscribers):
            try:
                queue.put_nowait(told)
            except asyncio.QueueFull:
                logger.warning("dropping an event for a slow subscriber of %s", topic)

    def deliver_all(self, event: Event) -> None:
        for topic in list(self._queues):
            self.deliver(topic, event)

    def add(self, topic: str) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._queues[topic].add(queue)
        return queue

    def remove(self, topic: str, queue: asyncio.Queue[Event]) -> bool:
        """Forget a subscriber; True when it was the topic's last one."""
        subscribers = self._queues.get(topic)
        if subscribers is None:
            return True
        subscribers.discard(queue)
        if not subscribers:
            del self._queues[topic]
            return True
        return False

    def count(self) -> int:
        return sum(len(subscribers) for subscribers in self._queues.values())


async def _drain(queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
    while True:
        yield await queue.get()


class InProcessBroker:
    """The embedded default: events reach subscribers of this process only."""

    def __init__(self) -> None:
        self._fanout = _Fanout()

    async def publish(self, topic: str, event: Event) -> None:
        self._fanout.deliver(topic, event)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Event]]:
        queue = self._fanout.add(topic)
        try:
            yield _drain(queue)
        finally:
            self._fanout.remove(topic, queue)

    def subscriber_count(self) -> int:
        return self._fanout.count()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBroker:
    """Events published by any process reach subscribers in every process, through Redis pub/sub.

    One Redis connection per process listens (pattern `<prefix>*`), and fans out locally, so a thousand
    websocket subscribers cost one Redis subscription, not a thousand. Pub/sub channels ignore Redis's
    database number, so deployments sharing one Redis (staging beside production, test runs side by side)
    keep apart only by the channel prefix.
    """

    def __init__(self, url: str, channel_prefix: str = DEFAULT_CHANNEL_PREFIX) -> None:
        # A connect timeout, so that publishing to a Redis host that dropped off the network fails in seconds
        # (no read timeout: the listener's pub/sub connection is idle by design).
        # Named after the prefix, so an operator's `CLIENT LIST` tells which deployment a connection serves.
        self._redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            health_check_interval=30,
            socket_connect_timeout=CONNECT_TIMEOUT,
            client_name="bff-events-" + re.sub(r"[^A-Za-z0-9_.:-]", "_", channel_prefix),
        )
        self._prefix = channel_prefix
        self._fanout = _Fanout()
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, topic: str, event: Event) -> None:
        await self._redis.publish(self._prefix + topic, json.dumps(event, ensure_ascii=False))

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Event]]:
        self._ensure_listening()
        await self._ready.wait()
        queue = self._fanout.add(topic)
        try:
            yield _drain(queue)
        finally:
            self._fanout.remove(topic, queue)

    def subscriber_count(self) -> int:
        return self._fanout.count()

    async def ping(self) -> None:
        await self._redis.ping()

    def _ensure_listening(self) -> None:
        if self._listener is None or self._listener.done():
            self._ready.clear()
            self._listener = asyncio.create_task(self._listen(), name="bff-redis-events")

    async def _listen(self) -> None:
        connected_before = False
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self._prefix + "*")
                    async for message in pubsub.listen():
                        # Ready only once Redis confirms the pattern: sending PSUBSCRIBE is not having it,
                        # and an event published in between would reach nobody.
                        if message.get("type") == "psubscribe":
                            self._ready.set()
                            if connected_before:
                                # Whatever was published while the connection was down reached no one:
                                # every subscription reloads its current state.
                                self._fanout.deliver_all(RESYNC)
                            connected_before = True
                        self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                logger.warning("Redis event listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = str(message.get("channel", ""))
        if message.get("type") != "pmessage" or not channel.startswith(self._prefix):
            return
        try:
            event = json.loads(message["data"])
        except (TypeError, ValueError):
            logger.warning("ignoring a malformed event on %s", channel)
            return
        if isinstance(event, dict):
            self._fanout.deliver(channel.removeprefix(self._prefix), event)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()
