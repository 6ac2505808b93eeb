"""`Idempotency-Key` on mutations (DESIGN §6.2, `bff.idempotency`), over HTTP against the sandbox bank."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from app_fixtures import Bff
from financing_support import approve, orders, pick
from multidict import CIMultiDict

from bff.models import FinancingApplication, IdempotencyKey

APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  redirectUrl application { id status } userErrors { code } } }
"""


async def post(
    bff: Bff, query: str, variables: dict[str, Any], key: str | None, code: str = "GD-BOTH"
) -> tuple[int, CIMultiDict[str], bytes]:
    headers = {"Authorization": f"Bearer {bff.token(code)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    payload = {"query": query, "variables": variables}
    async with bff.http.post(f"{bff.url}/graphql", json=payload, headers=headers) as response:
        return response.status, CIMultiDict(response.headers), await response.read()


async def chosen_ids(bff: Bff, count: int = 1, skip: int = 0, code: str = "GD-BOTH") -> list[str]:
    return [n["id"] for n in pick(await orders(bff, code), "MALL", "PROCESSING", count, skip)]


async def test_the_same_key_and_body_acts_once_and_answers_the_first_body_again(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    # when
    first = await post(bff, APPLY, {"ids": ids}, "k-1")
    again = await post(bff, APPLY, {"ids": ids}, "k-1")
    # then
    assert first[0] == again[0] == 200
    body = json.loads(first[2])
    assert body["data"]["applyForOrderFinancing"]["userErrors"] == []
    assert again[2] == first[2]
    assert again[1].get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first[1]
    assert await FinancingApplication.all().count() == 1
    assert len(bff.sandbox.state.order_batches()) == 1


async def test_the_same_key_with_another_body_is_refused_and_does_nothing(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff, 2)
    await post(bff, APPLY, {"ids": ids[:1]}, "k-2")
    # when
    status, _, raw = await post(bff, APPLY, {"ids": ids[1:]}, "k-2")
    # then
    assert status == 422
    assert json.loads(raw)["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await FinancingApplication.all().count() == 1
    assert len(bff.sandbox.state.order_batches()) == 1


async def test_another_supplier_with_the_same_key_is_independent(bff: Bff) -> None:
    await approve(bff, "GD-BOTH")
    await approve(bff, "HN-MALL")
    mine = await chosen_ids(bff, code="GD-BOTH")
    theirs = await chosen_ids(bff, code="HN-MALL")
    # when
    first = await post(bff, APPLY, {"ids": mine}, "shared", code="GD-BOTH")
    second = await post(bff, APPLY, {"ids": theirs}, "shared", code="HN-MALL")
    # then
    assert first[0] == second[0] == 200
    assert "Idempotent-Replayed" not in second[1]
    assert json.loads(second[2])["data"]["applyForOrderFinancing"]["userErrors"] == []
    assert await FinancingApplication.filter(supplier_code="HN-MALL").count() == 1
    assert await FinancingApplication.filter(supplier_code="GD-BOTH").count() == 1


async def test_without_the_header_a_repeated_mutation_runs_again(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    await post(bff, APPLY, {"ids": ids}, None)
    # when
    status, headers, raw = await post(bff, APPLY, {"ids": ids}, None)
    # then: the orders are taken by the first application, as without this feature
    assert status == 200
    assert "Idempotent-Replayed" not in headers
    codes = [e["code"] for e in json.loads(raw)["data"]["applyForOrderFinancing"]["userErrors"]]
    assert codes == ["ORDER_ALREADY_IN_FINANCING"]
    assert await IdempotencyKey.all().count() == 0


@pytest.mark.parametrize("key", ["x" * 256, " "])
async def test_a_key_too_long_or_empty_is_refused_before_anything_runs(bff: Bff, key: str) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    # when
    status, _, raw = await post(bff, APPLY, {"ids": ids}, key)
    # then
    assert status == 400
    assert json.loads(raw)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert await FinancingApplication.all().count() == 0


async def test_a_key_of_255_characters_is_taken(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    await post(bff, APPLY, {"ids": ids}, "x" * 255)
    status, headers, _ = await post(bff, APPLY, {"ids": ids}, "x" * 255)
    assert status == 200
    assert headers.get("Idempotent-Replayed") == "true"


async def test_a_query_with_the_header_is_executed_normally(bff: Bff) -> None:
    query = "{ viewer { code } }"
    status, headers, raw = await post(bff, query, {}, "q-1")
    assert status == 200
    assert "Idempotent-Replayed" not in headers
    assert "errors" not in json.loads(raw)
    assert await IdempotencyKey.all().count() == 0


async def test_after_24_hours_the_key_is_forgotten_and_the_mutation_runs_again(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff, 2)
    await post(bff, APPLY, {"ids": ids[:1]}, "k-old")
    # the stored response is just over a day old (time injected through the row, no waiting)
    await IdempotencyKey.filter(key="k-old").update(
        created_at=datetime.now(UTC) - timedelta(hours=24, seconds=1)
    )
    # when: even another body is welcome under the expired key
    status, headers, raw = await post(bff, APPLY, {"ids": ids[1:]}, "k-old")
    # then
    assert status == 200
    assert "Idempotent-Replayed" not in headers
    assert json.loads(raw)["data"]["applyForOrderFinancing"]["userErrors"] == []
    assert await FinancingApplication.all().count() == 2
    assert await IdempotencyKey.filter(key="k-old").count() == 1


async def test_an_expired_key_of_someone_else_is_purged_by_a_new_key(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    old = datetime.now(UTC) - timedelta(hours=25)
    await IdempotencyKey.create(
        supplier_code="HN-MALL",
        key="ancient",
        fingerprint="0" * 64,
        status_code=200,
        response="{}",
        created_at=old,
    )
    await post(bff, APPLY, {"ids": ids}, "k-new")
    assert [row.key for row in await IdempotencyKey.all()] == ["k-new"]


async def test_concurrent_requests_with_the_same_key_act_once(bff: Bff) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    # when
    results = await asyncio.gather(*(post(bff, APPLY, {"ids": ids}, "k-race") for _ in range(4)))
    # then: one ran, the others answered with its body
    assert {status for status, _, _ in results} == {200}
    assert len({raw for _, _, raw in results}) == 1
    assert sum(1 for _, headers, _ in results if headers.get("Idempotent-Replayed") == "true") == 3
    assert await FinancingApplication.all().count() == 1
    assert len(bff.sandbox.state.order_batches()) == 1


async def test_a_failure_after_the_effect_rolls_it_back_and_the_retry_acts_once(
    bff: Bff, monkeypatch: pytest.MonkeyPatch
) -> None:
    await approve(bff)
    ids = await chosen_ids(bff)
    # the response cannot be stored: as if the process died between the mutation's writes and the commit
    original = IdempotencyKey.save

    async def failing_save(self: IdempotencyKey, *args: Any, **kwargs: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(IdempotencyKey, "save", failing_save)
    status, _, raw = await post(bff, APPLY, {"ids": ids}, "k-crash")
    assert status == 503
    assert json.loads(raw)["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_NOT_RECORDED"
    assert await FinancingApplication.all().count() == 0  # the application rolled back with the key row
    assert await IdempotencyKey.all().count() == 0
    # when: the client retries with the same key
    monkeypatch.setattr(IdempotencyKey, "save", original)
    status, headers, raw = await post(bff, APPLY, {"ids": ids}, "k-crash")
    # then: it acts once, the orders free (the first attempt's claims rolled back too)
    assert status == 200
    assert "Idempotent-Replayed" not in headers
    assert json.loads(raw)["data"]["applyForOrderFinancing"]["userErrors"] == []
    assert await FinancingApplication.all().count() == 1
