"""The HTTP surface over a real socket: health, readiness, metrics, GraphiQL, websocket authentication."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from app_fixtures import JWT_SECRET, Bff, serve, settings_for

from bff import migrations
from bff.app import create_app
from bff.auth import mint_token
from bff.domain.statuses import OutboxStatus
from bff.models import OutboxMessage
from bff_sandbox import RunningSandbox

ALL_MIGRATIONS = sorted(
    f"models.{path.stem}" for path in (Path(migrations.__file__).parent).glob("[0-9]*.py")
)


READY = {"status": "ok", "database": "ok", "redis": "not configured", "outboxBacklog": 0}


async def test_healthz_and_readyz(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/healthz") as health:
        assert (health.status, await health.json()) == (200, {"status": "ok"})
    async with bff.http.get(f"{bff.url}/readyz") as ready:
        assert (ready.status, await ready.json()) == (200, READY)


async def test_readyz_counts_the_outbox_messages_waiting_for_the_bank(bff: Bff) -> None:
    # given: two pushes not delivered yet (one already delivered does not count)
    for number, status in enumerate((OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.DELIVERED)):
        await OutboxMessage.create(
            request_id=f"req-{number}",
            kind="supplier",
            payload={},
            status=status,
            next_attempt_at=datetime.now(UTC) + timedelta(hours=1),
            aggregate_type="admission",
            aggregate_id=str(number),
        )
    # then
    async with bff.http.get(f"{bff.url}/readyz") as ready:
        assert (ready.status, await ready.json()) == (200, {**READY, "outboxBacklog": 2})


async def test_metrics_with_the_configured_token(db: str, sandbox: RunningSandbox) -> None:
    token = "metrics-token-0123456789abcdef"
    server, task, url = await serve(
        create_app(settings_for(sandbox, db, metrics_token=token), manage_database=False)
    )
    try:
        async with aiohttp.ClientSession() as http:
            viewer = {"Authorization": f"Bearer {mint_token(JWT_SECRET, 'GD-BOTH')}"}
            async with http.post(
                f"{url}/graphql", json={"query": "{ viewer { name } }"}, headers=viewer
            ) as answer:
                assert answer.status == 200
            async with http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}) as metrics:
                text = await metrics.text()
                assert metrics.status == 200
                assert 'bff_upstream_requests_total{outcome="200",system="mall"}' in text
            for wrong in ({}, {"Authorization": "Bearer nope"}, {"Authorization": token}):
                async with http.get(f"{url}/metrics", headers=wrong) as refused:
                    assert refused.status == 401
                    assert "bff_" not in await refused.text()
    finally:
        server.should_exit = True
        await task


async def test_metrics_are_not_served_without_a_token_configured(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/metrics") as metrics:
        assert metrics.status == 404


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
        assert body == {
            "status": "unavailable",
            "database": "not migrated",
            "pendingMigrations": ALL_MIGRATIONS,
            "outboxBacklog": None,
            "redis": "not configured",
        }
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize("bff_overrides", [{"graphiql": True}])
async def test_graphiql_is_served_on_get_when_turned_on(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/graphql", headers={"Accept": "text/html"}) as page:
        assert page.status == 200
        assert "graphiql" in (await page.text()).lower()


async def test_graphiql_is_not_served_by_default(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/graphql", headers={"Accept": "text/html"}) as page:
        assert page.status == 404
        assert (await page.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"


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
