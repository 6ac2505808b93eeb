"""A graphql-transport-ws client for tests: connect with a token, subscribe, read `next` frames.

The protocol has no acknowledgement of `subscribe`: the server registers the subscription in a task of its
own, so an event published right after sending `subscribe` can reach nobody. `subscribe` therefore waits
until the server's broker counts one more subscriber (`subscribers`, e.g. `Bff.subscribers`) before it
returns, and so a test may publish at once. It assumes nothing else subscribes or unsubscribes on that
server meanwhile, which holds for tests that subscribe one socket at a time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiohttp

REGISTRATION_TIMEOUT = 10.0


async def subscribe(
    http: aiohttp.ClientSession,
    url: str,
    token: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    subscribers: Callable[[], int] | None,
) -> aiohttp.ClientWebSocketResponse:
    """A websocket subscribed to `query`. Pass `subscribers=None` only for a subscription that sends its
    current state first (that `next` then tells the server holds it) or a server the test cannot see."""
    ws = await http.ws_connect(f"{url}/graphql", protocols=["graphql-transport-ws"])
    await ws.send_str(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    ack = json.loads((await ws.receive(timeout=5)).data)
    assert ack == {"type": "connection_ack"}, ack
    payload = {"query": query, "variables": variables or {}}
    counted = subscribers
    before = 0 if counted is None else counted()
    await ws.send_str(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    if counted is not None:
        await _registered(ws, lambda: counted() > before)
    return ws


async def _registered(ws: aiohttp.ClientWebSocketResponse, done: Callable[[], bool]) -> None:
    """Wait for the server to register the subscription (a condition, polled: the server tells no one)."""
    async with asyncio.timeout(REGISTRATION_TIMEOUT):
        while not done():
            if ws.closed:
                raise AssertionError(f"the server closed the socket ({ws.close_code}) before subscribing")
            await asyncio.sleep(0.005)


async def next_payload(ws: aiohttp.ClientWebSocketResponse, *, extensions: bool = False) -> dict[str, Any]:
    """The next `next` frame's payload, skipping keep-alive pings; its `extensions` only when asked for."""
    while True:
        message = await ws.receive(timeout=10)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame = json.loads(message.data)
        if frame["type"] in ("ping", "pong"):
            continue
        assert frame["type"] == "next", frame
        payload: dict[str, Any] = frame["payload"]
        if not extensions:
            payload.pop("extensions", None)
        return payload
