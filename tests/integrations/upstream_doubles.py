"""Helpers for the adapter tests: one aiohttp session per test, and a tiny upstream that answers on cue.

The clients are always pointed at real sockets: the sandbox (`sandbox` fixture) for the protocol, and
`CannedUpstream` for what the sandbox never does (hang, hang up, talk garbage, answer a broken body).
The fixtures are registered by this directory's `conftest.py`; tests import the helpers from here.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bff.integrations.http import create_session


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    session = create_session(connect=1, read=2, total=5)
    try:
        yield session
    finally:
        await session.close()


def closed_port_url() -> str:
    """A URL on a port that was just free and is now closed: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class CannedUpstream:
    """Answers every request with the same canned HTTP response (or misbehaves as told)."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"{}"
        self.content_type = "application/json"
        self.delay = 0.0
        self.raw: bytes | None = None  # sent verbatim instead of a response; b"" hangs up at once
        self.requests: list[str] = []  # request lines, e.g. "GET /api/orders?ids=1 HTTP/1.1"
        self.bodies: list[bytes] = []  # the request bodies, as received
        self.url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def answer(self, body: bytes | str, *, status: int = 200, content_type: str = "application/json") -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            self.requests.append(lines[0])
            length = next(
                (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")),
                0,
            )
            self.bodies.append(await reader.readexactly(length) if length else b"")
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.raw is not None:
                writer.write(self.raw)
            else:
                reason = "OK" if self.status == 200 else "Canned"
                writer.write(
                    f"HTTP/1.1 {self.status} {reason}\r\nContent-Type: {self.content_type}\r\n"
                    f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n".encode()
                    + self.body
                )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)


@pytest.fixture
async def canned() -> AsyncIterator[CannedUpstream]:
    upstream = CannedUpstream()
    await upstream.start()
    try:
        yield upstream
    finally:
        await upstream.stop()
