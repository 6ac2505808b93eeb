"""How often and how long the outbox retries: the lease, the give-up deadline and the backoff curve.

A push is retried until `give_up_after` has passed since it was written (`BFF_PUSH_GIVE_UP_HOURS`, 24 h by
default), not for a fixed number of attempts: a count says nothing about time, and 12 doubling attempts
were spent by an 18-minute outage. The wait between attempts doubles from `base_backoff` up to
`max_backoff` (15 min): long enough not to hammer a bank that is down, short enough that a push is sent
within a quarter of an hour of the bank's return. The last wait is cut short at the deadline, so one last
attempt happens exactly then.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

JITTER = 0.1  # ± 10 %: workers that failed together do not all come back in the same instant
DEFAULT_GIVE_UP_AFTER = timedelta(hours=24)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OutboxPolicy:
    """`lease` must outlast one attempt (the upstream's total timeout plus the result handler)."""

    lease: timedelta = timedelta(seconds=30)
    give_up_after: timedelta = DEFAULT_GIVE_UP_AFTER
    base_backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.give_up_after <= timedelta(0):
            raise ValueError("give_up_after must be positive")
        if self.lease <= timedelta(0) or self.base_backoff <= timedelta(0):
            raise ValueError("lease and base_backoff must be positive")
        if self.max_backoff < self.base_backoff:
            raise ValueError("max_backoff must not be shorter than base_backoff")

    def backoff(
        self, attempts: int, *, uniform: Callable[[float, float], float] = random.uniform
    ) -> timedelta:
        """The wait after the `attempts`-th failed attempt: base × 2^(attempts−1), capped, ± 10 % jitter."""
        exponent = min(max(attempts - 1, 0), 32)  # 2^32 s is far past any cap; avoids huge timedeltas
        delay = min(self.base_backoff * (1 << exponent), self.max_backoff)
        return delay * (1 + uniform(-JITTER, JITTER))

    def deadline(self, created_at: datetime) -> datetime:
        """When retrying a message written at `created_at` stops."""
        return created_at + self.give_up_after

    def next_attempt(
        self,
        attempts: int,
        created_at: datetime,
        now: datetime,
        *,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> datetime | None:
        """When to try again after the `attempts`-th attempt failed at `now`; None: give up now."""
        deadline = self.deadline(created_at)
        if now >= deadline:
            return None
        return min(now + self.backoff(attempts, uniform=uniform), deadline)
