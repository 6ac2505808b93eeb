"""Cost limits and budgets through the schema: refusals happen before anything runs, and every response
reports its cost in `extensions.cost`."""

from __future__ import annotations

import dataclasses
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from graph_fixtures import Graph

from bff.auth import Role, Viewer
from bff.context import Context
from bff.errors import AuthenticationError
from bff.schema import document_cache, schema
from bff.schema.cost_limit import budget_key
from bff.throttle import InProcessBudget

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from hostile import fragment_bomb, wide_document

# Generous: each of these answers in milliseconds; before the cost analysis the 2^22 bomb took 20–30 s.
HOSTILE_BOUND_SECONDS = 2.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def limited(graph: Graph, clock: Clock | None = None, **settings: Any) -> Graph:
    """The same BFF with other cost settings and a fresh budget (on `clock` when given)."""
    changed = graph.settings.model_copy(update=settings)
    budget = InProcessBudget(
        changed.cost_budget, changed.cost_restore_per_second, clock=clock or time.monotonic
    )
    services = dataclasses.replace(graph.services, settings=changed, budget=budget)
    return Graph(services=services, sandbox=graph.sandbox)


async def anonymous(graph: Graph, query: str, client_ip: str = "203.0.113.7") -> dict[str, Any]:
    """What a caller without a token gets (the body as HTTP sends it, extensions included)."""
    context = Context.build(graph.services, AuthenticationError("no token"), client_ip=client_ip)
    result = await schema.execute(query, context_value=context)
    body: dict[str, Any] = {"data": result.data, "extensions": result.extensions}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def fifty_fields_per_order(first: int) -> str:
    fields = " ".join(f"f{i}: orderNo" for i in range(50))
    return f"{{ viewer {{ orders(first: {first}) {{ edges {{ node {{ {fields} }} }} }} }} }}"


async def test_every_response_reports_its_cost_and_the_budget(graph: Graph) -> None:
    ok = await graph.query("{ viewer { name code } }", extensions=True)
    invalid = await graph.query("{ viewer { password } }", extensions=True)
    assert ok["extensions"]["cost"] == {
        "requestedQueryCost": 3,
        "throttleStatus": {"maximumAvailable": 20000, "currentlyAvailable": 19997, "restoreRate": 500},
    }
    assert codes(invalid) == ["GRAPHQL_VALIDATION_FAILED"]
    assert invalid["extensions"]["cost"]["requestedQueryCost"] == 0
    assert 19997 <= invalid["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] <= 20000


async def test_a_query_over_the_cost_limit_is_refused_and_nothing_runs(graph: Graph) -> None:
    body = await graph.query(fifty_fields_per_order(100), extensions=True)
    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["cost"] == 3 + 100 * 50 + 1
    assert body["errors"][0]["extensions"]["maxCost"] == 5000
    assert graph.upstream_calls() == []
    # nothing charged either
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 20000


async def test_the_cost_limit_is_a_setting(graph: Graph) -> None:
    strict = limited(graph, max_query_cost=50)
    refused = await strict.query(fifty_fields_per_order(1))
    assert codes(refused) == ["QUERY_TOO_COMPLEX"]
    assert refused["errors"][0]["extensions"] == {"cost": 54, "maxCost": 50, "code": "QUERY_TOO_COMPLEX"}


async def test_a_cyclic_query_is_bounded_by_its_cost_before_it_runs(graph: Graph) -> None:
    cycle = "loans { orders { " * 25 + "orderNo" + " } }" * 25
    body = await graph.query("{ viewer { orders(first: 100) { edges { node { " + cycle + " } } } } }")
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert graph.upstream_calls() == []


async def test_first_above_100_is_refused_before_it_runs(graph: Graph) -> None:
    body = await graph.query(
        "query ($n: Int) { viewer { loans(first: $n) { totalCount } } }", {"n": 101}, extensions=True
    )
    assert body["data"] is None
    assert codes(body) == ["FIRST_TOO_LARGE"]
    assert graph.upstream_calls() == []
    assert "cost" in body["extensions"]


async def test_a_spent_budget_throttles_until_restored(graph: Graph) -> None:
    clock = Clock()
    small = limited(graph, clock, cost_budget=10, cost_restore_per_second=1)
    query = "{ viewer { name code creditCode } }"  # costs 4
    assert "errors" not in await small.query(query)
    assert "errors" not in await small.query(query)
    calls = len(small.upstream_calls())
    throttled = await small.query(query, extensions=True)
    assert throttled["data"] is None
    assert codes(throttled) == ["THROTTLED"]
    assert throttled["errors"][0]["extensions"]["retryAfter"] == 2
    assert throttled["extensions"]["cost"] == {
        "requestedQueryCost": 4,
        "throttleStatus": {"maximumAvailable": 10, "currentlyAvailable": 2, "restoreRate": 1},
    }
    assert len(small.upstream_calls()) == calls  # nothing ran
    # another supplier has a budget of its own
    assert "errors" not in await small.query(query, as_supplier="HN-MALL")
    clock.now += 2
    assert "errors" not in await small.query(query)


async def test_anonymous_callers_are_priced_and_budgeted_by_address(graph: Graph) -> None:
    clock = Clock()
    small = limited(graph, clock, cost_budget=3, cost_restore_per_second=1)
    query = "{ viewer { name } }"  # costs 2; refused at `viewer` (UNAUTHENTICATED) once admitted
    assert codes(await anonymous(small, query)) == ["UNAUTHENTICATED"]
    assert codes(await anonymous(small, query)) == ["THROTTLED"]
    assert codes(await anonymous(small, query, client_ip="198.51.100.1")) == ["UNAUTHENTICATED"]
    viewer = Context.build(graph.services, Viewer(supplier_code="GD-BOTH", role=Role.SUPPLIER))
    nobody = Context.build(graph.services, AuthenticationError("no token"))
    assert (budget_key(viewer), budget_key(nobody)) == ("supplier:GD-BOTH", "anonymous:unknown")


async def test_a_repeated_document_is_parsed_and_validated_once(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[object] = []
    validate = document_cache.validate_document

    def counting(*args: Any) -> Any:
        validated.append(args[1])
        return validate(*args)

    monkeypatch.setattr(document_cache, "validate_document", counting)
    query = f"{{ viewer {{ code{uuid.uuid4().hex[:8]}: code }} }}"  # a text no earlier test sent
    hits = document_cache.DOCUMENTS.hits
    first = await graph.query(query)
    second = await graph.query(query)
    assert first == second
    assert "errors" not in first
    assert len(validated) == 1
    assert document_cache.DOCUMENTS.hits == hits + 1


@pytest.mark.parametrize("levels", [22, 24])
async def test_a_fragment_bomb_is_refused_quickly(graph: Graph, levels: int) -> None:
    started = time.perf_counter()
    body = await anonymous(graph, fragment_bomb(levels))
    assert time.perf_counter() - started < HOSTILE_BOUND_SECONDS
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["cost"] == 2 ** (levels + 1)


async def test_a_document_over_the_token_limit_is_refused_unparsed_and_not_cached(graph: Graph) -> None:
    entries = len(document_cache.DOCUMENTS)
    started = time.perf_counter()
    body = await anonymous(graph, wide_document(0, 200))
    assert time.perf_counter() - started < HOSTILE_BOUND_SECONDS
    assert codes(body) == ["QUERY_TOO_LARGE"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 0
    assert len(document_cache.DOCUMENTS) == entries


def aliased_mutations(count: int) -> str:
    return "mutation { " + " ".join(f"m{i}: openFinancing {{ __typename }}" for i in range(count)) + " }"


async def test_a_thousand_aliased_mutations_are_refused_cleanly(graph: Graph) -> None:
    started = time.perf_counter()
    too_large = await graph.query(aliased_mutations(1000))
    # with a token limit high enough to parse them, the mutation count refuses them
    roomy = limited(graph, max_query_tokens=100_000)
    too_many = await roomy.query(aliased_mutations(1000))
    assert time.perf_counter() - started < HOSTILE_BOUND_SECONDS
    assert codes(too_large) == ["QUERY_TOO_LARGE"]
    assert codes(too_many) == ["TOO_MANY_MUTATIONS"]
    assert too_many["errors"][0]["extensions"]["maxMutations"] == 10
    assert graph.upstream_calls() == []


def test_the_document_cache_is_bounded_in_size_and_entries() -> None:
    per_char = document_cache.AST_BYTES_PER_CHAR
    cache = document_cache.DocumentLru(max_entries=3, max_bytes=100 * per_char, max_entry_chars=40)
    entry = document_cache.CachedDocument(document=schema._schema.ast_node)  # type: ignore[arg-type]
    cache.put("x" * 41, 5000, entry)
    assert len(cache) == 0  # too large to keep
    for text in ("a" * 40, "b" * 40, "c" * 40):
        cache.put(text, 5000, entry)
    assert cache.total_bytes <= 100 * per_char
    assert cache.get("a" * 40, 5000) is None  # the oldest went first
    assert cache.get("c" * 40, 5000) is entry
    for text in ("d", "e", "f"):
        cache.put(text, 5000, entry)
    assert len(cache) == 3
