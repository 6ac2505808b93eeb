"""`applyForOrderFinancing` and `financingPreview`: every rule of DESIGN §2 against the running sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_loan
from financing_support import approve, orders, pick

from bff.domain.financeability import MALL_REFUSAL, MRO_REFUSAL
from bff.models import FinancingApplication, OrderClaim

APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  redirectUrl handOverPending
  application { id status ceiling financeableTotal financingUrl handOverPending
    orders { orderNo source amount financeableAmount order { orderNo } } }
  userErrors { code message field } } }
"""
PREVIEW = """
query ($ids: [ID!]!) { viewer { financingPreview(orderIds: $ids) {
  lines { order { orderNo } financeableAmount financedAmount } financeableTotal availableLimit ceiling
  userErrors { code message field } } } }
"""


async def apply(bff: Bff, ids: list[str], code: str = "GD-BOTH") -> dict[str, Any]:
    result = await bff.query(APPLY, {"ids": ids}, as_supplier=code)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["applyForOrderFinancing"]
    return payload


async def preview(bff: Bff, ids: list[str]) -> dict[str, Any]:
    result = await bff.query(PREVIEW, {"ids": ids})
    assert "errors" not in result, result
    value: dict[str, Any] = result["data"]["viewer"]["financingPreview"]
    return value


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_mixed_mall_and_mro_orders_are_pushed_and_handed_over(bff: Bff) -> None:
    # given
    await approve(bff)
    nodes = await orders(bff)
    chosen = (
        pick(nodes, "MALL", "PENDING_SHIPMENT")
        + pick(nodes, "MALL", "PROCESSING")
        + pick(nodes, "MRO", "PENDING_RECEIPT")
    )
    expected_total = sum(
        (
            Decimal(n["amount"]) * (Decimal("0.5") if n["status"] == "PENDING_SHIPMENT" else Decimal("0.8"))
        ).quantize(Decimal("0.01"))
        for n in chosen
    )
    # when
    payload = await apply(bff, [n["id"] for n in chosen])
    # then
    assert payload["userErrors"] == []
    application = payload["application"]
    assert application["status"] == "HANDED_OVER"
    assert payload["redirectUrl"] == application["financingUrl"]
    assert "/webank/pages/financing?batch_no=" in payload["redirectUrl"]
    assert payload["handOverPending"] is False
    assert Decimal(application["financeableTotal"]) == expected_total
    assert application["ceiling"] == application["financeableTotal"]  # 400,000 order share is larger
    assert [o["orderNo"] for o in application["orders"]] == [n["orderNo"] for n in chosen]
    assert [o["order"]["orderNo"] for o in application["orders"]] == [n["orderNo"] for n in chosen]
    batches = bff.sandbox.state.order_batches()
    assert len(batches) == 1
    pushed = {o.order_no: o for o in batches[0].orders}
    assert set(pushed) == {n["orderNo"] for n in chosen}
    for node in chosen:
        assert str(pushed[node["orderNo"]].financeable_amount) == node["financeableAmount"]
        assert pushed[node["orderNo"]].source == node["source"]


async def test_preview_shows_amounts_and_the_ceiling_without_changing_anything(bff: Bff) -> None:
    await approve(bff, total="1000.00")  # order share 400.00
    nodes = await orders(bff)
    chosen = pick(nodes, "MALL", "PROCESSING") + pick(nodes, "MRO", "PENDING_SHIPMENT")
    result = await preview(bff, [n["id"] for n in chosen])
    assert result["userErrors"] == []
    assert [line["financeableAmount"] for line in result["lines"]] == [n["financeableAmount"] for n in chosen]
    assert result["financeableTotal"] == str(sum(Decimal(n["financeableAmount"]) for n in chosen))
    assert result["availableLimit"] == "400.00"
    assert result["ceiling"] == "400.00"
    assert await FinancingApplication.all().count() == 0
    assert await OrderClaim.all().count() == 0


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        pytest.param(
            [("MALL", "PENDING_SHIPMENT"), ("MALL", "COMPLETED")], MALL_REFUSAL, id="mall-completed"
        ),
        pytest.param([("MALL", "PENDING_CONFIRMATION")], MALL_REFUSAL, id="mall-pending-confirmation"),
        pytest.param([("MRO", "PENDING_RECEIPT"), ("MRO", "CANCELLED")], MRO_REFUSAL, id="mro-only-wording"),
        pytest.param([("MRO", "REJECTED"), ("MALL", "PROCESSING")], MALL_REFUSAL, id="mixed"),
    ],
)
async def test_any_unfinanceable_status_refuses_the_whole_application(
    bff: Bff, selection: list[tuple[str, str]], message: str
) -> None:
    await approve(bff)
    nodes = await orders(bff)
    ids = [pick(nodes, source, status)[0]["id"] for source, status in selection]
    payload = await apply(bff, ids)
    assert payload["userErrors"] == [
        {"code": "ORDER_STATUS_NOT_FINANCEABLE", "message": message, "field": "orderIds"}
    ]
    assert payload["application"] is None
    assert await OrderClaim.all().count() == 0
    assert bff.sandbox.state.order_batches() == ()


async def test_bad_selections_get_specific_errors_and_change_nothing(bff: Bff) -> None:
    await approve(bff)
    mine = pick(await orders(bff), "MALL", "PROCESSING")[0]["id"]
    theirs = pick(await orders(bff, "HN-MALL"), "MALL", "PROCESSING")[0]["id"]
    unknown = "T3JkZXI6TUFMTDo5OTk5OTk="  # Order:MALL:999999
    assert codes(await apply(bff, [])) == ["INVALID_INPUT"]
    assert codes(await apply(bff, [mine, mine])) == ["INVALID_INPUT"]
    assert codes(await apply(bff, [mine, theirs])) == ["ORDER_NOT_FOUND"]
    assert codes(await apply(bff, [unknown])) == ["ORDER_NOT_FOUND"]
    malformed = await bff.query(APPLY, {"ids": ["not-an-id"]})
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert await FinancingApplication.all().count() == 0


async def test_without_an_approved_limit_there_is_no_financing(bff: Bff) -> None:
    nodes = await orders(bff)
    payload = await apply(bff, [pick(nodes, "MALL", "PROCESSING")[0]["id"]])
    assert codes(payload) == ["NO_CREDIT_LIMIT"]


async def test_an_exhausted_order_share_is_refused(bff: Bff) -> None:
    await approve(bff, total="10000.00")  # order share 4,000.00
    await create_loan(
        loan_no="L-USED",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="DISBURSED",
        amount_fen=400_000,
        outstanding_principal_fen=400_000,
        applied_at=datetime.now(UTC),
    )
    nodes = await orders(bff)
    payload = await apply(bff, [pick(nodes, "MALL", "PROCESSING")[0]["id"]])
    assert codes(payload) == ["LIMIT_EXHAUSTED"]


async def test_an_order_in_an_open_application_cannot_be_financed_again_until_it_expires(bff: Bff) -> None:
    await approve(bff)
    nodes = await orders(bff)
    shared = pick(nodes, "MRO", "PENDING_SHIPMENT")[0]
    other = pick(nodes, "MALL", "PROCESSING")[0]
    first = await apply(bff, [shared["id"]])
    second = await apply(bff, [other["id"], shared["id"]])
    assert first["userErrors"] == []
    assert codes(second) == ["ORDER_ALREADY_IN_FINANCING"]
    assert shared["orderNo"] in second["userErrors"][0]["message"]
    # when the first application expires unused
    await FinancingApplication.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    third = await apply(bff, [other["id"], shared["id"]])
    assert third["userErrors"] == []
    assert await FinancingApplication.filter(status="EXPIRED").count() == 1


async def test_webank_unreachable_records_the_application_and_hands_over_later(bff: Bff) -> None:
    await approve(bff)
    nodes = await orders(bff)
    bff.sandbox.state.set_webank_down(True)
    try:
        payload = await apply(bff, [pick(nodes, "MALL", "PROCESSING")[0]["id"]])
    finally:
        bff.sandbox.state.set_webank_down(False)
    assert payload["userErrors"] == []
    assert payload["redirectUrl"] is None
    assert payload["handOverPending"] is True
    assert payload["application"]["status"] == "PENDING_PUSH"
    node = {
        "query": "query ($id: ID!) { node(id: $id) { ... on FinancingApplication { status financingUrl } } }"
    }
    for _ in range(100):
        result = await bff.query(node["query"], {"id": payload["application"]["id"]})
        if result["data"]["node"]["financingUrl"]:
            break
        await asyncio.sleep(0.1)
    assert result["data"]["node"]["status"] == "HANDED_OVER"
    assert len(bff.sandbox.state.order_batches()) == 1


async def test_credit_financing_needs_an_approved_limit(bff: Bff) -> None:
    credit = "mutation { applyForCreditFinancing { redirectUrl userErrors { code } } }"
    refused = (await bff.query(credit))["data"]["applyForCreditFinancing"]
    await approve(bff)
    granted = (await bff.query(credit))["data"]["applyForCreditFinancing"]
    assert refused == {"redirectUrl": None, "userErrors": [{"code": "NO_CREDIT_LIMIT"}]}
    assert granted["userErrors"] == []
    assert granted["redirectUrl"]
