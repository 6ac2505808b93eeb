"""When an upstream is down, the graph answers everything else and says precisely what is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from graph_fixtures import Graph

ORDERS = "{ viewer { orders(first: 50) { totalCount unavailableSources edges { node { source } } } } }"
VIEWER = (
    "{ viewer { code name eligibility { eligible } admission { status } loans(first: 5) { totalCount } } }"
)


@pytest.fixture
def outage(graph: Graph) -> Iterator[None]:
    yield
    for system in ("mall", "mro"):
        graph.sandbox.state.set_order_system_down(system, False)


@pytest.mark.usefixtures("outage")
async def test_with_the_mro_shop_down_the_mall_orders_still_list(graph: Graph) -> None:
    # given
    graph.sandbox.state.set_order_system_down("mro", True)
    # when
    result = await graph.query(ORDERS)
    # then
    assert "errors" not in result, result
    orders = result["data"]["viewer"]["orders"]
    assert orders["unavailableSources"] == ["MRO"]
    assert {edge["node"]["source"] for edge in orders["edges"]} == {"MALL"}
    mall = [o for o in graph.sandbox.state.seed.mall_orders if o.supplier_code == "GD-BOTH"]
    assert orders["totalCount"] == len(mall)


@pytest.mark.usefixtures("outage")
async def test_with_both_order_systems_down_the_list_is_an_upstream_error(graph: Graph) -> None:
    graph.sandbox.state.set_order_system_down("mall", True)
    graph.sandbox.state.set_order_system_down("mro", True)
    result = await graph.query(ORDERS)
    assert result["data"] is None
    assert {e["extensions"]["code"] for e in result["errors"]} == {"UPSTREAM_UNAVAILABLE"}


@pytest.mark.usefixtures("outage")
async def test_with_the_mall_down_the_viewers_own_records_still_answer(graph: Graph) -> None:
    # given
    graph.sandbox.state.set_order_system_down("mall", True)
    # when
    result = await graph.query(VIEWER)
    # then: only the mall-backed fields are null, each with its own error
    viewer = result["data"]["viewer"]
    assert viewer == {
        "code": "GD-BOTH",
        "name": None,
        "eligibility": None,
        "admission": None,
        "loans": {"totalCount": 0},
    }
    failed = {tuple(e["path"]): e["extensions"] for e in result["errors"]}
    assert failed == {
        ("viewer", "name"): {"code": "UPSTREAM_UNAVAILABLE", "system": "mall"},
        ("viewer", "eligibility"): {"code": "UPSTREAM_UNAVAILABLE", "system": "mall"},
    }
    assert all("Traceback" not in e["message"] for e in result["errors"])
