"""A graphql-transport-ws client for tests: connect with a token, subscribe, read `next` frames."""

from __future__ import annotations

import json
from typing import Any

import aiohttp


async def subscribe(
    http: aiohttp.ClientSession, url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(f"{url}/graphql", protocols=["graphql-transport-ws"])
    await ws.send_str(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    ack = json.loads((await ws.receive(timeout=5)).data)
    assert ack == {"type": "connection_ack"}, ack
    payload = {"query": query, "variables": variables or {}}
    await ws.send_str(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def next_payload(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The next `next` frame's payload, skipping keep-alive pings."""
    while True:
        message = await ws.receive(timeout=10)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame = json.loads(message.data)
        if frame["type"] in ("ping", "pong"):
            continue
        assert frame["type"] == "next", frame
        payload: dict[str, Any] = frame["payload"]
        return payload
