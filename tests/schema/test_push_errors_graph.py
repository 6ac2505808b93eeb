"""No silent dead ends (DESIGN §6.2): a push WeBank refused or never took shows as `pushError`, never
advances the admission, and the same mutation queues it again; an application whose orders never reached
the bank fails and frees its orders. On both databases, over HTTP, against the sandbox bank."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from app_fixtures import Bff
from financing_support import approve, orders, pick
from test_admission_flow_graph import agree, credit_code_of

from bff.domain.statuses import OutboxStatus
from bff.models import OrderClaim, OutboxMessage
from bff.outbox import DeliveryOutcome, OutboxDelivery, apply_failure, apply_result
from bff_sandbox.push_refusals import refusals_of

STATE = """
{ viewer { admission { status continueUrl pushPending pushError { code message failedAt }
  handler { name } steps { key state } } } }
"""
OPEN = """
mutation { openFinancing { pushPending userErrors { code message }
  admission { status pushPending pushError { code message failedAt } steps { key state } } } }
"""
HANDLER = """
mutation { submitHandler(input: {name: "李经办", phone: "13800138000", email: "jb@example.com"}) {
  registrationUrl pushPending userErrors { code message }
  admission { status continueUrl handler { name } pushError { code message } steps { key state } } } }
"""
APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  redirectUrl handOverPending userErrors { code }
  application { id status financingUrl handOverPending pushError { code message failedAt } } } }
"""
APPLICATION = """
query ($id: ID!) { node(id: $id) { ... on FinancingApplication { status pushError { code message } } } }
"""
FINANCING_STATUS = "{ viewer { orders(first: 100) { edges { node { id financingStatus } } } } }"


async def data(bff: Bff, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await bff.query(query, variables)
    assert "errors" not in result, result
    value: dict[str, Any] = result["data"]
    return value


async def admission(bff: Bff) -> dict[str, Any]:
    value: dict[str, Any] = (await data(bff, STATE))["viewer"]["admission"]
    return value


def steps(admission: dict[str, Any]) -> dict[str, str]:
    return {step["key"]: step["state"] for step in admission["steps"]}


@contextmanager
def refusing(bff: Bff, endpoint: str, code: str = "INVALID_STATISTICS") -> Iterator[None]:
    with refusals_of(bff.sandbox.state).refusing(endpoint, 400, code):
        yield


def posts(bff: Bff, suffix: str) -> list[str]:
    return [c for c in bff.upstream_calls("webank") if c.startswith("webank POST") and c.endswith(suffix)]


async def request_ids(kind: str) -> list[str]:
    return [m.request_id for m in await OutboxMessage.filter(kind=kind).order_by("id")]


# --- 开通 -------------------------------------------------------------------------------------------------


async def test_a_refused_open_shows_the_banks_code_and_opening_again_queues_it_anew(bff: Bff) -> None:
    # given
    await agree(bff)
    # when: the bank refuses the push
    with refusing(bff, "push_supplier"):
        refused = (await data(bff, OPEN))["openFinancing"]
    # then: the click succeeded, the refusal is shown, the admission does not go on
    assert refused["userErrors"] == []
    assert refused["pushPending"] is False
    error = refused["admission"]["pushError"]
    assert error["code"] == "INVALID_STATISTICS"
    assert "微众银行未接受开通信息" in error["message"]
    assert "请重新点击【开通】" in error["message"]
    assert error["failedAt"]
    assert refused["admission"]["status"] == "OPENED"
    assert steps(refused["admission"])["OPEN"] == "FAILED"
    assert bff.sandbox.state.supplier_pushes() == ()
    # and the handler form is refused rather than sent to a bank that has no such supplier
    handler = (await data(bff, HANDLER))["submitHandler"]
    assert [e["code"] for e in handler["userErrors"]] == ["FINANCING_NOT_OPENED"]
    assert handler["registrationUrl"] is None
    assert posts(bff, "/handler") == []

    # when: opening again once the bank accepts
    again = (await data(bff, OPEN))["openFinancing"]
    # then: a new push under a new request id, delivered; the error is gone
    assert again["userErrors"] == []
    assert (again["pushPending"], again["admission"]["pushError"]) == (False, None)
    assert steps(again["admission"])["OPEN"] == "DONE"
    pushed = bff.sandbox.state.supplier_pushes()
    assert [p.supplier.credit_code for p in pushed] == [credit_code_of(bff)]
    ids = await request_ids("supplier.push")
    assert len(ids) == 2
    assert ids[0] != ids[1]
    assert pushed[0].request_id == ids[1]
    # a further click pushes nothing
    assert (await data(bff, OPEN))["openFinancing"]["userErrors"] == []
    assert len(await request_ids("supplier.push")) == 2
    # and the handler form now goes through
    registered = (await data(bff, HANDLER))["submitHandler"]
    assert registered["admission"]["status"] == "REGISTERING"
    assert registered["registrationUrl"]


async def test_concurrent_clicks_after_a_refused_open_queue_it_once(bff: Bff) -> None:
    await agree(bff)
    with refusing(bff, "push_supplier"):
        await data(bff, OPEN)
    results = await asyncio.gather(*(data(bff, OPEN) for _ in range(5)))
    assert all(r["openFinancing"]["userErrors"] == [] for r in results)
    assert len(await request_ids("supplier.push")) == 2  # the refused one and one retry
    assert len(bff.sandbox.state.supplier_pushes()) == 1
    assert (await admission(bff))["pushError"] is None


async def test_an_open_retried_until_the_give_up_time_fails_with_push_gave_up(bff: Bff) -> None:
    # given: 开通 while WeBank is down
    await agree(bff)
    bff.sandbox.state.set_webank_down(True)
    try:
        assert (await data(bff, OPEN))["openFinancing"]["pushPending"] is True
        message = await OutboxMessage.get(kind="supplier.push")
        # when: a worker whose clock is a day on tries once more (an injected clock: no waiting)
        a_day_later = message.created_at + bff.settings.push_give_up_hours * timedelta(hours=1)
        outbox = OutboxDelivery(
            bff.app.state.services.upstreams.webank,
            apply_result,
            clock=lambda: a_day_later + timedelta(seconds=1),
            on_failed=apply_failure,
        )
        assert await outbox.deliver(message.id) is DeliveryOutcome.FAILED
    finally:
        bff.sandbox.state.set_webank_down(False)
    # then
    stuck = await admission(bff)
    assert (stuck["status"], stuck["pushPending"], stuck["continueUrl"]) == ("OPENED", False, None)
    assert stuck["pushError"]["code"] == "PUSH_GAVE_UP"
    assert "webank: answered HTTP 503" in stuck["pushError"]["message"]
    assert steps(stuck)["OPEN"] == "FAILED"
    # when: WeBank is back and the supplier opens again
    again = (await data(bff, OPEN))["openFinancing"]
    # then
    assert (again["pushPending"], again["admission"]["pushError"]) == (False, None)
    assert len(bff.sandbox.state.supplier_pushes()) == 1
    assert (await OutboxMessage.get(id=message.id)).status is OutboxStatus.FAILED  # history stays


# --- the handler form (经办人) -------------------------------------------------------------------------------


async def test_a_refused_handler_form_keeps_the_admission_opened_until_submitted_again(bff: Bff) -> None:
    # given
    await agree(bff)
    await data(bff, OPEN)
    # when
    with refusing(bff, "submit_handler", "INVALID_HANDLER"):
        refused = (await data(bff, HANDLER))["submitHandler"]
    # then: the form is kept and shown, the bank's page is not offered, the status does not advance
    assert refused["userErrors"] == []
    assert (refused["registrationUrl"], refused["pushPending"]) == (None, False)
    assert refused["admission"]["status"] == "OPENED"
    assert refused["admission"]["continueUrl"] is None
    assert refused["admission"]["handler"] == {"name": "李经办"}
    assert refused["admission"]["pushError"]["code"] == "INVALID_HANDLER"
    assert "经办人信息" in refused["admission"]["pushError"]["message"]
    assert steps(refused["admission"]) == {
        "AGREE": "DONE",
        "OPEN": "DONE",
        "HANDLER": "FAILED",
        "VERIFY": "TODO",
        "DECISION": "TODO",
    }

    # when: the same form again, the bank accepting
    again = (await data(bff, HANDLER))["submitHandler"]
    # then: queued anew and delivered; now REGISTERING with the bank's page
    assert again["userErrors"] == []
    assert again["admission"]["status"] == "REGISTERING"
    assert again["registrationUrl"]
    assert again["admission"]["continueUrl"] == again["registrationUrl"]
    assert again["admission"]["pushError"] is None
    assert steps(again["admission"])["HANDLER"] == "DONE"
    ids = await request_ids("supplier.handler")
    assert len(ids) == 2
    assert ids[0] != ids[1]
    # a repeated click pushes nothing more
    repeated = (await data(bff, HANDLER))["submitHandler"]
    assert repeated["registrationUrl"] == again["registrationUrl"]
    assert len(await request_ids("supplier.handler")) == 2


async def test_a_handler_form_waiting_for_the_bank_is_shown_without_advancing(bff: Bff) -> None:
    await agree(bff)
    await data(bff, OPEN)
    bff.sandbox.state.set_webank_down(True)
    try:
        waiting = (await data(bff, HANDLER))["submitHandler"]
    finally:
        bff.sandbox.state.set_webank_down(False)
    assert (waiting["pushPending"], waiting["registrationUrl"]) == (True, None)
    assert waiting["admission"]["status"] == "OPENED"
    assert waiting["admission"]["handler"] == {"name": "李经办"}
    assert steps(waiting["admission"])["HANDLER"] == "CURRENT"


# --- an application's orders ------------------------------------------------------------------------------


async def test_a_refused_orders_push_fails_the_application_and_frees_its_orders(bff: Bff) -> None:
    # given
    await approve(bff)
    chosen = [n["id"] for n in pick(await orders(bff), "MALL", "PENDING_SHIPMENT")]
    # when
    with refusing(bff, "push_orders", "ORDER_REJECTED"):
        payload = (await data(bff, APPLY, {"ids": chosen}))["applyForOrderFinancing"]
    # then: the application stays visible, FAILED, with why; the orders are free again at once
    application = payload["application"]
    assert (payload["redirectUrl"], payload["handOverPending"]) == (None, False)
    assert (application["status"], application["financingUrl"], application["handOverPending"]) == (
        "FAILED",
        None,
        False,
    )
    assert application["pushError"]["code"] == "ORDER_REJECTED"
    assert "所选订单已释放" in application["pushError"]["message"]
    node = (await data(bff, APPLICATION, {"id": application["id"]}))["node"]
    assert node["status"] == "FAILED"
    assert node["pushError"]["code"] == "ORDER_REJECTED"
    assert await OrderClaim.all().count() == 0
    statuses = {
        edge["node"]["id"]: edge["node"]["financingStatus"]
        for edge in (await data(bff, FINANCING_STATUS))["viewer"]["orders"]["edges"]
    }
    assert statuses[chosen[0]] == "NOT_FINANCED"
    # and the same orders can be applied for again
    again = (await data(bff, APPLY, {"ids": chosen}))["applyForOrderFinancing"]
    assert again["userErrors"] == []
    assert again["application"]["status"] == "HANDED_OVER"
    assert again["application"]["pushError"] is None


async def test_pushes_that_went_through_show_no_error(bff: Bff) -> None:
    await agree(bff)
    await data(bff, OPEN)
    await data(bff, HANDLER)
    current = await admission(bff)
    assert (current["status"], current["pushError"]) == ("REGISTERING", None)
    assert set(steps(current).values()) <= {"DONE", "CURRENT", "TODO"}
