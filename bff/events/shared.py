"""One event as every local subscriber of its topic receives it: the same object for all of them.

A thousand subscriptions told of one loan's change would otherwise each build loaders, read the loan and
build its GraphQL object on their own. `Told` carries a place for what they may share for this event only
(`shared`): the first subscriber builds it, the others take it. The next event is a new `Told`, so nothing
outlives the event it was read for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

__all__ = ["Told", "shared"]

T = TypeVar("T")


class Told(dict[str, Any]):
    """An event's payload (a plain dict to its readers) plus what its subscribers share for it."""

    __slots__ = ("_shared",)

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__(payload)
        self._shared: dict[Hashable, Any] = {}

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        try:
            return self._shared[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._shared[key] = build()
            return value


def shared(event: object, key: Hashable, build: Callable[[], T]) -> T:
    """`build()` once per told event and key; built afresh for anything else (a subscription's start)."""
    return event.shared(key, build) if isinstance(event, Told) else build()
