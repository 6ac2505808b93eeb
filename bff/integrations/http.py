"""The one place aiohttp errors become `UpstreamError`s, and the one shared session's timeouts."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.metrics import UPSTREAM_REQUESTS, UPSTREAM_SECONDS

JsonObject = dict[str, Any]


def create_session(*, connect: float, read: float, total: float) -> aiohttp.ClientSession:
    """One session per process (created in the app lifespan); aiohttp's default is 300 s with no limits."""
    timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_connect=connect, sock_read=read)
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=50, ttl_dns_cache=300)
    return aiohttp.ClientSession(timeout=timeout, connector=connector, raise_for_status=False)


async def request_json(
    session: aiohttp.ClientSession,
    system: str,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, JsonObject]:
    """Send one request and return (status, JSON object); transport failures and 5xx raise."""
    started = time.perf_counter()
    try:
        async with session.request(method, url, params=params, data=data, headers=headers) as response:
            body = await response.read()
            status = response.status
    except TimeoutError as exc:
        UPSTREAM_REQUESTS.labels(system, "timeout").inc()
        raise UpstreamUnavailableError(system, "timed out") from exc
    except aiohttp.ClientError as exc:
        UPSTREAM_REQUESTS.labels(system, "unreachable").inc()
        raise UpstreamUnavailableError(system, f"unreachable ({type(exc).__name__})") from exc
    UPSTREAM_SECONDS.labels(system).observe(time.perf_counter() - started)
    UPSTREAM_REQUESTS.labels(system, str(status)).inc()
    if status >= 500:
        raise UpstreamUnavailableError(system, f"answered HTTP {status}")
    try:
        payload = json.loads(body) if body else {}
    except ValueError as exc:
        raise UpstreamResponseError(
            system, f"answered HTTP {status} with a body that is not JSON", status=status
        ) from exc
    if not isinstance(payload, dict):
        raise UpstreamResponseError(system, "answered with JSON that is not an object", status=status)
    return status, payload


def expect(condition: bool, system: str, what: str) -> None:
    if not condition:
        raise UpstreamResponseError(system, f"unexpected response: {what}")


class parsing:
    """Turn a missing key or a malformed value in an upstream body into one `UpstreamResponseError`."""

    def __init__(self, system: str) -> None:
        self.system = system

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        # ArithmeticError: `decimal.InvalidOperation` ("abc" as a rate) and overflows are no ValueError.
        if isinstance(exc, KeyError | TypeError | ValueError | AttributeError | ArithmeticError):
            problem = f"unreadable record ({type(exc).__name__}: {exc})"
            raise UpstreamResponseError(self.system, problem) from exc


def parse_iso_datetime(value: str) -> datetime:
    """ISO-8601 with an offset; a naive time from an upstream is a protocol error, never guessed."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return parsed


def from_epoch_millis(value: int) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not epoch milliseconds: {value!r}")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError) as exc:  # far outside datetime's range (OSError: EOVERFLOW)
        raise ValueError(f"epoch milliseconds out of range: {value!r}") from exc
