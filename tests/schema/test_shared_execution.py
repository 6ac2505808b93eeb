"""Identical subscriptions told of one event share one executed result (`SharedEventExecution`); different
documents, variables or viewers, and results with errors, are executed for each subscriber."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import strawberry

from bff.auth import Role, Viewer
from bff.schema.shared_execution import SharedEventExecution

RESOLVED: list[str] = []


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def label(self) -> str:
        RESOLVED.append(self.name)
        if self.name == "bad":
            raise ValueError("no label")
        return self.name.upper()


@dataclass
class FakeContext:
    viewer_or_error: Viewer
    events: asyncio.Queue[Item]


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def items(self, info: strawberry.Info, tag: str = "") -> AsyncGenerator[Item, None]:
        events: asyncio.Queue[Item] = info.context.events
        while True:
            yield await events.get()


schema = strawberry.Schema(Query, subscription=Subscription, execution_context_class=SharedEventExecution)
LABEL = "subscription ($tag: String) { items(tag: $tag) { name label } }"
NAME = "subscription { items { name } }"


async def collect(subscribers: list[tuple[str, dict[str, Any], Viewer]], item: Item) -> list[Any]:
    queues = [asyncio.Queue[Item]() for _ in subscribers]
    generators = [
        await schema.subscribe(query, variable_values=variables, context_value=FakeContext(viewer, queue))
        for (query, variables, viewer), queue in zip(subscribers, queues, strict=True)
    ]
    pending = [asyncio.ensure_future(anext(generator)) for generator in generators]  # type: ignore[arg-type]
    for queue in queues:
        queue.put_nowait(item)  # one object for all, as `bff.events.shared` hands out
    results = await asyncio.gather(*pending)
    for generator in generators:
        await generator.aclose()  # type: ignore[union-attr]
    return [(result.data, [error.message for error in result.errors or []]) for result in results]


SUPPLIER = Viewer("GD-BOTH", Role.SUPPLIER)
OTHER = Viewer("HN-MALL", Role.SUPPLIER)


async def test_identical_subscriptions_execute_once_per_event() -> None:
    RESOLVED.clear()

    results = await collect([(LABEL, {"tag": "a"}, SUPPLIER)] * 4, Item(name="loan"))

    assert results == [({"items": {"name": "loan", "label": "LOAN"}}, [])] * 4
    assert RESOLVED == ["loan"]


async def test_other_variables_viewers_and_documents_execute_their_own() -> None:
    RESOLVED.clear()
    subscribers = [
        (LABEL, {"tag": "a"}, SUPPLIER),
        (LABEL, {"tag": "b"}, SUPPLIER),
        (LABEL, {"tag": "a"}, OTHER),
        (NAME, {}, SUPPLIER),
    ]

    results = await collect(subscribers, Item(name="loan"))

    assert results == [({"items": {"name": "loan", "label": "LOAN"}}, [])] * 3 + [
        ({"items": {"name": "loan"}}, [])
    ]
    assert RESOLVED == ["loan"] * 3


async def test_a_result_with_errors_is_executed_for_each_subscriber() -> None:
    RESOLVED.clear()

    results = await collect([(LABEL, {"tag": "a"}, SUPPLIER)] * 3, Item(name="bad"))

    assert [errors for _, errors in results] == [["no label"]] * 3
    assert RESOLVED == ["bad"] * 3
