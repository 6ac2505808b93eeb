"""Background delivery: the worker loop, and several BFF processes sharing one PostgreSQL outbox."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET
from outbox_support import CallLog, enqueue_push, opened

from bff import db as bff_db
from bff.domain.statuses import OutboxStatus
from bff.integrations.webank import WebankClient
from bff.models import OutboxMessage
from bff.outbox import OutboxDelivery
from bff_sandbox import RunningSandbox

WORKER = Path(__file__).with_name("drain_worker.py")
WORKERS = 2
MESSAGES = 60


async def eventually(condition: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(250):  # 5 s
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition did not become true within 5 s")


async def test_run_delivers_in_the_background_and_outlives_a_database_outage(
    db: str, webank: WebankClient, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    _, message = await opened(sandbox)
    await bff_db.close_db()  # the database is away when the worker starts
    stop = asyncio.Event()
    worker = asyncio.create_task(OutboxDelivery(webank, None).run(stop, interval=0.02))
    try:

        async def pass_failed() -> bool:
            return any(r.name == "bff.outbox" and r.levelno == logging.ERROR for r in caplog.records)

        await eventually(pass_failed)
        await bff_db.init_db(db)  # back

        async def delivered() -> bool:
            return (await OutboxMessage.get(id=message.id)).status is OutboxStatus.DELIVERED

        await eventually(delivered)
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=2)
    assert [p.request_id for p in sandbox.state.supplier_pushes()][-1] == message.request_id


@pytest.fixture
async def shared_postgres(postgres_database_url: str) -> AsyncIterator[str]:
    """The session's PostgreSQL database with an empty outbox, for this process and the workers."""
    await bff_db.init_db(postgres_database_url)
    await OutboxMessage.all().delete()
    try:
        yield postgres_database_url
    finally:
        await OutboxMessage.all().delete()
        await bff_db.close_db()


@pytest.mark.postgres
async def test_two_processes_never_deliver_a_message_twice(
    shared_postgres: str, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    messages = [await enqueue_push(sandbox) for _ in range(MESSAGES)]
    command = [str(WORKER), shared_postgres, sandbox.webank_url, WEBANK_APP_ID, WEBANK_SECRET]
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:  # both connected; then both start at once
            assert worker.stdout is not None
            assert await asyncio.wait_for(worker.stdout.readline(), timeout=20) == b"ready\n"
        results = await asyncio.wait_for(
            asyncio.gather(*(worker.communicate(b"go\n") for worker in workers)), timeout=30
        )
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()

    delivered_by = []
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err.decode()
        delivered_by.append(int(out.decode().split()[-1]))
    # How the work splits is up to the scheduler (on a busy machine one worker may drain all 60 before the
    # other runs); what must hold is that together they delivered each message exactly once.
    assert sum(delivered_by) == MESSAGES, delivered_by
    stored = await OutboxMessage.filter(id__in=[m.id for m in messages])
    assert {m.status for m in stored} == {OutboxStatus.DELIVERED}
    ours = {m.request_id for m in messages}
    pushed = [p.request_id for p in sandbox.state.supplier_pushes() if p.request_id in ours]
    assert sorted(pushed) == sorted(ours)
    assert len(calls.posts()) == MESSAGES  # not one request was sent twice
