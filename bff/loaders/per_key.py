"""Loaders for upstreams that answer one key per call: a batch becomes concurrent calls, one per key."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import TypeVar, cast

from aiodataloader import DataLoader

from bff.errors import UpstreamError

K = TypeVar("K")
V = TypeVar("V")


class PerKeyLoader(DataLoader[K, V], ABC):
    """Separate calls fail separately: a failed call rejects only its own key, never the whole batch."""

    async def batch_load_fn(self, keys: list[K]) -> list[V]:
        answers = await asyncio.gather(*(self._one_or_error(key) for key in keys))
        # aiodataloader rejects exactly the keys whose value is an Exception; its annotation does not say so.
        return cast(list[V], answers)

    async def _one_or_error(self, key: K) -> V | UpstreamError:
        try:
            return await self.load_one(key)
        except UpstreamError as exc:
            return exc

    @abstractmethod
    async def load_one(self, key: K) -> V: ...
