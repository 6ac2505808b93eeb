"""The static cost arithmetic of DESIGN §6.1, on the real schema (no database, no upstream: pricing only)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import get_introspection_query, parse

from bff.errors import FirstTooLargeError, TooManyMutationsError
from bff.schema import schema
from bff.schema.cost import MAX_MUTATION_FIELDS, operation_cost


def cost(query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> int:
    return operation_cost(schema._schema, parse(query), operation_name, variables)


ORDER_PAGE = "edges { cursor node { orderNo amount } } pageInfo { hasNextPage } totalCount"
# orders 1 + edges 1 + node 1 + pageInfo 1 + hasNextPage 1 + totalCount 1, and per order: cursor, orderNo, amount
ORDER_PAGE_COST = 6  # plus 3 × first


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        pytest.param("{ viewer { name code } }", None, 3, id="plain fields"),
        pytest.param("{ __typename viewer { __typename name } }", None, 2, id="__typename is free"),
        pytest.param("{ admissionRegions { province cities } }", None, 3, id="a plain list counts once"),
        pytest.param(
            "{ viewer { orders { " + ORDER_PAGE + " } } }",
            None,
            1 + ORDER_PAGE_COST + 3 * 20,
            id="first defaults to 20",
        ),
        pytest.param(
            "{ viewer { orders(first: 5) { " + ORDER_PAGE + " } } }",
            None,
            1 + ORDER_PAGE_COST + 3 * 5,
            id="first literal",
        ),
        pytest.param(
            "query ($n: Int) { viewer { orders(first: $n) { " + ORDER_PAGE + " } } }",
            {"n": 7},
            1 + ORDER_PAGE_COST + 3 * 7,
            id="first from a variable",
        ),
        pytest.param(
            "query ($n: Int = 3) { viewer { orders(first: $n) { " + ORDER_PAGE + " } } }",
            None,
            1 + ORDER_PAGE_COST + 3 * 3,
            id="first from the variable's default",
        ),
        pytest.param(
            "{ viewer { orders(first: null) { totalCount edges { node { orderNo } } } } }",
            None,
            1 + 4 + 20,
            id="first null prices as the default page",
        ),
        pytest.param(
            "{ viewer { orders(first: 10) { edges { node { orderNo loans { loanNo } } } } } }",
            None,
            1 + 3 + 10 * 3,
            id="a list under a connection counts once per item",
        ),
        pytest.param(
            "{ viewer { a: orders(first: 2) { totalCount } b: orders(first: 3) { totalCount } } }",
            None,
            1 + 2 + 2,
            id="connection fields without edges count once",
        ),
        pytest.param(
            "{ viewer { loans(first: 10) { edges { node { loanNo orders { orderNo loans { loanNo } } } } } } }",
            None,
            1 + 3 + 10 * 5,
            id="a cycle counts its fields",
        ),
        pytest.param(
            "fragment O on Order { orderNo amount } "
            "{ viewer { orders(first: 4) { edges { node { ...O } } } } }",
            None,
            1 + 3 + 4 * 2,
            id="fragment under a connection",
        ),
        pytest.param(
            "fragment Page on OrderConnection { totalCount edges { node { orderNo } } } "
            "{ viewer { a: orders(first: 2) { ...Page } b: orders(first: 5) { ...Page } } }",
            None,
            1 + (1 + 3 + 2) + (1 + 3 + 5),
            id="one fragment priced per page size",
        ),
        pytest.param(
            "{ viewer { orders(first: 4) { ... on OrderConnection { edges { ... on OrderEdge { node { orderNo } } } } } } }",
            None,
            1 + 3 + 4,
            id="inline fragments keep the connection's multiplier",
        ),
        pytest.param(
            "{ viewer { orders(first: 2) { edges { node { loans { orders { orderNo } } } } } } }",
            None,
            1 + 3 + 2 * 3,
            id="nested plain lists",
        ),
        pytest.param(
            "query A { viewer { name } } query B { viewer { name code creditCode } }",
            None,
            2,
            id="only the operation that runs (first of several by name: A)",
        ),
    ],
)
def test_cost_arithmetic(query: str, variables: dict[str, Any] | None, expected: int) -> None:
    operation = "A" if "query A" in query else None
    assert cost(query, variables, operation) == expected


def test_nested_connections_multiply() -> None:
    # supplier(code) is the operator's way to another supplier; its orders and loans are connections too
    query = '{ supplier(code: "X") { orders(first: 10) { edges { node { orderNo } } } loans(first: 3) { edges { node { loanNo } } } } }'
    assert cost(query) == 1 + (1 + 2 + 10) + (1 + 2 + 3)


def test_first_above_100_is_refused_literal_or_variable() -> None:
    with pytest.raises(FirstTooLargeError):
        cost("{ viewer { orders(first: 101) { totalCount } } }")
    with pytest.raises(FirstTooLargeError):
        cost("query ($n: Int) { viewer { loans(first: $n) { totalCount } } }", {"n": 1000})
    assert cost("{ viewer { orders(first: 100) { edges { node { orderNo } } } } }") == 1 + 3 + 100


def test_mutation_fields_are_counted_through_fragments() -> None:
    allowed = (
        "mutation { "
        + " ".join(f"m{i}: openFinancing {{ __typename }}" for i in range(MAX_MUTATION_FIELDS))
        + " }"
    )
    assert cost(allowed) == MAX_MUTATION_FIELDS
    doubled = "fragment M0 on Mutation { openFinancing { __typename } } " + " ".join(
        f"fragment M{i} on Mutation {{ ...M{i - 1} ...M{i - 1} }}" for i in range(1, 11)
    )
    with pytest.raises(TooManyMutationsError):
        cost(doubled + " mutation { ...M10 }")


def test_introspection_stays_cheap_enough_for_graphiql() -> None:
    assert cost(get_introspection_query(descriptions=True)) < 1000


@pytest.mark.parametrize("levels", [22, 24, 60])
def test_a_fragment_bomb_is_priced_in_linear_time(levels: int) -> None:
    fragments = ["fragment L0 on Query { admissionRegions { province } }"]
    fragments += [f"fragment L{i} on Query {{ ...L{i - 1} ...L{i - 1} }}" for i in range(1, levels + 1)]
    started = time.perf_counter()
    priced = cost("\n".join(fragments) + f"\n{{ ...L{levels} }}")
    assert time.perf_counter() - started < 0.5
    assert priced == min(2**levels * 2, 2**53)
