"""`/healthz`, `/readyz` and `/metrics`.

`/readyz` answers within `READY_TIMEOUT` whatever the database does (a silent database makes it 503, not a
hung probe). It is 503 when the database is unreachable or not migrated; Redis only carries live updates
between instances, so Redis down is reported but keeps the instance ready (taking every instance out of
the load balancer for it would turn a degraded service into none).

`/metrics` is open only when `BFF_METRICS_PUBLIC` is set (`bff demo`); otherwise it needs
`Authorization: Bearer $BFF_METRICS_TOKEN`, answers 404 when no token is configured (as if there were no
such page) and 401 for a missing or wrong token.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bff import db
from bff.config import Settings
from bff.context import Services
from bff.store import outbox_backlog

logger = logging.getLogger("bff.app")

READY_TIMEOUT = 1.5  # seconds; probes usually give up after 2

_DATABASE_DOWN: tuple[type[BaseException], ...] = (db.DatabaseError, *db.UNAVAILABLE_ERRORS)

Endpoint = Callable[[Request], Awaitable[Response]]


async def healthz(request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def _database() -> dict[str, object]:
    try:
        await db.ping()
        pending = await db.pending_migrations()
        if pending:
            return {"database": "not migrated", "pendingMigrations": pending, "outboxBacklog": None}
        return {"database": "ok", "outboxBacklog": await outbox_backlog()}
    except _DATABASE_DOWN as exc:
        logger.warning("not ready: %s", exc)
        return {"database": "unreachable", "outboxBacklog": None}


async def _redis(services: Services) -> str:
    if services.settings.redis_url is None:
        return "not configured"
    try:
        await services.broker.ping()
    except Exception as exc:  # whatever the client raises, Redis is not usable now
        logger.warning("Redis unreachable: %s", exc)
        return "unreachable"
    return "ok"


async def _within(seconds: float, check: Awaitable[object], late: object) -> object:
    try:
        async with asyncio.timeout(seconds):
            return await check
    except TimeoutError:
        return late


async def readyz(request: Request) -> Response:
    """Readiness: `{"status", "database", "redis", "outboxBacklog"}` (+ `pendingMigrations` if any)."""
    services: Services = request.app.state.services
    late_database = {"database": "timeout", "outboxBacklog": None}
    database, redis = await asyncio.gather(
        _within(READY_TIMEOUT, _database(), late_database),
        _within(READY_TIMEOUT, _redis(services), "timeout"),
    )
    assert isinstance(database, dict)
    ready = database["database"] == "ok"
    body = {"status": "ok" if ready else "unavailable", **database, "redis": redis}
    return JSONResponse(body, status_code=200 if ready else 503)


def metrics_endpoint(settings: Settings) -> Endpoint:
    expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

    async def metrics(request: Request) -> Response:
        if not settings.metrics_public:
            if expected is None:
                return Response("Not Found", status_code=404, media_type="text/plain")
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return Response(
                    "Unauthorized",
                    status_code=401,
                    media_type="text/plain",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return metrics
