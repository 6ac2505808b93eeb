"""Execute the plain fields of a selection through a precomputed plan, not field by field (graphql-jit's
idea, for graphql-core). Kept because it proved itself: `tests/operations/test_compiled_plan_differential.py`
completes every `operations/` document both ways, under upstream failures too, and compares data, nulls and
errors; `BFF_TEST_DIFFERENTIAL=1` does the same for every test of the suite; and it takes ~15 % off the
order list's graph/JSON ratio (`bench/ab.py`). It relies on private parts of strawberry and graphql-core
(`_get_basic_result`, the generated `is_type_of`, `execute_fields`' signature …): both are pinned to a minor
version in pyproject.toml, and an upgrade must pass the differential tests first.

graphql-core executes every field the same generic way: a `Path`, a `GraphQLResolveInfo`, the resolver
(strawberry's wrapper around it), then `complete_value`'s chain of type checks. For most of a page's
fields that work is the same every time: an attribute read, then a scalar's `serialize`. `PlannedExecution`
precomputes, once per (object type, field), whether a field is *plain* and how to read and complete it,
and once per grouped field set (graphql-core memoizes those per execution, so a list of 50 orders reuses
one) the steps for all its fields. Then it runs the plain ones in a tight loop:

- a leaf (scalar or enum, nullable or not, no list) read by strawberry's default resolver (an attribute)
  or by a synchronous method that takes only `self` (no arguments, no `info`, no field extensions);
- an object (nullable or not, no list) read by the default resolver: its sub-selection is collected and
  executed the usual way (through this same class), only the field's own overhead is skipped.

Everything else — lists, abstract types, arguments, `info`, async resolvers, `__typename`, middleware
(an extension's `resolve` hook), field exception handlers — goes through graphql-core's `execute_field`
as before. Errors follow graphql-core exactly: an exception while reading or completing a plain field
is handed to `handle_field_error` with the field's path, so it nulls the same position (or propagates
through a non-null field) and carries the same message and locations; an awaitable value, or a value
that is an exception, is completed by graphql-core itself.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, cast

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error, to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.types.field import StrawberryField

from bff.schema.shared_execution import SharedEventExecution

__all__ = ["PlannedExecution"]

DEFINITION = "strawberry-definition"  # strawberry's back reference from a GraphQLField to its field

# Values of these types are never awaitable: no `is_awaitable` check for them.
_PLAIN_VALUES = (str, int, float, Decimal, datetime, date, Enum)

_LEAF = 1
_OBJECT = 2
_OBJECT_LIST = 3


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """How to execute one field of one object type without graphql-core's per-field machinery."""

    kind: int
    read: Callable[[Any], Any]
    return_type: GraphQLOutputType
    named: GraphQLLeafType | GraphQLObjectType
    non_null: bool
    # an object type's strawberry `is_type_of`, which ignores its `info` (None when there is none)
    is_type_of: Callable[[Any, Any], bool] | None
    # a list's item type (`named`, or it non-null)
    item_type: GraphQLOutputType | None = None


# (type name, field name) → its plan, or None when the field needs graphql-core's generic execution.
_FIELD_PLANS: dict[tuple[str, str], _FieldPlan | None] = {}

_Step = tuple[str, FieldDetailsList, _FieldPlan | None]


def _strawberry_is_type_of(
    object_type: GraphQLObjectType,
) -> Callable[[Any, Any], bool] | Literal[False] | None:
    """The type's `is_type_of` if it is one strawberry generated (which never reads `info`), None if it
    has none, False if it has one of its own (which might read `info`)."""
    is_type_of = object_type.is_type_of
    if is_type_of is None:
        return None
    if is_type_of.__qualname__.endswith("_get_is_type_of.<locals>.is_type_of"):
        return cast(Callable[[Any, Any], bool], is_type_of)
    return False


def _reader(field: StrawberryField, resolve: Any) -> Callable[[Any], Any] | None:
    """A function of the source alone that returns what the field's resolver would, or None."""
    if field.extensions or field.is_subscription:
        return None
    if field.base_resolver is None:
        if getattr(resolve, "__name__", "") != "_get_basic_result" or field.default_resolver is not getattr:
            return None
        return operator.attrgetter(field.python_name)
    resolver = field.base_resolver
    if (
        resolver.is_async
        or resolver.arguments
        or resolver.self_parameter is None
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or not callable(resolver.wrapped_func)
    ):
        return None
    method: Callable[[Any], Any] = resolver.wrapped_func
    return method


def _plan_field(parent_type: GraphQLObjectType, field_def: GraphQLField, handlers: bool) -> _FieldPlan | None:
    field = (field_def.extensions or {}).get(DEFINITION)
    if not isinstance(field, StrawberryField) or field_def.args or field_def.resolve is None:
        return None
    if handlers and field.base_resolver is not None:
        return None  # strawberry might turn its exceptions into results
    read = _reader(field, field_def.resolve)
    if read is None:
        return None
    return_type = field_def.type
    non_null = isinstance(return_type, GraphQLNonNull)
    named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if is_leaf_type(named):
        return _FieldPlan(_LEAF, read, return_type, named, non_null, None)
    if is_object_type(named) and field.base_resolver is None:
        is_type_of = _strawberry_is_type_of(named)
        if is_type_of is False:
            return None
        return _FieldPlan(_OBJECT, read, return_type, named, non_null, is_type_of)
    if isinstance(named, GraphQLList):
        item_type = named.of_type
        item = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if is_object_type(item):
            is_type_of = _strawberry_is_type_of(item)
            if is_type_of is False:
                return None
            return _FieldPlan(_OBJECT_LIST, read, return_type, item, non_null, is_type_of, item_type)
    return None


class PlannedExecution(SharedEventExecution):
    """graphql-core's executor, with plain fields executed from precomputed plans (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._steps: dict[int, tuple[GroupedFieldSet, list[_Step]]] = {}
        manager = self.middleware_manager
        # No field may skip a middleware: with any, every field goes the generic way.
        self._planned = manager is None or not manager.middlewares
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        converter = getattr(strawberry_schema, "schema_converter", None)
        # Field exception handlers may turn a resolver's exception into a result: such resolvers keep theirs.
        self._handlers = converter is None or bool(getattr(converter, "_exception_handler_specs", True))

    def _steps_for(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[_Step]:
        # Like `collect_subfields`, memoized on the identity of the (memoized) grouped field set, kept alive.
        cached = self._steps.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        steps: list[_Step] = []
        for response_name, field_details_list in grouped_field_set.items():
            field_name = field_details_list[0].node.name.value
            key = (parent_type.name, field_name)
            if key in _FIELD_PLANS:
                plan = _FIELD_PLANS[key]
            else:
                field_def = parent_type.fields.get(field_name)
                plan = None if field_def is None else _plan_field(parent_type, field_def, self._handlers)
                _FIELD_PLANS[key] = plan
            steps.append((response_name, field_details_list, plan))
        self._steps[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if not self._planned:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        type_name = parent_type.name
        try:
            for response_name, field_details_list, plan in self._steps_for(parent_type, grouped_field_set):
                field_path = Path(path, response_name, type_name)
                if plan is None:
                    result = self.execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
                    )
                    if result is Undefined:
                        continue
                else:
                    result = self._execute_planned(
                        plan, parent_type, source_value, field_details_list, field_path, position_context
                    )
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _execute_planned(
        self,
        plan: _FieldPlan,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """`execute_field` for a planned field: the same value, and the same error at the same path."""
        try:
            value = plan.read(source)
            if value is None or value is Undefined:
                if plan.non_null:
                    raise TypeError(
                        f"Cannot return null for non-nullable field {parent_type.name}."
                        f"{field_details_list[0].node.name.value}."
                    )
                return None
            if not isinstance(value, _PLAIN_VALUES) and (
                isinstance(value, Exception) or self.is_awaitable(value)
            ):
                return self._complete_generically(
                    plan, parent_type, field_details_list, path, value, position_context
                )
            if plan.kind == _LEAF:
                return self.complete_leaf_value(plan.named, value)  # type: ignore[arg-type]
            if plan.kind == _OBJECT_LIST:
                if not isinstance(value, list | tuple):
                    return self._complete_generically(
                        plan, parent_type, field_details_list, path, value, position_context
                    )
                completed = self._complete_object_list(
                    plan, parent_type, field_details_list, path, value, position_context
                )
                if self.is_awaitable(completed):
                    return self._await_completed(completed, plan.return_type, field_details_list, path)
                return completed
            object_type: GraphQLObjectType = plan.named  # type: ignore[assignment]
            if plan.is_type_of is not None and not plan.is_type_of(value, None):
                raise invalid_return_type_error(object_type, value, field_details_list)
            completed = self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, position_context
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, plan.return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.return_type, field_details_list, path)
            return None
        return completed

    def _complete_object_list(
        self,
        plan: _FieldPlan,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        """`complete_iterable_value` for a list of objects: an item that is a plain object of the type has its
        sub-selection executed at once; any other (null, awaitable, of another type) is completed by
        graphql-core's `complete_list_item_value`, as is every item of a list under `@stream`."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        if self.get_stream_usage(field_details_list, path) is not None:
            return self.complete_value(
                plan.return_type, field_details_list, info, path, items, position_context
            )
        object_type: GraphQLObjectType = plan.named  # type: ignore[assignment]
        item_type = cast(GraphQLOutputType, plan.item_type)
        is_type_of = plan.is_type_of
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                # an instance of the type (strawberry's `is_type_of`) is never awaitable
                if item is None or not (
                    is_type_of(item, None) if is_type_of is not None else not is_awaitable(item)
                ):
                    if is_awaitable(item):
                        completed_results.append(
                            self.complete_awaitable_list_item_value(
                                item, item_type, field_details_list, info, item_path, position_context
                            )
                        )
                        awaitable_indices.append(index)
                    elif self.complete_list_item_value(
                        item,
                        completed_results,
                        item_type,
                        field_details_list,
                        info,
                        item_path,
                        position_context,
                    ):
                        awaitable_indices.append(index)
                    continue
                try:
                    completed = self.collect_and_execute_subfields(
                        object_type, field_details_list, item_path, item, position_context
                    )
                except Exception as raw_error:
                    # as `complete_list_item_value`: raises through a non-null item, else a null item
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    completed_results.append(None)
                    continue
                if is_awaitable(completed):
                    completed_results.append(
                        self._await_completed(completed, item_type, field_details_list, item_path)
                    )
                    awaitable_indices.append(index)
                else:
                    completed_results.append(completed)
        except Exception:
            # as `complete_iterable_value`: the items already started settle in the background
            if awaitable_indices:
                self.settle_in_background([completed_results[index] for index in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                index = awaitable_indices[0]
                completed_results[index] = await completed_results[index]
            else:
                awaited = await gather_with_cancel(*(completed_results[index] for index in awaitable_indices))
                for index, sub_result in zip(awaitable_indices, awaited, strict=True):
                    completed_results[index] = sub_result
            return completed_results

        return get_completed_results()

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _complete_generically(
        self,
        plan: _FieldPlan,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """A value the plan does not complete (an awaitable, an exception): graphql-core's completion."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        if self.is_awaitable(value):
            return self.complete_awaitable_value(
                plan.return_type, field_details_list, info, path, value, position_context
            )
        completed = self.complete_value(
            plan.return_type, field_details_list, info, path, value, position_context
        )
        if self.is_awaitable(completed):
            return self._await_completed(completed, plan.return_type, field_details_list, path)
        return completed
