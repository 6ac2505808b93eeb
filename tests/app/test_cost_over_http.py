"""`extensions.cost` reaches HTTP clients on every response, and websocket clients on each `next`."""

from __future__ import annotations

from app_fixtures import Bff
from ws_support import next_payload

SUBSCRIPTION = "subscription { admissionChanged { status creditLimit { total } } }"
THROTTLE_STATUS = {"maximumAvailable", "currentlyAvailable", "restoreRate"}


async def test_an_answered_query_reports_its_cost(bff: Bff) -> None:
    body = await bff.query("{ viewer { code } }", extensions=True)
    assert body["data"] == {"viewer": {"code": "GD-BOTH"}}
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2
    assert set(cost["throttleStatus"]) == THROTTLE_STATUS
    assert cost["throttleStatus"]["maximumAvailable"] == bff.settings.cost_budget


async def test_an_anonymous_refusal_reports_its_cost_too(bff: Bff) -> None:
    fields = " ".join(f"f{i}: orderNo" for i in range(60))
    body = await bff.query(
        f"{{ viewer {{ orders(first: 100) {{ edges {{ node {{ {fields} }} }} }} }} }}",
        as_supplier=None,
        extensions=True,
    )
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 3 + 100 * 60 + 1
    assert bff.upstream_calls() == []


async def test_each_subscription_payload_carries_the_cost_charged_when_it_started(bff: Bff) -> None:
    ws = await bff.subscribe(SUBSCRIPTION)
    try:
        payload = await next_payload(ws, extensions=True)
    finally:
        await ws.close()
    assert payload["data"] == {"admissionChanged": None}
    assert payload["extensions"]["cost"]["requestedQueryCost"] == 4
    assert set(payload["extensions"]["cost"]["throttleStatus"]) == THROTTLE_STATUS
