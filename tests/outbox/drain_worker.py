"""A second BFF process delivering the outbox: `python drain_worker.py DB_URL WEBANK_URL APP_ID SECRET`.

Prints `ready` once connected, waits for a line on stdin (so that several workers start together), then
delivers until no message is PENDING and prints `delivered N`: how many this process marked DELIVERED.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bff import db
from bff.domain.statuses import OutboxStatus
from bff.integrations.http import create_session
from bff.integrations.webank import WebankClient
from bff.models import OutboxMessage
from bff.outbox import OutboxDelivery

DEADLINE_SECONDS = 30.0


async def drain(database_url: str, webank_url: str, app_id: str, secret: str) -> int:
    await db.init_db(database_url)
    try:
        async with create_session(connect=2.0, read=5.0, total=10.0) as session:
            delivery = OutboxDelivery(WebankClient(session, webank_url, app_id=app_id, secret=secret), None)
            await db.ping()
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            delivered = 0
            deadline = time.monotonic() + DEADLINE_SECONDS
            while await OutboxMessage.filter(status=OutboxStatus.PENDING).exists():
                if time.monotonic() > deadline:
                    raise SystemExit("messages still pending at the deadline")
                done = await delivery.deliver_due(limit=10)
                delivered += done
                if not done:
                    await asyncio.sleep(0.01)  # the rest is leased by the other worker
            return delivered
    finally:
        await db.close_db()


if __name__ == "__main__":
    print(f"delivered {asyncio.run(drain(*sys.argv[1:5]))}", flush=True)
