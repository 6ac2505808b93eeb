"""Benchmark: the graph's order list against a hand-written JSON endpoint serving the same data.

    .venv/bin/python bench/orders.py [--requests 300] [--concurrency 8] [--first 50]

Both run in one uvicorn process against the same sandbox upstreams (real sockets, SQLite) and return the
first N orders of GD-BOTH (mall and MRO merged, newest first) with contract, financeable amount and
loans. It prints latency percentiles, throughput, the graph/JSON ratio (the target is at most 1.5×) and
upstream calls per request (the target: constant in the number of orders).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bff import db
from bff.app import create_app
from bff.auth import mint_token
from bff.config import load_settings
from bff.context import Context
from bff.domain.financeability import financeable_amount
from bff.domain.money import format_yuan
from bff.resolvers.financing import ratios
from bff.resolvers.loans import financed_amount, loans_of_order
from bff.resolvers.orders import list_orders
from bff_sandbox import start_sandbox

SECRET = "bench-jwt-secret-0123456789abcdef-0123456789"
WEBANK_SECRET = "bench-webank-secret-0123456789"
QUERY = """
query ($first: Int!) { viewer { orders(first: $first) { edges { node {
  orderNo source status amount buyerName createdAt contract { contractNo amount signedAt }
  financeableAmount loans { loanNo } } } } } }
"""


async def json_orders(request: Request) -> JSONResponse:
    """What a careful hand-written endpoint would do: the same reads, no GraphQL."""
    from bff.graphql_app import BffGraphQL

    context: Context = await BffGraphQL().get_context(request, request)  # type: ignore[arg-type]
    first = int(request.query_params.get("first", "20"))
    page = await list_orders(
        context, context.viewer.supplier_code, source=None, statuses=None, first=first, after=None
    )

    async def row(order: Any) -> dict[str, Any]:
        financed, loans = await asyncio.gather(
            financed_amount(context, order.key), loans_of_order(context, order)
        )
        contract = order.contract
        return {
            "orderNo": order.order_no,
            "source": order.source.value,
            "status": order.status.value,
            "amount": format_yuan(order.amount),
            "buyerName": order.buyer_name,
            "createdAt": order.created_at.isoformat(),
            "contract": None
            if contract is None
            else {
                "contractNo": contract.contract_no,
                "amount": None if contract.amount is None else format_yuan(contract.amount),
                "signedAt": None if contract.signed_at is None else contract.signed_at.isoformat(),
            },
            "financeableAmount": format_yuan(financeable_amount(order, ratios(context), financed)),
            "loans": [{"loanNo": loan.loan_no} for loan in loans],
        }

    rows = await asyncio.gather(*(row(edge.order) for edge in page.edges))
    return JSONResponse({"orders": rows})


async def measure(
    name: str, call: Callable[[], Awaitable[int]], requests: int, concurrency: int
) -> dict[str, float]:
    for _ in range(20):  # warm up
        await call()
    latencies: list[float] = []
    queue = list(range(requests))

    async def worker() -> None:
        while queue:
            queue.pop()
            started = time.perf_counter()
            size = await call()
            latencies.append(time.perf_counter() - started)
            assert size > 0

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    figures = {
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": requests / elapsed,
    }
    print(
        f"{name:8} p50 {figures['p50_ms']:7.2f} ms   p95 {figures['p95_ms']:7.2f} ms   {figures['rps']:7.1f} req/s"
    )
    return figures


async def main(requests: int, concurrency: int, first: int) -> None:
    sandbox = start_sandbox(port=0, webank_app_id="bench", webank_secret=WEBANK_SECRET)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/bench.sqlite3"
        settings = load_settings(
            database_url=url,
            jwt_secret=SECRET,
            webank_app_id="bench",
            webank_secret=WEBANK_SECRET,
            mall_url=sandbox.mall_url,
            mro_url=sandbox.mro_url,
            webank_url=sandbox.webank_url,
            log_level="WARNING",
        )
        await db.migrate(url)
        app = create_app(settings)
        app.router.routes.append(Route("/json/orders", json_orders))
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()  # the server failed to start: raise its error
            await asyncio.sleep(0.01)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        headers = {"Authorization": f"Bearer {mint_token(SECRET, 'GD-BOTH')}"}
        async with aiohttp.ClientSession(headers=headers) as http:

            async def graph() -> int:
                async with http.post(
                    f"{base}/graphql", json={"query": QUERY, "variables": {"first": first}}
                ) as r:
                    body = await r.json()
                    return len(body["data"]["viewer"]["orders"]["edges"])

            async def plain() -> int:
                async with http.get(f"{base}/json/orders", params={"first": str(first)}) as r:
                    return len((await r.json())["orders"])

            print(f"{requests} requests, concurrency {concurrency}, first {first} orders")
            sandbox.state.reset_calls()
            await graph()
            graph_calls = len(sandbox.state.calls())
            sandbox.state.reset_calls()
            await plain()
            json_calls = len(sandbox.state.calls())
            json_figures = await measure("json", plain, requests, concurrency)
            graph_figures = await measure("graph", graph, requests, concurrency)
            print(f"upstream calls per request: graph {graph_calls}, json {json_calls}")
            print(
                f"graph/json p50 ratio {graph_figures['p50_ms'] / json_figures['p50_ms']:.2f} (target ≤ 1.5)"
            )
        server.should_exit = True
        await task
    sandbox.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--first", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.first))
