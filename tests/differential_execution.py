"""Execute every operation both ways — graphql-core's generic execution and `PlannedExecution` — and compare.

`DifferentialExecution` resolves each root field once (a mutation's side effect happens once), then
completes the resolved value three times, each in its own shallow copy of the executor (own collected
errors, own memos; the request context and its loaders shared): once with plans off to fill the loaders,
then, reading the same loaded data, once with plans off and once with plans on, and compares the last two. It records any difference in the completed value (keys in order,
nulls included) or in the field errors (message, path, locations, extensions, the original exception's
type), and answers the planned completion, so the response is the one production would send.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graphql import GraphQLError, GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import CollectedErrors, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from bff.schema.compiled_plan import PlannedExecution


def _error_key(error: GraphQLError) -> tuple[object, ...]:
    original = error.original_error
    return (
        error.message,
        error.path,
        [(location.line, location.column) for location in error.locations or []],
        json.dumps(error.extensions, sort_keys=True, default=repr),
        None if original is None else type(original).__name__,
    )


@dataclass
class Outcome:
    raised: BaseException | None
    value: Any
    collected: CollectedErrors

    @property
    def errors(self) -> list[GraphQLError]:
        return self.collected.errors

    def key(self) -> tuple[object, ...]:
        raised = None if self.raised is None else (type(self.raised).__name__, str(self.raised))
        # errors in path order: their order in a response follows the timing of the reads that failed
        errors = sorted((_error_key(e) for e in self.errors), key=repr)
        return (raised, json.dumps(self.value, default=repr), errors)


@dataclass
class Record:
    """What the differential executions saw, across one test."""

    operations: set[str] = field(default_factory=set)
    compared: int = 0
    with_errors: int = 0
    with_nulls: int = 0
    mismatches: list[str] = field(default_factory=list)


PLANNED_SIDE = os.environ.get("DIFF_SELF_CHECK") != "1"


class DifferentialExecution(PlannedExecution):
    record: ClassVar[Record] = Record()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if path.prev is not None:
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        name = field_details_list[0].node.name.value
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            return Undefined
        if self.operation.name is not None:
            self.record.operations.add(self.operation.name.value)
        return_type = field_def.type
        resolve_fn = field_def.resolve or self.field_resolver
        if self.middleware_manager:
            resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            node = field_details_list[0].node
            args = (
                get_argument_values(
                    field_def,
                    node,
                    self.variable_values,
                    field_details_list[0].fragment_variable_values,
                    self.hide_suggestions,
                )
                if field_def.args or node.arguments
                else {}
            )
            result = resolve_fn(source, info, **args)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

        async def both() -> Any:
            try:
                value = await result if self.is_awaitable(result) else result
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, field_details_list, path)
                return None
            # a first, generic completion fills the request's loaders; then generic, planned, generic again,
            # all three reading what the loaders hold (what they do not hold, live reads of the database or
            # of an upstream, may change while a journey runs: the planned completion must equal one of its
            # neighbours)
            complete = self._complete_in_copy
            await complete(False, return_type, field_details_list, info, path, value)
            before = await complete(False, return_type, field_details_list, info, path, value)
            planned = await complete(PLANNED_SIDE, return_type, field_details_list, info, path, value)
            after = await complete(False, return_type, field_details_list, info, path, value)
            self._compare(
                f"{self.operation.name and self.operation.name.value}.{name}", before, planned, after
            )
            # the planned copy's errors and nulled positions become this execution's
            self.collected_errors._errors.extend(planned.errors)
            self.collected_errors._error_positions |= planned.collected._error_positions
            if planned.raised is not None:
                assert isinstance(planned.raised, Exception)
                self.handle_field_error(planned.raised, return_type, field_details_list, path)
                return None
            return planned.value

        return both()

    async def _complete_in_copy(
        self,
        planned: bool,
        return_type: Any,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        value: Any,
    ) -> Outcome:
        executor = copy.copy(self)
        executor.collected_errors = CollectedErrors()
        executor._relevant_sub_fields = {}
        executor._steps = {}
        executor._planned = planned and self._planned
        try:
            completed = executor.complete_value(return_type, field_details_list, info, path, value, None)
            if executor.is_awaitable(completed):
                completed = await completed
        except Exception as exc:
            return Outcome(exc, None, executor.collected_errors)
        return Outcome(None, completed, executor.collected_errors)

    def _compare(self, where: str, before: Outcome, planned: Outcome, after: Outcome) -> None:
        record = self.record
        record.compared += 1
        if before.errors or before.raised is not None:
            record.with_errors += 1
        if _has_null(before.value):
            record.with_nulls += 1
        if planned.key() not in (before.key(), after.key()):
            record.mismatches.append(
                f"{where}:\n  generic {before.key()!r}\n  planned {planned.key()!r}\n  generic {after.key()!r}"
            )


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False
