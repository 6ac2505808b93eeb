"""The static cost of an operation, computed from its document and variables before anything runs.

The arithmetic (DESIGN §6.1; frontends budget with it):
- every field costs 1, `__typename` costs nothing (clients add it everywhere, and it is answered locally);
- a connection field (a field returning a `…Connection` type and taking `first`) costs 1, and its page
  `first` times (default 20): the connection's own fields (`totalCount`, `pageInfo`…, `edges`) and each
  edge's `node` count once per page, what is selected under `node` (and per-edge fields such as
  `cursor`) counts once per item, i.e. `first` times;
- introspection (`__schema`, `__type`) counts like any other field; lists that are not connections count
  once (their length is the data's, not the client's choice): GraphiQL's introspection query stays far
  below the default limit.

One pass over the document: the cost of each fragment is computed once per way it is used (plain, or
inside a connection or an edge with a given `first`) and memoised, so a document whose fragments each
spread the previous one twice costs linear time to price, not 2^n. Arithmetic saturates at `COST_CAP`,
so a nest of connections never builds huge integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.utilities import get_operation_ast

from bff.errors import FirstTooLargeError, TooManyMutationsError
from bff.resolvers.cursors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# Mutations run one after the other and most of them call WeBank: a request may carry a few (a portal
# sends one), not a thousand aliases that would hold a connection and the bank for minutes.
MAX_MUTATION_FIELDS = 10
COST_CAP = 2**53


class _Mode(Enum):
    PLAIN = "plain"
    CONNECTION = "connection"  # the selection of a connection field
    EDGE = "edge"  # the selection of a connection's `edges`


def _add(a: int, b: int) -> int:
    return min(COST_CAP, a + b)


def _times(a: int, b: int) -> int:
    return min(COST_CAP, a * b)


def _is_connection(field: GraphQLField) -> bool:
    return get_named_type(field.type).name.endswith("Connection") and "first" in field.args


class _Pricer:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._memo: dict[tuple[str, _Mode, int], int] = {}
        self._pricing: set[tuple[str, _Mode, int]] = set()

    def selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None, mode: _Mode, first: int) -> int:  # fmt: skip
        total = 0
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total = _add(total, self._field(selection, parent, mode, first))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total = _add(total, self.selections(selection.selection_set, inner, mode, first))
            elif isinstance(selection, FragmentSpreadNode):
                total = _add(total, self._fragment(selection.name.value, mode, first))
        return total

    def _fragment(self, name: str, mode: _Mode, first: int) -> int:
        key = (name, mode, first)
        if key in self._memo:
            return self._memo[key]
        fragment = self._fragments.get(name)
        # A cycle (or an unknown fragment) is refused by validation, which has run already; never loop.
        if fragment is None or key in self._pricing:
            return 0
        self._pricing.add(key)
        parent = self._schema.get_type(fragment.type_condition.name.value)
        cost = self.selections(fragment.selection_set, parent, mode, first)
        self._pricing.discard(key)
        self._memo[key] = cost
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, mode: _Mode, first: int) -> int:
        name = node.name.value
        if name == "__typename":
            return 0
        definition = self._definition(parent, name)
        if definition is None:  # unknown to the schema: validation refused it already
            return 1
        returned = get_named_type(definition.type)
        below = node.selection_set
        if mode is _Mode.EDGE:
            if name == "node":
                return _add(1, _times(first, self.selections(below, returned, _Mode.PLAIN, 1)))
            return _times(first, _add(1, self.selections(below, returned, _Mode.PLAIN, 1)))
        if mode is _Mode.CONNECTION and name == "edges":
            return _add(1, self.selections(below, returned, _Mode.EDGE, first))
        if _is_connection(definition):
            page = self._first(node, definition)
            return _add(1, self.selections(below, returned, _Mode.CONNECTION, page))
        return _add(1, self.selections(below, returned, _Mode.PLAIN, 1))

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def _first(self, node: FieldNode, definition: GraphQLField) -> int:
        value: object = definition.args["first"].default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            literal = argument.value
            if isinstance(literal, IntValueNode):
                value = int(literal.value)
            elif isinstance(literal, VariableNode):
                value = self._variables.get(literal.name.value)
            else:  # null: the resolver's default page
                value = None
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE_SIZE
        if value > MAX_PAGE_SIZE:
            raise FirstTooLargeError(
                f"`first` must be at most {MAX_PAGE_SIZE} (got {value}).", maxFirst=MAX_PAGE_SIZE
            )
        # `first` below 1 is refused by the resolver (BAD_USER_INPUT); it prices as an empty page.
        return max(value, 0)


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    memo: dict[str, int],
) -> int:
    """How many root fields the selection runs, spreads included (memoised like the pricing)."""
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += selection.name.value != "__typename"
        elif isinstance(selection, InlineFragmentNode):
            count += _root_fields(selection.selection_set, fragments, memo)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in memo:
                memo[name] = 0  # a cycle counts nothing (validation refused it)
                fragment = fragments.get(name)
                if fragment is not None:
                    memo[name] = _root_fields(fragment.selection_set, fragments, memo)
            count += memo[name]
        count = min(count, COST_CAP)
    return count


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation that would run; raises FirstTooLargeError or TooManyMutationsError.

    Call it on a validated document. Variables are coerced the way execution will coerce them (defaults
    included); if they do not coerce, execution refuses the request anyway and `first` prices as default.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    if operation.operation is OperationType.MUTATION:
        mutations = _root_fields(operation.selection_set, fragments, {})
        if mutations > MAX_MUTATION_FIELDS:
            raise TooManyMutationsError(
                f"A request may run at most {MAX_MUTATION_FIELDS} mutations (this one has {mutations}).",
                maxMutations=MAX_MUTATION_FIELDS,
            )
    variables = _coerced_variables(schema, operation, raw_variables)
    root = schema.get_root_type(operation.operation)
    return _Pricer(schema, fragments, variables).selections(operation.selection_set, root, _Mode.PLAIN, 1)


def _coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    values = get_variable_values(schema, operation.variable_definitions or (), dict(raw or {}), max_errors=1)
    return values.coerced if isinstance(values, VariableValues) else {}
