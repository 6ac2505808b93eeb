"""Per-caller cost budgets: a token bucket per key (a supplier, or an anonymous caller's address).

A bucket holds at most `capacity` points and refills at `restore_per_second`; a request takes its static
query cost from it before anything runs, or is refused with the time after which it would fit. The
bucket knows nothing about GraphQL (the cost is computed by `bff.schema.cost`).

- `InProcessBudget` — one process's buckets, for a single `bff serve` (and tests, with an injected clock).
- `RedisBudget` — buckets in Redis, one Lua script doing refill + take atomically, so that every process
  behind the load balancer draws on the same budget of a supplier. When Redis cannot be reached it fails
  open (logs a warning and lets the request through): a budget outage must not take the whole API down.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis

logger = logging.getLogger("bff.throttle")

Clock = Callable[[], float]

# In-process buckets are forgotten least-recently-used first beyond this many keys: a forgotten bucket
# is full again, which only favours a caller idle long enough to be evicted (memory stays bounded even
# when anonymous callers rotate addresses).
MAX_LOCAL_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """The outcome of one `take`: whether the cost fitted, and the bucket afterwards."""

    allowed: bool
    available: float
    capacity: float
    restore_rate: float
    # Seconds until `cost` points are available (0 when allowed); what THROTTLED tells the client.
    retry_after: float = 0.0


class CostBudget(Protocol):
    async def take(self, key: str, cost: int) -> BudgetStatus:
        """Take `cost` points from `key`'s bucket if they are there (all or nothing); `cost` 0 only reads."""
        ...

    async def close(self) -> None: ...


def _retry_after(missing: float, restore_per_second: float) -> float:
    return math.ceil(missing / restore_per_second * 1000) / 1000


class InProcessBudget:
    def __init__(self, capacity: int, restore_per_second: float, *, clock: Clock = time.monotonic) -> None:
        self.capacity = float(capacity)
        self.restore_per_second = float(restore_per_second)
        self._clock = clock
        # key -> (points, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, cost: int) -> BudgetStatus:
        now = self._clock()
        points, then = self._buckets.pop(key, (self.capacity, now))
        points = min(self.capacity, points + max(0.0, now - then) * self.restore_per_second)
        allowed = cost <= points
        if allowed:
            points -= cost
        self._buckets[key] = (points, now)
        while len(self._buckets) > MAX_LOCAL_KEYS:
            self._buckets.popitem(last=False)
        return BudgetStatus(
            allowed=allowed,
            available=points,
            capacity=self.capacity,
            restore_rate=self.restore_per_second,
            retry_after=0.0 if allowed else _retry_after(cost - points, self.restore_per_second),
        )

    async def close(self) -> None:
        return None


# KEYS[1] bucket hash; ARGV: capacity, restore per second, now (seconds), cost, ttl (seconds).
# Returns {allowed (0/1), points left (string: Lua numbers lose their fraction on the way back)}.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'points', 'at')
local points = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then
  points = math.min(capacity, points + (now - at) * rate)
else
  now = at
end
local allowed = 0
if cost <= points then
  points = points - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'points', tostring(points), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {allowed, tostring(points)}
"""


class RedisBudget:
    """Buckets shared by every process using the same Redis and key prefix.

    `now` comes from this process's clock (injectable for tests); processes on different hosts rely on
    synchronised clocks, and a clock running behind never refills twice (the script keeps the latest
    time seen). A bucket's key expires once it would be full again, so idle callers cost no memory.
    """

    def __init__(
        self,
        url: str,
        prefix: str,
        capacity: int,
        restore_per_second: float,
        *,
        clock: Clock = time.time,
    ) -> None:
        self.capacity = float(capacity)
        self.restore_per_second = float(restore_per_second)
        self._prefix = f"{prefix}cost:"
        self._clock = clock
        self._ttl = max(1, math.ceil(capacity / restore_per_second) + 1)
        # More requests at once than connections (a thousand subscribers connecting together) wait for one,
        # up to a second, instead of failing open at once with "Too many connections" (redis-py's default
        # pool refuses past its 100).
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=100, timeout=1, socket_connect_timeout=1, socket_timeout=1
        )
        self._client = redis.Redis.from_pool(pool)
        self._script = self._client.register_script(_TAKE)

    async def take(self, key: str, cost: int) -> BudgetStatus:
        try:
            allowed, points = await self._script(
                keys=[self._prefix + key],
                args=[self.capacity, self.restore_per_second, repr(self._clock()), cost, self._ttl],
            )
        except (redis.RedisError, OSError) as exc:
            # Fail open: refusing every request while Redis is down would turn a cache outage into an
            # API outage; the static per-query cost limit still holds.
            logger.warning("cost budget unavailable, letting the request through: %s", exc)
            return BudgetStatus(
                allowed=True,
                available=self.capacity,
                capacity=self.capacity,
                restore_rate=self.restore_per_second,
            )
        left = float(points)
        return BudgetStatus(
            allowed=bool(allowed),
            available=left,
            capacity=self.capacity,
            restore_rate=self.restore_per_second,
            retry_after=0.0 if allowed else _retry_after(cost - left, self.restore_per_second),
        )

    async def close(self) -> None:
        await self._client.aclose()


def build_budget(redis_url: str | None, prefix: str, capacity: int, restore_per_second: float) -> CostBudget:
    """The process's budget: in Redis when `BFF_REDIS_URL` is set (shared by instances), else in-process."""
    if redis_url:
        return RedisBudget(redis_url, prefix, capacity, restore_per_second)
    return InProcessBudget(capacity, restore_per_second)
