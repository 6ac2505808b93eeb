"""A database that accepts connections and then stops answering (a network partition, a stuck server):
readiness says so within 2 s and requests fail in seconds with a clean error instead of hanging.

The BFF reaches PostgreSQL through a TCP proxy started by the test, which forwards until told to go
silent and from then on swallows every byte in both directions without closing anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from app_fixtures import JWT_SECRET, serve, settings_for

from bff.app import create_app
from bff.auth import mint_token
from bff_sandbox import RunningSandbox

pytestmark = pytest.mark.postgres

TIMEOUT = 1.0  # BFF_DATABASE_TIMEOUT for the app under test


class SilenceableProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.silent = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        self.writers += [writer, up_writer]
        for source, target in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, target))
            self.tasks.add(task)

    async def _pump(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            if not self.silent.is_set():  # once silent, bytes are read and dropped: nobody answers
                target.write(data)
                await target.drain()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@contextlib.asynccontextmanager
async def proxied(database_url: str) -> AsyncIterator[tuple[SilenceableProxy, str]]:
    parts = urlsplit(database_url)
    proxy = SilenceableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    port = await proxy.start()
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    try:
        yield proxy, urlunsplit(parts._replace(netloc=netloc))
    finally:
        await proxy.close()


async def test_a_silent_database_makes_readyz_503_fast_and_queries_fail_cleanly(
    postgres_database_url: str, sandbox: RunningSandbox
) -> None:
    async with proxied(postgres_database_url) as (proxy, url):
        settings = settings_for(sandbox, url, database_timeout=TIMEOUT)
        server, task, base = await serve(create_app(settings))
        try:
            async with aiohttp.ClientSession() as http:
                # given: a ready BFF (its pool is connected through the proxy)
                async with http.get(f"{base}/readyz") as ready:
                    assert ready.status == 200, await ready.text()
                # when: the database goes silent
                proxy.silent.set()
                # then: readiness answers 503 within 2 s
                started = time.monotonic()
                async with http.get(f"{base}/readyz") as ready:
                    body = await ready.json()
                assert time.monotonic() - started < 2.0
                assert ready.status == 503
                assert body["status"] == "unavailable"
                assert body["database"] in ("timeout", "unreachable")
                # and a query that needs the database fails in seconds with a clean error
                headers = {"Authorization": f"Bearer {mint_token(JWT_SECRET, 'GD-BOTH')}"}
                query = {"query": "{ viewer { loans(first: 1) { totalCount } } }"}
                started = time.monotonic()
                async with (
                    asyncio.timeout(10),
                    http.post(f"{base}/graphql", json=query, headers=headers) as answer,
                ):
                    status, result = answer.status, await answer.json()
                assert time.monotonic() - started < 3 * TIMEOUT + 1
                assert status == 200
                assert [error["extensions"]["code"] for error in result["errors"]] == ["DATABASE_UNAVAILABLE"]
                assert "Traceback" not in str(result)
        finally:
            server.should_exit = True
            await task
