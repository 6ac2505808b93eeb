"""Stopping `bff serve` (SIGTERM, as a deployment rolls): live subscriptions are closed with 1012 (service
restart), so clients reconnect to another instance, and the lifespan shutdown runs to its end."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

import aiohttp
import ws_support
from app_fixtures import JWT_SECRET
from serve_process import serve_process
from ws_support import next_payload

from bff.auth import mint_token
from bff_sandbox import RunningSandbox

SUBSCRIPTION = "subscription { admissionChanged { status } }"


async def test_sigterm_closes_subscriptions_with_service_restart_and_exits_cleanly(
    sandbox: RunningSandbox, sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "shutdown.sqlite3"
    shutil.copyfile(sqlite_template, database)
    with serve_process(sandbox, f"sqlite://{database}", tmp_path) as served:
        async with aiohttp.ClientSession() as http:
            # given: a live subscription (its first `next` says the server holds it)
            ws = await ws_support.subscribe(
                http, served.url, mint_token(JWT_SECRET, "GD-BOTH"), SUBSCRIPTION, subscribers=None
            )
            assert await next_payload(ws) == {"data": {"admissionChanged": None}}

            # when
            served.process.send_signal(signal.SIGTERM)

            # then
            closing = await ws.receive(timeout=10)
            assert closing.type is aiohttp.WSMsgType.CLOSE, closing
            assert ws.close_code == 1012
            # uvicorn re-raises the signal once its shutdown is done, so a supervisor sees how it ended
            assert await asyncio.to_thread(served.process.wait, 15) == -signal.SIGTERM
            assert "Application shutdown complete" in served.log.read_text()
