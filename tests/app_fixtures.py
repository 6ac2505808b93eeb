"""Fixtures for tests that talk to the real sandbox upstreams and to the BFF over real sockets."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import uvicorn
import ws_support
from starlette.applications import Starlette

from bff.app import create_app
from bff.auth import Role, mint_token
from bff.config import Settings, load_settings
from bff.signing import signed_headers
from bff_sandbox import RunningSandbox, start_sandbox

WEBANK_APP_ID = "xinrongbao-test"
WEBANK_SECRET = "test-webank-secret-0123456789abcdef"
JWT_SECRET = "test-jwt-secret-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(port=0, webank_app_id=WEBANK_APP_ID, webank_secret=WEBANK_SECRET)
    yield running
    running.stop()


def settings_for(sandbox: RunningSandbox, database_url: str, **overrides: Any) -> Settings:
    return load_settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        webank_app_id=WEBANK_APP_ID,
        webank_secret=WEBANK_SECRET,
        mall_url=sandbox.mall_url,
        mro_url=sandbox.mro_url,
        webank_url=sandbox.webank_url,
        **overrides,
    )


@dataclass
class Bff:
    """A BFF served by uvicorn on a real socket, and an HTTP client for it."""

    url: str
    http: aiohttp.ClientSession
    sandbox: RunningSandbox
    settings: Settings
    app: Starlette

    def token(self, code: str = "GD-BOTH", role: Role = Role.SUPPLIER) -> str:
        return mint_token(JWT_SECRET, code, role=role)

    async def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_supplier: str | None = "GD-BOTH",
        role: Role = Role.SUPPLIER,
        headers: dict[str, str] | None = None,
        extensions: bool = False,
    ) -> dict[str, Any]:
        """The response body; its `extensions` (the cost every response carries) only when asked for."""
        sent = dict(headers or {})
        if as_supplier is not None and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.token(as_supplier, role)}"
        payload = {"query": query, "variables": variables or {}}
        async with self.http.post(f"{self.url}/graphql", json=payload, headers=sent) as response:
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
        if not extensions:
            body.pop("extensions", None)
        return body

    async def notify(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        event_id: str | None = None,
        occurred_at: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Send a signed WeBank notification to the BFF's webhook, as the bank does."""
        body = json.dumps(
            {
                "event_id": event_id or uuid.uuid4().hex,
                "type": event_type,
                "occurred_at": occurred_at or datetime.now(UTC).isoformat(),
                "data": data,
            }
        ).encode()
        headers = {**signed_headers(WEBANK_APP_ID, WEBANK_SECRET, body), "Content-Type": "application/json"}
        async with self.http.post(f"{self.url}/webhooks/webank", data=body, headers=headers) as response:
            return response.status, await response.json()

    def upstream_calls(self, system: str | None = None) -> list[str]:
        """Calls the sandbox received since the test started, as "system METHOD path"."""
        return [f"{c.system} {c.method} {c.path}" for c in self.sandbox.state.calls(system)]

    def reset_upstream_calls(self) -> None:
        self.sandbox.state.reset_calls()

    def subscribers(self) -> int:
        return subscribers_of(self.app)

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, *, code: str = "GD-BOTH"
    ) -> aiohttp.ClientWebSocketResponse:
        """A websocket subscribed to `query` as supplier `code`, registered by the server (see ws_support)."""
        return await ws_support.subscribe(
            self.http, self.url, self.token(code), query, variables, subscribers=self.subscribers
        )


def subscribers_of(app: Starlette) -> int:
    """Subscriptions registered with a served app's event broker."""
    count: int = app.state.services.broker.subscriber_count()
    return count


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


@pytest.fixture
def bff_overrides() -> dict[str, Any]:
    """Settings of the `bff` fixture beyond the test defaults (production's: no GraphiQL, no introspection,
    no /metrics); a directory's conftest overrides this fixture to change them (tests/browser)."""
    return {}


@pytest.fixture
async def bff(db: str, sandbox: RunningSandbox, bff_overrides: dict[str, Any]) -> AsyncIterator[Bff]:
    settings = settings_for(sandbox, db, outbox_interval=0.05, **bff_overrides)
    app = create_app(settings, manage_database=False)
    server, task, url = await serve(app)
    try:
        async with aiohttp.ClientSession() as http:
            sandbox.state.reset()
            sandbox.set_webhook_url(f"{url}/webhooks/webank")
            yield Bff(url=url, http=http, sandbox=sandbox, settings=settings, app=app)
    finally:
        sandbox.set_webhook_url(None)
        server.should_exit = True
        await task
