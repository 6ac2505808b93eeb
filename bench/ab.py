"""Two versions of the graph side by side on the order list, with the careful JSON baseline, interleaved.

    .venv/bin/python bench/ab.py BASE_WORKTREE PLAN_WORKTREE [--rounds 600]

Each worktree needs its own `.venv` (`bff serve` of each is started from it). One sandbox, one seeded
database, three servers at once (BASE's graph, PLAN's graph, BASE's `careful_json.py`); then requests go
one at a time (concurrency 1) in rotating order — base, plan, JSON; plan, JSON, base; … and reversed every
other cycle — so that a neighbour's burst on a shared machine hits all three alike. `bench/run.py` measures
each side in a block of its own, which on a busy machine moves the ratio by more than a change worth
measuring. Before measuring, both graphs' bodies are checked to be byte for byte equal. Prints each side's
p50, both graph/JSON ratios, and the ratios per fifth of the run (their spread).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import run
from careful_json import ORDERS

SIDES = ("base", "plan", "json")


async def measure(base: Path, plan: Path, rounds: int) -> None:
    print(f"bench on {run.machine()}", flush=True)
    sandbox = await run.start_sandbox()
    try:
        async with run.fresh_database() as database_url:
            await run.seed(database_url)
            env = run.server_env(database_url, sandbox.url)
            auth = {"Authorization": f"Bearer {run.mint_token(run.JWT_SECRET, run.SUPPLIER)}"}
            connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=3)
            async with aiohttp.ClientSession(connector=connector) as http:
                servers = [
                    await run.start_server("base", [str(base / ".venv/bin/bff"), "serve"], env, False),
                    await run.start_server("plan", [str(plan / ".venv/bin/bff"), "serve"], env, False),
                    await run.start_server(
                        "json",
                        [str(base / ".venv/bin/python"), str(base / "bench/careful_json.py")],
                        env,
                        False,
                    ),
                ]
                try:
                    await _rounds(http, auth, [server.url for server in servers], rounds)
                finally:
                    for server in servers:
                        server.stop()
    finally:
        sandbox.stop()


async def _rounds(http: aiohttp.ClientSession, auth: dict[str, str], urls: list[str], rounds: int) -> None:
    body = json.dumps({"query": ORDERS, "variables": {"first": 50}})
    headers = {**auth, "Content-Type": "application/json"}
    bodies: dict[str, bytes] = {}

    def graph(url: str, side: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            async with http.post(url + "/graphql", data=body, headers=headers) as response:
                bodies[side] = await response.read()
                assert response.status == 200

        return call

    async def plain() -> None:
        async with http.get(urls[2] + "/json/orders?first=50", headers=auth) as response:
            await response.read()
            assert response.status == 200

    calls = {"base": graph(urls[0], "base"), "plan": graph(urls[1], "plan"), "json": plain}
    for _ in range(15):  # warm all three
        for call in calls.values():
            await call()
    if bodies["base"] != bodies["plan"]:
        raise SystemExit("base and plan answer different bodies")
    latencies: dict[str, list[float]] = {side: [] for side in SIDES}
    for n in range(rounds):
        order = list(SIDES[n % 3 :] + SIDES[: n % 3])
        for side in reversed(order) if (n // 3) % 2 else order:
            started = time.perf_counter()
            await calls[side]()
            latencies[side].append((time.perf_counter() - started) * 1000)
    p50 = {side: statistics.median(values) for side, values in latencies.items()}
    print(
        f"order list c1, {rounds} requests per side: p50 base {p50['base']:.2f} ms, plan {p50['plan']:.2f} ms, "
        f"json {p50['json']:.2f} ms; ratio base {p50['base'] / p50['json']:.3f}, "
        f"plan {p50['plan'] / p50['json']:.3f} ({(1 - p50['plan'] / p50['base']) * 100:.1f} % lower)",
        flush=True,
    )
    fifth = max(1, rounds // 5)
    for start in range(0, rounds, fifth):
        part = {side: statistics.median(values[start : start + fifth]) for side, values in latencies.items()}
        print(
            f"  requests {start}-{start + fifth}: ratio base {part['base'] / part['json']:.3f}, "
            f"plan {part['plan'] / part['json']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--rounds", type=int, default=600)
    args = parser.parse_args()
    asyncio.run(measure(args.base.resolve(), args.plan.resolve(), args.rounds))
