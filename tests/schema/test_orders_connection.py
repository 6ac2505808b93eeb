"""`Supplier.orders`: mall and MRO merged newest first, cursor-paginated, filtered by source and status."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from graph_fixtures import Graph

from bff.domain.calendar import today_in_shanghai
from bff_sandbox.seed import build_seed

ORDERS = """
query ($first: Int, $after: String, $source: OrderSource, $statuses: [OrderStatus!]) {
  viewer { orders(first: $first, after: $after, source: $source, statuses: $statuses) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id orderNo source status amount buyerName createdAt
      contract { contractNo amount signedAt } financeable financeableAmount financedAmount loans { loanNo } } }
  } }
}
"""


def seeded_orders(code: str = "GD-BOTH") -> tuple[list[Any], list[Any]]:
    seed = build_seed(today_in_shanghai())
    return (
        [order for order in seed.mall_orders if order.supplier_code == code],
        [order for order in seed.mro_orders if order.supplier_code == code],
    )


async def page(graph: Graph, **variables: Any) -> dict[str, Any]:
    result = await graph.query(ORDERS, variables)
    assert "errors" not in result, result
    connection: dict[str, Any] = result["data"]["viewer"]["orders"]
    return connection


async def test_paging_through_every_order_visits_each_once_newest_first(graph: Graph) -> None:
    # given
    mall, mro = seeded_orders()
    # when
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        connection = await page(graph, first=7, after=after)
        seen.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    # then
    assert connection["totalCount"] == len(mall) + len(mro)
    assert sorted(node["orderNo"] for node in seen) == sorted(
        [o.order_no for o in mall] + [o.trade_order_no for o in mro]
    )
    times = [datetime.fromisoformat(node["createdAt"]) for node in seen]
    assert times == sorted(times, reverse=True)
    assert all(node["createdAt"].endswith("+08:00") for node in seen)


async def test_filtering_by_source_and_status(graph: Graph) -> None:
    # given
    mall, mro = seeded_orders()
    # when
    mro_only = await page(graph, first=100, source="MRO")
    pending_receipt = await page(graph, first=100, statuses=["PENDING_RECEIPT"])
    processing = await page(graph, first=100, statuses=["PROCESSING"])
    # then
    assert {edge["node"]["source"] for edge in mro_only["edges"]} == {"MRO"}
    assert mro_only["totalCount"] == len(mro)
    assert pending_receipt["totalCount"] == sum(1 for o in mro if o.order_status == 30)
    assert {edge["node"]["source"] for edge in pending_receipt["edges"]} <= {"MRO"}
    assert processing["totalCount"] == sum(1 for o in mall if o.status == "PROCESSING")


async def test_amounts_are_exact_and_mro_contracts_carry_only_their_number(graph: Graph) -> None:
    # given
    mall, mro = seeded_orders()
    expected = {o.order_no: f"{o.amount:.2f}" for o in mall} | {
        o.trade_order_no: f"{o.pay_amount:.2f}" for o in mro
    }
    # when
    connection = await page(graph, first=100)
    # then
    for edge in connection["edges"]:
        node = edge["node"]
        assert node["amount"] == expected[node["orderNo"]]
        if node["source"] == "MRO" and node["contract"] is not None:
            assert node["contract"]["amount"] is None
            assert node["contract"]["signedAt"] is None


RATIOS = {
    ("MALL", "PENDING_SHIPMENT"): Decimal("0.5"),
    ("MALL", "PROCESSING"): Decimal("0.8"),
    ("MRO", "PENDING_SHIPMENT"): Decimal("0.5"),
    ("MRO", "PENDING_RECEIPT"): Decimal("0.8"),
}


async def test_financeability_follows_the_status_rules_and_ratios(graph: Graph) -> None:
    connection = await page(graph, first=100)
    statuses = {(edge["node"]["source"], edge["node"]["status"]) for edge in connection["edges"]}
    assert set(RATIOS) <= statuses  # the seed covers every financeable case
    for edge in connection["edges"]:
        node = edge["node"]
        ratio = RATIOS.get((node["source"], node["status"]))
        expected = (
            (Decimal(node["amount"]) * ratio).quantize(Decimal("0.01"), ROUND_HALF_UP) if ratio else None
        )
        assert node["financeable"] is (ratio is not None)
        assert node["financeableAmount"] == (f"{expected}" if expected is not None else "0.00")
        assert node["financedAmount"] == "0.00"
        assert node["loans"] == []


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        pytest.param({"first": 0}, "`first`", id="first-zero"),
        pytest.param({"after": "garbage"}, "`after`", id="garbage-cursor"),
        pytest.param({"after": "eyJrIjoibG9hbnMiLCJ0IjoieCJ9"}, "`after`", id="cursor-of-another-list"),
    ],
)
async def test_bad_paging_arguments_are_invalid_input(
    graph: Graph, variables: dict[str, Any], fragment: str
) -> None:
    result = await graph.query(ORDERS, variables)
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert fragment in result["errors"][0]["message"]


async def test_first_over_100_is_refused_before_it_runs(graph: Graph) -> None:
    # DESIGN §6.1: a page above 100 is a cost refusal, found before any upstream is asked
    result = await graph.query(ORDERS, {"first": 101})
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FIRST_TOO_LARGE"
    assert "`first`" in result["errors"][0]["message"]
    assert graph.upstream_calls() == []
