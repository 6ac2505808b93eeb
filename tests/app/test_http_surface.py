"""The HTTP surface over a real socket: health, readiness, metrics, GraphiQL, websocket authentication."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
from app_fixtures import Bff, serve, settings_for

from bff import migrations
from bff.app import create_app
from bff_sandbox import RunningSandbox

ALL_MIGRATIONS = sorted(
    f"models.{path.stem}" for path in (Path(migrations.__file__).parent).glob("[0-9]*.py")
)


async def test_healthz_readyz_and_metrics(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/healthz") as health:
        assert (health.status, await health.json()) == (200, {"status": "ok"})
    async with bff.http.get(f"{bff.url}/readyz") as ready:
        assert (ready.status, await ready.json()) == (200, {"status": "ok"})
    await bff.query("{ viewer { name } }")
    async with bff.http.get(f"{bff.url}/metrics") as metrics:
        text = await metrics.text()
        assert metrics.status == 200
        assert 'bff_upstream_requests_total{outcome="200",system="mall"}' in text


async def test_readyz_names_pending_migrations_on_an_unmigrated_database(
    empty_db_url: str, sandbox: RunningSandbox
) -> None:
    # given: an app on a database nobody migrated
    server, task, url = await serve(create_app(settings_for(sandbox, empty_db_url)))
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as ready:
            body = await ready.json()
        # then
        assert ready.status == 503
        assert body == {"status": "unavailable", "pendingMigrations": ALL_MIGRATIONS}
    finally:
        server.should_exit = True
        await task


async def test_graphiql_is_served_on_get(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/graphql", headers={"Accept": "text/html"}) as page:
        assert page.status == 200
        assert "graphiql" in (await page.text()).lower()


async def _connection_init(bff: Bff, payload: dict[str, str]) -> aiohttp.WSMessage:
    async with bff.http.ws_connect(f"{bff.url}/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_str(json.dumps({"type": "connection_init", "payload": payload}))
        return await ws.receive(timeout=5)


async def test_websocket_accepts_a_valid_token_in_connection_init(bff: Bff) -> None:
    message = await _connection_init(bff, {"Authorization": f"Bearer {bff.token()}"})
    assert message.type == aiohttp.WSMsgType.TEXT
    assert json.loads(message.data) == {"type": "connection_ack"}


async def test_websocket_refuses_a_missing_or_bad_token(bff: Bff) -> None:
    for payload in ({}, {"Authorization": "Bearer nonsense"}):
        message = await _connection_init(bff, payload)
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert message.data == 4403


async def test_the_legacy_graphql_ws_protocol_is_not_offered(bff: Bff) -> None:
    async with bff.http.ws_connect(f"{bff.url}/graphql", protocols=["graphql-ws"]) as ws:
        message = await ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
