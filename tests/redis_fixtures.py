"""The test Redis (`BFF_TEST_REDIS_URL`): `redis_url` skips (fails with CI=true) when none answers, and
`redis_channel_prefix` keeps a test's channels and keys its own (pub/sub ignores the database number, and
suites may run side by side on one Redis)."""

from __future__ import annotations

import os
import uuid

import pytest
import redis.asyncio as redis

REDIS_URL = os.environ.get("BFF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_channel_prefix() -> str:
    return f"bff-test-{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (redis.RedisError, OSError) as exc:
        reason = f"Redis not reachable at {REDIS_URL} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the Redis tests must run", pytrace=False)
        pytest.skip(reason)
    finally:
        await client.aclose()
    return REDIS_URL
