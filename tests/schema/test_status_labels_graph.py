"""`statusLabel` on Order, Loan, Admission and FinancingApplication: the manual's Chinese beside the code."""

from __future__ import annotations

from factories import create_admission, create_loan
from financing_support import approve_in_db
from graph_fixtures import Graph

from bff.domain.statuses import AdmissionStatus, LoanStatus

ORDERS = "{ viewer { orders(first: 100) { edges { node { status statusLabel } } } } }"
LOANS = "{ viewer { loans(first: 20) { edges { node { status statusLabel } } } } }"
ADMISSION = "{ viewer { admission { status statusLabel } } }"
APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  application { status statusLabel } userErrors { code } } }
"""
FINANCEABLE = "{ viewer { orders(first: 100) { edges { node { id financeable } } } } }"


async def test_orders_carry_the_order_systems_chinese_status(graph: Graph) -> None:
    result = await graph.query(ORDERS)
    pairs = {
        (e["node"]["status"], e["node"]["statusLabel"]) for e in result["data"]["viewer"]["orders"]["edges"]
    }
    assert ("PENDING_SHIPMENT", "待发货") in pairs
    assert ("COMPLETED", "已完成") in pairs
    assert len({status for status, _ in pairs}) == len(pairs)  # one label per status


async def test_loans_read_the_manuals_financing_statuses(graph: Graph) -> None:
    for i, status in enumerate([LoanStatus.PROCESSING, LoanStatus.DISBURSED, LoanStatus.FAILED]):
        await create_loan(f"WBL-{i}", status=status)
    result = await graph.query(LOANS)
    labels = {
        e["node"]["status"]: e["node"]["statusLabel"] for e in result["data"]["viewer"]["loans"]["edges"]
    }
    assert labels == {"PROCESSING": "处理中", "DISBURSED": "已放款", "FAILED": "融资失败"}


async def test_admission_label(graph: Graph) -> None:
    await create_admission(status=AdmissionStatus.REGISTERING)
    result = await graph.query(ADMISSION)
    assert result["data"]["viewer"]["admission"] == {"status": "REGISTERING", "statusLabel": "注册认证中"}


async def test_financing_application_label(graph: Graph) -> None:
    await approve_in_db(graph)
    nodes = [e["node"] for e in (await graph.query(FINANCEABLE))["data"]["viewer"]["orders"]["edges"]]
    ids = [node["id"] for node in nodes if node["financeable"]][:1]
    result = await graph.query(APPLY, {"ids": ids})
    payload = result["data"]["applyForOrderFinancing"]
    assert payload["userErrors"] == [], result
    assert payload["application"] == {"status": "HANDED_OVER", "statusLabel": "待微众银行确认"}
