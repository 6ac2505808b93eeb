"""Fan-out shares one read per event: every subscriber told of it gets it exactly once, from loaders that
are the same for that event and new for the next (`bff.events.shared`, `Context.refresh_loaders`)."""

from __future__ import annotations

from typing import Any

import aiohttp
from app_fixtures import Bff
from financing_support import approve, credit_code_of
from ws_support import next_payload

from bff.context import Context
from bff.errors import AuthenticationError
from bff.events import InProcessBroker, Told, loan_topic, shared
from bff.loaders import Loaders

SUBSCRIPTION = "subscription { loanStatusChanged { loanNo status outstandingPrincipal } }"


async def notify(bff: Bff, event_type: str, data: dict[str, Any]) -> None:
    assert (await bff.notify(event_type, data))[0] == 200


async def loan(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    value: dict[str, Any] = (await next_payload(ws))["data"]["loanStatusChanged"]
    return value


async def test_every_subscriber_gets_each_change_exactly_once(bff: Bff) -> None:
    await approve(bff)
    applied = {
        "credit_code": credit_code_of(bff, "GD-BOTH"),
        "loan_no": "WBL-F1",
        "kind": "CREDIT",
        "amount": "50000.00",
        "order_nos": [],
        "batch_no": None,
    }
    await notify(bff, "loan.applied", applied)
    sockets = [await bff.subscribe(SUBSCRIPTION) for _ in range(5)]
    try:
        processing = {"loanNo": "WBL-F1", "status": "PROCESSING", "outstandingPrincipal": "0.00"}
        assert [await loan(ws) for ws in sockets] == [processing] * 5  # the current state first

        disbursal = {"loan_no": "WBL-F1", "amount": "50000.00", "annual_rate": "0.072", "term_months": 6}
        await notify(bff, "loan.disbursed", {**disbursal, "disbursed_at": "2026-03-05T10:00:00+08:00"})
        disbursed = {"loanNo": "WBL-F1", "status": "DISBURSED", "outstandingPrincipal": "50000.00"}
        assert [await loan(ws) for ws in sockets] == [disbursed] * 5

        # the next frame of each is the next change: the disbursal came once, not twice
        repayment = {
            "loan_no": "WBL-F1",
            "repayment_no": "R-F1",
            "kind": "ACTIVE",
            "principal": "1000.00",
            "interest": "10.00",
            "penalty": "0.00",
            "paid_at": "2026-03-20T10:00:00+08:00",
        }
        await notify(bff, "repayment.posted", repayment)
        repaid = {**disbursed, "outstandingPrincipal": "49000.00"}
        assert [await loan(ws) for ws in sockets] == [repaid] * 5
    finally:
        for ws in sockets:
            await ws.close()


async def test_the_broker_hands_one_object_per_event_to_all_subscribers_of_its_topic() -> None:
    broker = InProcessBroker()
    async with (
        broker.subscribe(loan_topic("A")) as first,
        broker.subscribe(loan_topic("A")) as second,
        broker.subscribe(loan_topic("B")) as other,
    ):
        await broker.publish(loan_topic("A"), {"kind": "loan", "loanNo": "L1"})
        await broker.publish(loan_topic("A"), {"kind": "loan", "loanNo": "L2"})
        await broker.publish(loan_topic("B"), {"kind": "loan", "loanNo": "L3"})
        one, two = await anext(first), await anext(second)
        again, twice = await anext(first), await anext(second)
        elsewhere = await anext(other)

    assert one is two
    assert again is twice
    assert one is not again
    assert (one, again, elsewhere) == (
        {"kind": "loan", "loanNo": "L1"},
        {"kind": "loan", "loanNo": "L2"},
        {"kind": "loan", "loanNo": "L3"},
    )
    assert isinstance(one, Told)


def test_shared_builds_once_per_event_and_key() -> None:
    event, later = Told({"kind": "loan"}), Told({"kind": "loan"})
    built: list[int] = []

    def build() -> int:
        built.append(len(built))
        return len(built)

    assert [shared(event, "k", build), shared(event, "k", build), shared(event, "j", build)] == [1, 1, 2]
    assert shared(later, "k", build) == 3
    assert [shared(None, "k", build), shared({"kind": "loan"}, "k", build)] == [4, 5]  # never shared


async def test_subscribers_share_loaders_for_one_event_and_get_new_ones_for_the_next(bff: Bff) -> None:
    services = bff.app.state.services
    one, two = (Context.build(services, AuthenticationError("no one")) for _ in range(2))
    event, later = Told({"kind": "loan"}), Told({"kind": "loan"})

    one.refresh_loaders(event)
    two.refresh_loaders(event)
    assert one.loaders is two.loaders
    first = one.loaders
    one.refresh_loaders(later)
    assert one.loaders is not first
    one.refresh_loaders()
    two.refresh_loaders()
    assert one.loaders is not two.loaders
    assert isinstance(one.loaders, Loaders)
