"""A supplier's cost budget is one budget however many `bff serve` processes answer it: spent on one
process, it is spent on the other (kept in Redis when `BFF_REDIS_URL` is set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from app_fixtures import JWT_SECRET
from serve_process import serve_process

from bff.auth import mint_token
from bff_sandbox import RunningSandbox

pytestmark = pytest.mark.redis
VIEWER = "{ viewer { code } }"  # costs 2


async def ask(http: aiohttp.ClientSession, url: str, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{url}/graphql", json={"query": VIEWER}, headers=headers) as response:
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
        return answer


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # the processes share one PostgreSQL
async def test_a_budget_spent_on_one_process_is_spent_on_the_other(
    db: str,
    sandbox: RunningSandbox,
    redis_url: str,
    redis_channel_prefix: str,
    tmp_path: Path,
) -> None:
    # given: two processes, a budget of 10 that comes back very slowly
    shared = {
        "redis_url": redis_url,
        "redis_channel_prefix": redis_channel_prefix,
        "cost_budget": "10",
        "cost_restore_per_second": "0.001",
    }
    token = mint_token(JWT_SECRET, "GD-BOTH")
    with (
        serve_process(sandbox, db, tmp_path, **shared) as first,
        serve_process(sandbox, db, tmp_path, **shared) as second,
    ):
        async with aiohttp.ClientSession() as http:
            # when: the supplier spends 8 on the first process and 2 on the second
            for _ in range(4):
                assert (await ask(http, first.url, token))["data"] == {"viewer": {"code": "GD-BOTH"}}
            last = await ask(http, second.url, token)
            # then: the second process saw what the first spent, and the next request anywhere is throttled
            assert last["data"] == {"viewer": {"code": "GD-BOTH"}}
            assert last["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 1
            for url in (first.url, second.url):
                refused = await ask(http, url, token)
                assert [e["extensions"]["code"] for e in refused["errors"]] == ["THROTTLED"]
                assert refused["errors"][0]["extensions"]["retryAfter"] > 0
                assert refused.get("data") is None
            # another supplier's budget is its own
            other = mint_token(JWT_SECRET, "HN-MALL")
            assert (await ask(http, second.url, other))["data"] == {"viewer": {"code": "HN-MALL"}}
