"""Token-bucket cost budgets: in-process with an injected clock, and in Redis shared between instances."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from bff.throttle import InProcessBudget, RedisBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_bucket_takes_until_spent_then_says_when_to_retry() -> None:
    clock = Clock()
    budget = InProcessBudget(100, 10, clock=clock)
    first = await budget.take("supplier:A", 60)
    second = await budget.take("supplier:A", 60)
    assert (first.allowed, first.available) == (True, 40)
    # all or nothing: the refused take leaves the 40 points
    assert (second.allowed, second.available, second.retry_after) == (False, 40, 2.0)
    assert (await budget.take("supplier:B", 60)).allowed  # another supplier's budget is its own


async def test_a_spent_bucket_is_restored_over_time_up_to_its_capacity() -> None:
    clock = Clock()
    budget = InProcessBudget(100, 10, clock=clock)
    await budget.take("k", 100)
    clock.now += 2.5
    assert (await budget.take("k", 0)).available == 25
    clock.now += 1000
    status = await budget.take("k", 0)
    assert (status.available, status.capacity, status.restore_rate) == (100, 100, 10)


async def test_a_read_takes_nothing() -> None:
    budget = InProcessBudget(100, 10, clock=Clock())
    assert (await budget.take("k", 0)).allowed
    assert (await budget.take("k", 0)).available == 100


@pytest.fixture
async def two_instances(redis_url: str) -> AsyncIterator[tuple[RedisBudget, RedisBudget, Clock]]:
    """Two processes' budgets on one Redis, keys of this test only (suites may run side by side)."""
    prefix = f"bff-test-{uuid.uuid4().hex}:"
    clock = Clock()
    first = RedisBudget(redis_url, prefix, 100, 10, clock=clock)
    second = RedisBudget(redis_url, prefix, 100, 10, clock=clock)
    try:
        yield first, second, clock
    finally:
        await first.close()
        await second.close()


@pytest.mark.redis
async def test_instances_sharing_redis_share_a_suppliers_budget(
    two_instances: tuple[RedisBudget, RedisBudget, Clock],
) -> None:
    first, second, clock = two_instances
    assert (await first.take("supplier:A", 70)).allowed
    refused = await second.take("supplier:A", 70)
    assert (refused.allowed, refused.available, refused.retry_after) == (False, 30, 4.0)
    clock.now += 4
    assert (await second.take("supplier:A", 70)).allowed
    assert (await first.take("supplier:A", 0)).available == 0
    assert (await first.take("supplier:B", 70)).allowed


@pytest.mark.redis
async def test_a_clock_running_behind_never_refills_twice(
    two_instances: tuple[RedisBudget, RedisBudget, Clock],
) -> None:
    first, second, clock = two_instances
    await first.take("k", 100)
    clock.now += 5
    assert (await first.take("k", 50)).available == 0
    clock.now -= 3  # another host whose clock is 3 s behind
    assert (await second.take("k", 0)).available == 0


@pytest.mark.redis
async def test_the_redis_key_is_prefixed_and_expires_once_full_again(redis_url: str) -> None:
    prefix = f"bff-test-{uuid.uuid4().hex}:"
    budget = RedisBudget(redis_url, prefix, 100, 10)
    client = redis.Redis.from_url(redis_url)
    try:
        await budget.take("supplier:A", 1)
        assert await client.exists(f"{prefix}cost:supplier:A") == 1
        assert 0 < await client.ttl(f"{prefix}cost:supplier:A") <= 11
    finally:
        await client.aclose()
        await budget.close()


async def test_an_unreachable_redis_fails_open(caplog: pytest.LogCaptureFixture) -> None:
    budget = RedisBudget("redis://127.0.0.1:1/0", "bff-test:", 100, 10)
    try:
        status = await budget.take("supplier:A", 1000)
    finally:
        await budget.close()
    assert status.allowed
    assert "cost budget unavailable" in caplog.text


@pytest.mark.redis
async def test_many_requests_at_once_wait_for_a_connection_instead_of_failing_open(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given: more takes at once than the client keeps connections (a thousand subscribers connecting)
    budget = RedisBudget(redis_url, f"bff-test-{uuid.uuid4().hex}:", 1000, 0.001, clock=Clock())
    try:
        # when
        taken = await asyncio.gather(*(budget.take("supplier:A", 1) for _ in range(300)))
        left = await budget.take("supplier:A", 0)
    finally:
        await budget.close()
    # then: every take was counted against the budget; none was let through unaccounted
    assert all(status.allowed for status in taken)
    assert left.available == 700
    assert "cost budget unavailable" not in caplog.text
