"""How often and how long the outbox retries: the lease, the attempt budget and the backoff curve."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

JITTER = 0.1  # ± 10 %: workers that failed together do not all come back in the same instant


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OutboxPolicy:
    """`lease` must outlast one attempt (the upstream's total timeout plus the result handler)."""

    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 12
    base_backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
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
