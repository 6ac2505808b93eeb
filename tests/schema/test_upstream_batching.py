"""A page of orders costs a constant number of upstream calls, however many orders it holds."""

from __future__ import annotations

from collections import Counter

import pytest
from graph_fixtures import Graph

ORDERS_WITH_CONTRACTS = """
query ($first: Int!) { viewer { name eligibility { eligible }
  orders(first: $first) { edges { node { id orderNo source status amount financeable financeableAmount
    financedAmount contract { contractNo amount signedAt } loans { loanNo } } } } } }
"""


def calls_by_system(graph: Graph) -> Counter[str]:
    return Counter(call.split()[0] for call in graph.upstream_calls())


@pytest.mark.parametrize("first", [5, 20, 50])
async def test_listing_orders_with_contracts_costs_the_same_calls_for_any_page_size(
    graph: Graph, first: int
) -> None:
    # when
    result = await graph.query(ORDERS_WITH_CONTRACTS, {"first": first})
    # then
    assert "errors" not in result, result
    assert len(result["data"]["viewer"]["orders"]["edges"]) == first
    # mall: profile, fulfilment, one order page; MRO: fulfilment, one order page
    assert sorted(graph.upstream_calls()) == sorted(
        [
            "mall GET /api/suppliers",
            "mall GET /api/fulfilment",
            "mall GET /api/orders",
            "mro GET /portal/suppliers/GD-BOTH/fulfilment",
            "mro GET /portal/trade-orders",
        ]
    )


async def test_orders_fetched_by_id_in_one_query_cost_one_call_per_system(graph: Graph) -> None:
    # given: 30 order ids from the list
    listed = await graph.query("{ viewer { orders(first: 30) { edges { node { id source } } } } }")
    ids = [edge["node"]["id"] for edge in listed["data"]["viewer"]["orders"]["edges"]]
    assert {edge["node"]["source"] for edge in listed["data"]["viewer"]["orders"]["edges"]} == {"MALL", "MRO"}
    graph.reset_upstream_calls()
    # when: a fresh request asks for all of them through node(id:)
    fields = " ".join(
        f'o{i}: node(id: "{order_id}") {{ ... on Order {{ orderNo }} }}' for i, order_id in enumerate(ids)
    )
    result = await graph.query("{ " + fields + " }")
    # then
    assert "errors" not in result, result
    assert all(value is not None for value in result["data"].values())
    assert sorted(graph.upstream_calls()) == ["mall GET /api/orders", "mro POST /portal/trade-orders/batch"]
