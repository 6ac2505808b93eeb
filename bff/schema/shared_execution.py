"""Identical subscriptions told of one event share one executed result.

A thousand portals subscribed with the same document and variables, as the same supplier, would otherwise
each execute the same selection on the same object (`bff.events.shared` makes it one object per event).
graphql-core executes each event through a per-event executor built from the subscription's; this one
remembers, per event payload, the result of each (operation, variables, viewer) and hands it to the next
identical subscription. A result with errors is never shared: each subscriber then executes its own, as
before, so error reporting (codes, request ids, logs) stays per subscriber. Payloads built for one
subscriber alone (a subscription's first state) are distinct objects, so they never meet.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Awaitable, Hashable
from typing import Any, cast

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from bff.auth import Viewer

__all__ = ["SharedEventExecution"]

_Result = ExecutionResult | Awaitable[ExecutionResult]

# id(payload) → (a weak reference to it, {key: shared result}); gone with the payload
_RESULTS: dict[int, tuple[weakref.ref[Any], dict[Hashable, _Result]]] = {}


def _entries(payload: object) -> dict[Hashable, _Result] | None:
    key = id(payload)
    found = _RESULTS.get(key)
    if found is not None and found[0]() is payload:
        return found[1]
    try:
        ref = weakref.ref(payload, lambda _dead, key=key: _RESULTS.pop(key, None))  # type: ignore[misc]
    except TypeError:  # a payload that cannot be weakly referenced: not shared
        return None
    entries: dict[Hashable, _Result] = {}
    _RESULTS[key] = (ref, entries)
    return entries


def _viewer_key(context: object) -> Hashable | None:
    viewer = getattr(context, "viewer_or_error", None)
    return (viewer.supplier_code, viewer.role) if isinstance(viewer, Viewer) else None


def _variables_key(coerced: dict[str, Any]) -> str | None:
    try:
        return json.dumps(coerced, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return None


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    _event_key: Hashable | None = None

    def __copy__(self) -> SharedEventExecution:
        """What `copy.copy` makes of it (graphql-core copies the subscription's executor for each event),
        without the generic `__reduce_ex__` route, 5 % of the time an event reaches 1,000 subscribers."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def build_per_event_executor(self, payload: Any) -> SharedEventExecution:
        executor = cast(SharedEventExecution, super().build_per_event_executor(payload))
        executor._event_key = self._subscription_key()
        return executor

    def _subscription_key(self) -> Hashable | None:
        """What identical subscriptions have in common, worked out once per subscription, not per event."""
        try:
            return self.__dict__["_subscription_key_memo"]  # type: ignore[no-any-return]
        except KeyError:
            pass
        key: Hashable | None = None
        viewer = _viewer_key(self.context_value)
        variables = _variables_key(self.variable_values.coerced)
        operation = self.operation
        # the document's text and the operation's name: identical texts are identical documents
        source = None if operation.loc is None else operation.loc.source.body
        name = None if operation.name is None else operation.name.value
        if (
            viewer is not None
            and variables is not None
            and source is not None
            and operation.operation is OperationType.SUBSCRIPTION
        ):
            key = (source, name, variables, viewer)
        self.__dict__["_subscription_key_memo"] = key
        return key

    def execute_operation(self, serially: bool | None = None) -> Any:
        key = self._event_key
        results = None if key is None else _entries(self.root_value)
        if key is None or results is None:
            return super().execute_operation(serially)
        shared = results.get(key)
        if shared is not None:
            return self._reuse(shared, serially)
        result = super().execute_operation(serially)
        if not self.is_awaitable(result):
            results[key] = cast(ExecutionResult, result)
            return result
        task = asyncio.ensure_future(cast(Awaitable[ExecutionResult], result))
        results[key] = task
        # shielded: a first subscriber that leaves meanwhile must not cancel the others' result
        return asyncio.shield(task)

    def _reuse(self, shared: _Result, serially: bool | None) -> Any:
        if isinstance(shared, ExecutionResult):
            return super().execute_operation(serially) if shared.errors else shared

        async def when_done() -> ExecutionResult:
            result = await asyncio.shield(shared)
            if not result.errors:
                return result
            own = super(SharedEventExecution, self).execute_operation(serially)
            return cast(ExecutionResult, await own if self.is_awaitable(own) else own)

        return when_done()
