"""With Redis away, a bank notification is still stored, processed and answered SUCCESS: the live update
is lost (logged), but answering anything else would only make the bank send the event again."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from datetime import UTC, datetime

import aiohttp
import pytest
from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET, serve, settings_for
from factories import create_admission

from bff.app import create_app
from bff.models import Admission, AdmissionStatus, BankEvent
from bff.signing import signed_headers
from bff_sandbox import RunningSandbox

CREDIT_CODE = "91440300MA5G8XXXXX"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_processed_event_is_success_when_redis_is_down(
    db: str, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    # given: an admission waiting for the bank's real-name verification, and a BFF whose Redis is away
    opened = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    admission = await create_admission(
        "GD-BOTH",
        status=AdmissionStatus.REGISTERING,
        agreed_at=opened,
        opened_at=opened,
        credit_code=CREDIT_CODE,
    )
    settings = settings_for(sandbox, db, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    server, task, url = await serve(create_app(settings, manage_database=False))
    body = json.dumps(
        {
            "event_id": uuid.uuid4().hex,
            "type": "realname.verified",
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": {"credit_code": CREDIT_CODE},
        }
    ).encode()
    headers = {**signed_headers(WEBANK_APP_ID, WEBANK_SECRET, body), "Content-Type": "application/json"}
    try:
        caplog.set_level(logging.WARNING, logger="bff.webhooks")
        # when
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{url}/webhooks/webank", data=body, headers=headers) as response:
                answer = (response.status, await response.json())
            async with http.get(f"{url}/readyz") as ready:
                readiness = (ready.status, await ready.json())
    finally:
        server.should_exit = True
        await task
    # then: stored, processed, acknowledged
    assert answer == (200, {"code": "SUCCESS"})
    assert (await Admission.get(id=admission.id)).status is AdmissionStatus.VERIFIED
    assert await BankEvent.all().count() == 1
    assert any("live updates not sent" in record.getMessage() for record in caplog.records)
    # and readiness reports Redis without taking the instance out of service
    assert readiness[0] == 200
    assert readiness[1]["redis"] == "unreachable"
