"""`Order.financingStatus` and what it does to `financeable`, `financeableAmount` and the preview (DESIGN §6.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from factories import create_loan
from financing_support import approve_in_db, pick
from graph_fixtures import Graph

from bff.loaders.records import OrderClaimByOrderKeyLoader
from bff.models import FinancingApplication, LoanOrder, LoanStatus, OrderClaim, OrderSource
from bff.schema.node import key_of

ORDERS = """
{ viewer { orders(first: 100) { edges { node {
  id orderNo source status amount financingStatus financeable financeableAmount financedAmount } } } } }
"""
APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  application { id status } userErrors { code message } } }
"""
PREVIEW = """
query ($ids: [ID!]!) { viewer { financingPreview(orderIds: $ids) {
  lines { order { orderNo financingStatus } financeableAmount } financeableTotal userErrors { code message } } } }
"""


async def order_nodes(graph: Graph) -> list[dict[str, Any]]:
    result = await graph.query(ORDERS)
    assert "errors" not in result, result
    return [edge["node"] for edge in result["data"]["viewer"]["orders"]["edges"]]


def by_id(nodes: list[dict[str, Any]], node_id: str) -> dict[str, Any]:
    return next(node for node in nodes if node["id"] == node_id)


def gross(node: dict[str, Any]) -> str:
    ratio = Decimal("0.5") if node["status"] == "PENDING_SHIPMENT" else Decimal("0.8")
    return str((Decimal(node["amount"]) * ratio).quantize(Decimal("0.01")))


async def apply(graph: Graph, ids: list[str]) -> dict[str, Any]:
    result = await graph.query(APPLY, {"ids": ids})
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["applyForOrderFinancing"]
    return payload


async def test_orders_not_in_financing_are_financeable_by_their_status(graph: Graph) -> None:
    nodes = await order_nodes(graph)
    assert {node["financingStatus"] for node in nodes} == {"NOT_FINANCED"}
    processing = pick(nodes, "MALL", "PROCESSING")[0]
    completed = pick(nodes, "MALL", "COMPLETED")[0]
    assert (processing["financeable"], processing["financeableAmount"]) == (True, gross(processing))
    assert (completed["financeable"], completed["financeableAmount"]) == (False, "0.00")


async def test_an_order_in_an_open_application_is_applying_and_not_financeable(graph: Graph) -> None:
    # given
    await approve_in_db(graph)
    chosen = pick(await order_nodes(graph), "MRO", "PENDING_RECEIPT")[0]
    other = pick(await order_nodes(graph), "MALL", "PENDING_SHIPMENT")[0]
    # when
    assert (await apply(graph, [chosen["id"]]))["userErrors"] == []
    # then
    nodes = await order_nodes(graph)
    node = by_id(nodes, chosen["id"])
    assert (node["financingStatus"], node["financeable"], node["financeableAmount"]) == (
        "APPLYING",
        False,
        "0.00",
    )
    assert by_id(nodes, other["id"])["financingStatus"] == "NOT_FINANCED"
    # and the preview says so before anyone applies
    preview = (await graph.query(PREVIEW, {"ids": [other["id"], chosen["id"]]}))["data"]["viewer"][
        "financingPreview"
    ]
    assert [e["code"] for e in preview["userErrors"]] == ["ORDER_ALREADY_IN_FINANCING"]
    assert chosen["orderNo"] in preview["userErrors"][0]["message"]
    assert [line["financeableAmount"] for line in preview["lines"]] == [gross(other), "0.00"]
    assert [line["order"]["financingStatus"] for line in preview["lines"]] == ["NOT_FINANCED", "APPLYING"]
    assert preview["financeableTotal"] == gross(other)


async def test_an_application_past_its_expiry_no_longer_holds_its_orders(graph: Graph) -> None:
    await approve_in_db(graph)
    chosen = pick(await order_nodes(graph), "MALL", "PROCESSING")[0]
    assert (await apply(graph, [chosen["id"]]))["userErrors"] == []
    await FinancingApplication.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    node = by_id(await order_nodes(graph), chosen["id"])
    assert (node["financingStatus"], node["financeable"]) == ("NOT_FINANCED", True)
    assert (await apply(graph, [chosen["id"]]))["userErrors"] == []


@pytest.mark.parametrize(
    ("loan_status", "expected"),
    [
        (LoanStatus.PROCESSING, "FINANCED"),
        (LoanStatus.DISBURSED, "FINANCED"),
        (LoanStatus.OVERDUE, "FINANCED"),
        (LoanStatus.FAILED, "NOT_FINANCED"),
        (LoanStatus.SETTLED, "NOT_FINANCED"),
    ],
)
async def test_an_order_backing_a_live_loan_is_financed(
    graph: Graph, loan_status: LoanStatus, expected: str
) -> None:
    # given: a loan over the order; a live one holds the order's claim, a failed or settled one freed it
    await approve_in_db(graph)
    chosen = pick(await order_nodes(graph), "MALL", "PENDING_SHIPMENT")[0]
    order_id = key_of(chosen["id"], "Order", "").split(":", 1)[1]
    loan = await create_loan("WBL-STATUS", status=loan_status, amount_fen=1_000)
    await LoanOrder.create(
        loan=loan, source=OrderSource.MALL, order_id=order_id, order_no=chosen["orderNo"], financed_fen=1_000
    )
    if expected == "FINANCED":
        await OrderClaim.create(source=OrderSource.MALL, order_id=order_id, loan=loan)
    # when
    node = by_id(await order_nodes(graph), chosen["id"])
    # then
    assert node["financingStatus"] == expected
    if expected == "FINANCED":
        assert (node["financeable"], node["financeableAmount"], node["financedAmount"]) == (
            False,
            "0.00",
            "10.00",
        )
        refused = await apply(graph, [chosen["id"]])
        assert [e["code"] for e in refused["userErrors"]] == ["ORDER_ALREADY_IN_FINANCING"]
    else:
        assert (node["financeable"], node["financeableAmount"], node["financedAmount"]) == (
            True,
            gross(chosen),
            "0.00",
        )
        assert (await apply(graph, [chosen["id"]]))["userErrors"] == []


async def test_a_live_loan_counts_even_when_another_application_holds_the_claim(graph: Graph) -> None:
    # WeBank made a loan from a lapsed application after another application had taken the order.
    await approve_in_db(graph)
    chosen = pick(await order_nodes(graph), "MALL", "PROCESSING")[0]
    assert (await apply(graph, [chosen["id"]]))["userErrors"] == []
    order_id = key_of(chosen["id"], "Order", "").split(":", 1)[1]
    loan = await create_loan("WBL-LATE", status=LoanStatus.DISBURSED, amount_fen=500)
    await LoanOrder.create(
        loan=loan, source=OrderSource.MALL, order_id=order_id, order_no=chosen["orderNo"], financed_fen=500
    )
    assert by_id(await order_nodes(graph), chosen["id"])["financingStatus"] == "FINANCED"


async def test_a_page_reads_its_claims_in_one_batch(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    original = OrderClaimByOrderKeyLoader.batch_load_fn

    async def counted(self: OrderClaimByOrderKeyLoader, keys: list[Any]) -> list[OrderClaim | None]:
        batches.append(len(keys))
        return await original(self, keys)

    monkeypatch.setattr(OrderClaimByOrderKeyLoader, "batch_load_fn", counted)
    nodes = await order_nodes(graph)
    assert len(nodes) > 10
    assert batches == [len(nodes)]
