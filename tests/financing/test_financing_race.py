"""Two (or more) concurrent applications sharing an order: exactly one wins, on PostgreSQL's real concurrency."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from app_fixtures import Bff
from financing_support import approve, orders, pick
from test_order_financing import apply

from bff.models import FinancingApplication, OrderClaim

ROUNDS = 15
CONTENDERS = 6


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_concurrent_applications_sharing_an_order_have_exactly_one_winner(bff: Bff) -> None:
    # given
    await approve(bff)
    nodes = await orders(bff)
    shared = pick(nodes, "MALL", "PROCESSING")[0]["id"]
    companions = [n["id"] for n in pick(nodes, "MRO", "PENDING_SHIPMENT", count=2)] + [
        n["id"] for n in pick(nodes, "MALL", "PENDING_SHIPMENT", count=2)
    ]
    outcomes: Counter[str] = Counter()
    for round_no in range(ROUNDS):
        # when: several applications race, each with the shared order (some with a companion order)
        selections = [
            [shared] + ([companions[i % len(companions)]] if i % 2 else []) for i in range(CONTENDERS)
        ]
        results = await asyncio.gather(*(apply(bff, ids) for ids in selections))
        # then
        winners = [r for r in results if r["userErrors"] == []]
        losers = [r for r in results if r["userErrors"]]
        assert len(winners) == 1, f"round {round_no}: {results}"
        assert {e["code"] for r in losers for e in r["userErrors"]} == {"ORDER_ALREADY_IN_FINANCING"}
        shared_order_id = _key(shared).split(":")[1]
        assert await OrderClaim.filter(order_id=shared_order_id).count() == 1
        claims = await OrderClaim.all().prefetch_related("application")
        application = winners[0]["application"]
        assert {claim.application.id for claim in claims} == {int(_key(application["id"]))}
        outcomes.update(["won"] + ["lost"] * len(losers))
        # the winner's application lapses unused, freeing its orders for the next round
        await FinancingApplication.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert outcomes == Counter({"won": ROUNDS, "lost": ROUNDS * (CONTENDERS - 1)})


def _key(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


CANCEL = (
    "mutation ($id: ID!) { cancelFinancingApplication(input: {applicationId: $id}) { userErrors { code } } }"
)
PAIR_ROUNDS = 20


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_applications_sharing_orders_in_opposite_order_never_deadlock(bff: Bff) -> None:
    # given: orders that two applications select in opposite order (this deadlocked 1 pair in 7)
    await approve(bff)
    nodes = await orders(bff)
    shared = [
        pick(nodes, "MALL", "PROCESSING")[0]["id"],
        pick(nodes, "MRO", "PENDING_SHIPMENT")[0]["id"],
        pick(nodes, "MALL", "PENDING_SHIPMENT")[0]["id"],
    ]
    for round_no in range(PAIR_ROUNDS):
        # when (`apply` fails the test on any GraphQL error, INTERNAL_SERVER_ERROR included)
        forward, backward = await asyncio.gather(apply(bff, shared), apply(bff, list(reversed(shared))))
        # then: exactly one wins, the other lost the race as a business refusal
        winners = [r for r in (forward, backward) if r["userErrors"] == []]
        losers = [r for r in (forward, backward) if r["userErrors"]]
        assert len(winners) == 1, f"round {round_no}: {forward} {backward}"
        assert [e["code"] for e in losers[0]["userErrors"]] == ["ORDER_ALREADY_IN_FINANCING"]
        assert await OrderClaim.all().count() == len(shared)
        # the winner withdraws, freeing the orders for the next round
        cancelled = await bff.query(CANCEL, {"id": winners[0]["application"]["id"]})
        assert cancelled["data"]["cancelFinancingApplication"]["userErrors"] == [], cancelled
        assert await OrderClaim.all().count() == 0
