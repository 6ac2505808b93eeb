"""Two BFF processes on one PostgreSQL and one Redis: a bank notification received by one process reaches
a `loanStatusChanged` subscriber connected to the other."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import ws_support
from app_fixtures import JWT_SECRET, WEBANK_APP_ID, WEBANK_SECRET, serve, settings_for, subscribers_of
from factories import create_admission
from serve_process import serve_process
from ws_support import next_payload

from bff.app import create_app
from bff.auth import mint_token
from bff.models import AdmissionStatus
from bff.signing import signed_headers
from bff_sandbox import RunningSandbox

pytestmark = pytest.mark.redis
SUBSCRIPTION = "subscription { loanStatusChanged { loanNo status } }"


@pytest.fixture
def other_process(
    db: str,
    sandbox: RunningSandbox,
    redis_url: str,
    redis_channel_prefix: str,
    tmp_path: Path,
) -> Iterator[str]:
    """`bff serve` in a process of its own, on the same database and Redis."""
    with serve_process(
        sandbox, db, tmp_path, redis_url=redis_url, redis_channel_prefix=redis_channel_prefix
    ) as served:
        yield served.url


async def wait_ready(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(150):
        try:
            async with http.get(f"{url}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never became ready")


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_notification_on_one_process_reaches_a_subscriber_on_another(
    db: str,
    sandbox: RunningSandbox,
    redis_url: str,
    redis_channel_prefix: str,
    other_process: str,
) -> None:
    # given: an approved supplier, a subscriber on this process
    sandbox.state.reset()
    now = datetime.now(UTC)
    credit_code = next(s.credit_code for s in sandbox.state.seed.suppliers if s.code == "GD-BOTH")
    await create_admission(
        "GD-BOTH", status=AdmissionStatus.APPROVED, opened_at=now, credit_code=credit_code, is_current=True
    )
    app = create_app(
        settings_for(sandbox, db, redis_url=redis_url, redis_channel_prefix=redis_channel_prefix),
        manage_database=False,
    )
    server, task, url = await serve(app)
    try:
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, other_process)
            ws = await ws_support.subscribe(
                http,
                url,
                mint_token(JWT_SECRET, "GD-BOTH"),
                SUBSCRIPTION,
                subscribers=lambda: subscribers_of(app),
            )
            # when: WeBank's notification lands on the other process
            body = json.dumps(
                {
                    "event_id": uuid.uuid4().hex,
                    "type": "loan.applied",
                    "occurred_at": now.isoformat(),
                    "data": {
                        "credit_code": credit_code,
                        "loan_no": "WBL-XP",
                        "kind": "CREDIT",
                        "amount": "1000.00",
                        "order_nos": [],
                        "batch_no": None,
                    },
                }
            ).encode()
            headers = {
                **signed_headers(WEBANK_APP_ID, WEBANK_SECRET, body),
                "Content-Type": "application/json",
            }
            async with http.post(f"{other_process}/webhooks/webank", data=body, headers=headers) as response:
                assert response.status == 200
            # then
            assert await next_payload(ws) == {
                "data": {"loanStatusChanged": {"loanNo": "WBL-XP", "status": "PROCESSING"}}
            }
            await ws.close()
    finally:
        server.should_exit = True
        await task
