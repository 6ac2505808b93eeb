"""The benchmark, in one command: the graph against a careful JSON endpoint, webhooks, subscriber fan-out.

    .venv/bin/python bench/run.py [--only ROW ...] [--repeats 3] [--profile]

Every server is its own process, as in production: the sandbox upstreams (`bench/sandbox_proc.py`, which
is `bff sandbox` plus a latency switch and a call log), the graph (`bff serve`) and the careful JSON
baseline (`bench/careful_json.py`: the same app and loaders, hand-written routes), all on one fresh
PostgreSQL database seeded here. This process only generates load. Graph and JSON are measured in
interleaved rounds (graph, JSON, JSON, graph, …), `--repeats` times; figures are medians over the repeats.
Before measuring, the JSON answers are checked byte for byte against the graph's `data`.

Rows (`--only` takes these names): `orders`, `dashboard`, `loans` (p50 at concurrency 1, 8 and 64, and
the graph/JSON ratio), `calls` (upstream calls per request for 10/50/100 orders), `latency` (every
upstream call 20 ms late: the dashboard's p50 against its critical path), `webhooks` (signed notifications
at concurrency 4/16/64: req/s, p99, server CPU per notification), `fanout` (1,000 `loanStatusChanged`
subscribers told of one change: p50/p99 until each has it, in-process and via Redis; RSS per subscriber).
It prints a table and writes `bench/results/latest.json`. `--profile` runs each `bff serve` under py-spy
(`bench/results/profile-<row>.txt`, read with `bench/hotspots.py`). How to read it: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from careful_json import DASHBOARD, LOANS, ORDERS, dump

from bff import db
from bff.auth import mint_token
from bff.domain.records import OrderSource
from bff.domain.statuses import AdmissionStatus, EntryPoint, LoanKind, LoanStatus
from bff.models import Admission, Consent, CreditLimit, Loan, LoanOrder
from bff.signing import signed_headers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
RESULTS = HERE / "results"
ROWS = ("orders", "dashboard", "loans", "calls", "latency", "webhooks", "fanout")
CONCURRENCY = (1, 8, 64)
WEBHOOK_CONCURRENCY = (4, 16, 64)
SUPPLIER = "GD-BOTH"
CREDIT_CODE = "91440300MA5314187G"  # GD-BOTH's in the sandbox seed
BANK_LOANS = 24  # GD-BOTH's loans, also at the sandbox bank (copies of its WBL0001): the loan list
WEBHOOK_LOANS = 200  # another supplier's loans, repaid by the webhook rows
JWT_SECRET = "bench-jwt-secret-0123456789abcdef-0123456789"
WEBANK_APP_ID = "bench"
WEBANK_SECRET = "bench-webank-secret-0123456789"
ADMIN_URL = os.environ.get("BFF_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BFF_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CALLS_QUERY = """query Calls($first: Int!) { viewer { orders(first: $first) { edges { node {
  orderNo financeableAmount loans { loanNo installments { period } } } } } } }"""
SUBSCRIPTION = (
    "subscription Live($id: ID!) { loanStatusChanged(loanId: $id) { loanNo status outstandingPrincipal } }"
)


# --- processes ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(argv: list[str], env: dict[str, str] | None = None, **options: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, **options)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    url: str
    spy: subprocess.Popen[bytes] | None = None

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.spy is not None and self.spy.poll() is None:
            self.spy.send_signal(signal.SIGINT)  # py-spy writes its profile and detaches
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.spy.wait(30)
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


async def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def server_env(database_url: str, sandbox_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "BFF_DATABASE_URL": database_url,
        "BFF_JWT_SECRET": JWT_SECRET,
        "BFF_WEBANK_APP_ID": WEBANK_APP_ID,
        "BFF_WEBANK_SECRET": WEBANK_SECRET,
        "BFF_MALL_URL": sandbox_url + "/mall",
        "BFF_MRO_URL": sandbox_url + "/mro",
        "BFF_WEBANK_URL": sandbox_url + "/webank",
        "BFF_LOG_LEVEL": "WARNING",
        # the budget would throttle a load generator: not what is measured here
        "BFF_COST_BUDGET": "1000000000",
        "BFF_COST_RESTORE_PER_SECOND": "1000000000",
        **extra,
    }


async def start_sandbox() -> Process:
    popen = spawn(
        [sys.executable, str(HERE / "sandbox_proc.py"), "--loans", str(BANK_LOANS)],
        {**os.environ, "BFF_WEBANK_APP_ID": WEBANK_APP_ID, "BFF_WEBANK_SECRET": WEBANK_SECRET},
        stdout=subprocess.PIPE,
    )
    assert popen.stdout is not None
    line = (await asyncio.to_thread(popen.stdout.readline)).decode().split()
    if not line or line[0] != "READY":
        raise RuntimeError("the sandbox did not start")
    return Process("sandbox", popen, line[1])


async def start_server(name: str, command: list[str], env: dict[str, str], profile: bool) -> Process:
    port = free_port()
    popen = spawn([*command, "--port", str(port)], env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    await wait_for(url + "/healthz", popen)
    process = Process(name, popen, url)
    if profile:
        # sampled from outside while it serves; `bench/hotspots.py` reads the file
        spy = shutil.which("py-spy") or str(BIN / "py-spy")
        out = RESULTS / f"profile-{name}.txt"
        process.spy = spawn(
            [
                spy,
                "record",
                "--format",
                "raw",
                "--rate",
                "250",
                "--pid",
                str(popen.pid),
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
        )
    return process


def graph_server(name: str, env: dict[str, str], profile: bool) -> Awaitable[Process]:
    return start_server(name, [str(BIN / "bff"), "serve"], env, profile)


def json_server(env: dict[str, str]) -> Awaitable[Process]:
    return start_server("json", [sys.executable, str(HERE / "careful_json.py")], env, False)


# --- database -----------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed(database_url: str) -> None:
    """GD-BOTH approved with a limit and BANK_LOANS loans (ten orders backed), plus the webhook's loans."""
    await db.migrate(database_url)
    await db.init_db(database_url)
    try:
        agreed = datetime.now(UTC) - timedelta(days=60)
        consent = await Consent.create(
            supplier_code=SUPPLIER,
            agreement_version="2026-01",
            entry_point=EntryPoint.FINTECH_HOME_BANNER,
            agreed_at=agreed,
            user_id="bench",
            ip="127.0.0.1",
            user_agent="bench",
        )
        admission = await Admission.create(
            supplier_code=SUPPLIER,
            status=AdmissionStatus.APPROVED,
            entry_point=consent.entry_point,
            consent=consent,
            agreed_at=agreed,
            opened_at=agreed,
            verified_at=agreed,
            decided_at=agreed,
            credit_code=CREDIT_CODE,
        )
        await CreditLimit.create(
            admission_id=admission.id,
            supplier_code=SUPPLIER,
            total_fen=500_000_000,
            order_ratio=Decimal("0.4"),
            credit_ratio=Decimal("0.6"),
            approved_at=agreed,
        )
        for n in range(1, BANK_LOANS + 1):
            loan = await Loan.create(
                loan_no=f"WBB{n:04d}",
                supplier_code=SUPPLIER,
                kind=LoanKind.ORDER if n % 2 else LoanKind.CREDIT,
                status=LoanStatus.DISBURSED,
                amount_fen=10_000_000,
                outstanding_principal_fen=10_000_000,
                annual_rate=Decimal("0.072"),
                term_months=6,
                applied_at=agreed + timedelta(hours=n),
                disbursed_at=agreed + timedelta(hours=n, minutes=30),
            )
            if n <= 10:  # mall orders 100001… of GD-BOTH back the first ten
                await LoanOrder.create(
                    loan=loan,
                    source=OrderSource.MALL,
                    order_id=str(100000 + n),
                    order_no=f"bench-{n}",
                    financed_fen=100_000,
                )
        for n in range(1, WEBHOOK_LOANS + 1):
            await Loan.create(
                loan_no=f"WHL{n:04d}",
                supplier_code="HN-MALL",
                kind=LoanKind.CREDIT,
                status=LoanStatus.DISBURSED,
                amount_fen=10_000_000_000,
                outstanding_principal_fen=10_000_000_000,
                annual_rate=Decimal("0.072"),
                term_months=6,
                applied_at=agreed,
                disbursed_at=agreed,
            )
    finally:
        await db.close_db()


# --- load ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def run_load(call: Callable[[], Awaitable[None]], requests: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "rps": requests / elapsed,
    }


def requests_for(concurrency: int) -> int:
    return {1: 40, 8: 160, 64: 384}.get(concurrency, 16 * concurrency)


@dataclass
class Bench:
    http: aiohttp.ClientSession
    sandbox: Process
    graph: Process
    json: Process | None
    repeats: int
    token: str
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def graph_data(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        body = {"query": document, "variables": variables or {}}
        async with self.http.post(self.graph.url + "/graphql", json=body, headers=self.auth) as response:
            answer = await response.json()
        if "errors" in answer:
            raise RuntimeError(f"the graph answered errors: {answer['errors']}")
        return answer["data"]

    async def json_bytes(self, path: str) -> bytes:
        assert self.json is not None
        async with self.http.get(self.json.url + path, headers=self.auth) as response:
            response.raise_for_status()
            return await response.read()


async def compare(bench: Bench, name: str, document: str, variables: dict[str, Any], path: str) -> None:
    graph = dump(await bench.graph_data(document, variables))
    plain = await bench.json_bytes(path)
    if graph != plain:
        n = next(
            (i for i, (a, b) in enumerate(zip(graph, plain, strict=False)) if a != b),
            min(len(graph), len(plain)),
        )
        raise SystemExit(
            f"{name}: the JSON baseline differs from the graph at byte {n}:\n"
            f"  graph {graph[max(0, n - 80) : n + 80]!r}\n  json  {plain[max(0, n - 80) : n + 80]!r}"
        )


async def side_by_side(bench: Bench, name: str, document: str, variables: dict[str, Any], path: str) -> None:
    await compare(bench, name, document, variables, path)
    body = json.dumps({"query": document, "variables": variables})
    graph_headers = {**bench.auth, "Content-Type": "application/json"}
    assert bench.json is not None
    json_url = bench.json.url + path

    async def graph() -> None:
        async with bench.http.post(bench.graph.url + "/graphql", data=body, headers=graph_headers) as r:
            await r.read()
            assert r.status == 200

    async def plain() -> None:
        async with bench.http.get(json_url, headers=bench.auth) as r:
            await r.read()
            assert r.status == 200

    for _ in range(10):  # warm both
        await graph()
        await plain()
    row: dict[str, Any] = {}
    for concurrency in CONCURRENCY:
        rounds: dict[str, list[dict[str, float]]] = {"graph": [], "json": []}
        for repeat in range(bench.repeats):
            order = [("graph", graph), ("json", plain)]
            for side, call in order if repeat % 2 == 0 else reversed(order):
                rounds[side].append(await run_load(call, requests_for(concurrency), concurrency))
        graph_p50 = statistics.median(r["p50_ms"] for r in rounds["graph"])
        json_p50 = statistics.median(r["p50_ms"] for r in rounds["json"])
        row[f"c{concurrency}"] = {
            "graph_p50_ms": graph_p50,
            "json_p50_ms": json_p50,
            "ratio": graph_p50 / json_p50,
            "graph_rps": statistics.median(r["rps"] for r in rounds["graph"]),
            "json_rps": statistics.median(r["rps"] for r in rounds["json"]),
        }
        print(
            f"  {name} c{concurrency}: graph {graph_p50:.1f} ms, json {json_p50:.1f} ms, "
            f"ratio {graph_p50 / json_p50:.2f}",
            flush=True,
        )
    bench.results[name] = row


async def sandbox_calls(bench: Bench) -> list[tuple[str, float, float]]:
    async with bench.http.get(bench.sandbox.url + "/_bench/calls") as response:
        return [tuple(call) for call in await response.json()]  # type: ignore[misc]


async def sandbox_post(bench: Bench, path: str, body: dict[str, Any] | None = None) -> None:
    async with bench.http.post(bench.sandbox.url + path, json=body or {}) as response:
        response.raise_for_status()


async def upstream_calls(bench: Bench) -> None:
    row: dict[str, Any] = {}
    for first in (10, 50, 100):
        counts = []
        for document in (ORDERS, CALLS_QUERY):
            await sandbox_post(bench, "/_bench/calls/reset")
            data = await bench.graph_data(document, {"first": first})
            counts.append(len(await sandbox_calls(bench)))
        row[str(first)] = {
            "orders": len(data["viewer"]["orders"]["edges"]),
            "calls": counts[0],
            "calls_with_bank": counts[1],
        }
    bench.results["calls"] = row
    print(f"  calls: {row}", flush=True)


def waves(calls: list[tuple[str, float, float]]) -> int:
    """Upstream calls in sequence: a call that starts after every earlier one ended opens a new wave."""
    count, ended = 0, float("-inf")
    for _path, start, end in sorted(calls, key=lambda call: call[1]):
        if start >= ended:
            count += 1
        ended = max(ended, end) if start < ended else end
    return count


async def latency(bench: Bench) -> None:
    body = json.dumps({"query": DASHBOARD})
    headers = {**bench.auth, "Content-Type": "application/json"}

    async def call() -> None:
        async with bench.http.post(bench.graph.url + "/graphql", data=body, headers=headers) as r:
            await r.read()

    for _ in range(5):
        await call()
    base = statistics.median([(await run_load(call, 30, 1))["p50_ms"] for _ in range(bench.repeats)])
    await sandbox_post(bench, "/_bench/latency", {"ms": 20})
    try:
        await sandbox_post(bench, "/_bench/calls/reset")
        await call()
        sequential = waves(await sandbox_calls(bench))
        slow = statistics.median([(await run_load(call, 20, 1))["p50_ms"] for _ in range(bench.repeats)])
    finally:
        await sandbox_post(bench, "/_bench/latency", {"ms": 0})
    critical = base + 20 * sequential
    bench.results["latency"] = {
        "p50_ms": slow,
        "no_latency_p50_ms": base,
        "waves": sequential,
        "critical_path_ms": critical,
        "ratio": slow / critical,
    }
    print(f"  latency: {bench.results['latency']}", flush=True)


# --- webhooks -----------------------------------------------------------------------------------------


def notification(event_type: str, data: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "event_id": uuid.uuid4().hex,
            "type": event_type,
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": data,
        }
    ).encode()
    headers = {**signed_headers(WEBANK_APP_ID, WEBANK_SECRET, body), "Content-Type": "application/json"}
    return body, headers


def repayment(loan_no: str) -> tuple[bytes, dict[str, str]]:
    return notification(
        "repayment.posted",
        {
            "loan_no": loan_no,
            "repayment_no": "R" + uuid.uuid4().hex[:16],
            "kind": "ACTIVE",
            "principal": "1.00",
            "interest": "0.10",
            "penalty": "0.00",
            "paid_at": datetime.now(UTC).isoformat(),
        },
    )


async def post_notification(
    http: aiohttp.ClientSession, url: str, signed: tuple[bytes, dict[str, str]]
) -> None:
    async with http.post(url + "/webhooks/webank", data=signed[0], headers=signed[1]) as response:
        answer = await response.json()
        if response.status != 200 or answer != {"code": "SUCCESS"}:
            raise RuntimeError(f"webhook answered {response.status} {answer}")


async def webhooks(bench: Bench) -> None:
    row: dict[str, Any] = {}
    sequence = iter(range(10**9))

    async def call() -> None:
        await post_notification(
            bench.http, bench.graph.url, repayment(f"WHL{next(sequence) % WEBHOOK_LOANS + 1:04d}")
        )

    for _ in range(20):
        await call()
    for concurrency in WEBHOOK_CONCURRENCY:
        rounds = []
        for _ in range(bench.repeats):
            requests = 25 * concurrency if concurrency > 4 else 300
            cpu = bench.graph.cpu_seconds()
            figures = await run_load(call, requests, concurrency)
            figures["cpu_ms_per_notification"] = (bench.graph.cpu_seconds() - cpu) * 1000 / requests
            rounds.append(figures)
        row[f"c{concurrency}"] = {
            key: statistics.median(r[key] for r in rounds)
            for key in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_notification")
        }
        print(f"  webhooks c{concurrency}: {row[f'c{concurrency}']}", flush=True)
    bench.results["webhooks"] = row


# --- fan-out ------------------------------------------------------------------------------------------

SUBSCRIBERS = 1000
PER_SOCKET = 20  # the server's limit per connection


class Subscribers:
    """SUBSCRIBERS identical `loanStatusChanged` subscriptions over SUBSCRIBERS / PER_SOCKET websockets."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str, loan_id: str) -> None:
        self.http, self.url, self.token, self.loan_id = http, url, token, loan_id
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task[None]] = []
        self.arrivals: list[float] = []
        self.expected = 0
        self.done = asyncio.Event()

    async def open(self) -> None:
        async def one(n: int) -> None:
            ws = await self.http.ws_connect(self.url + "/graphql", protocols=["graphql-transport-ws"])
            await ws.send_json(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            )
            assert (await ws.receive_json())["type"] == "connection_ack"
            for k in range(PER_SOCKET):
                await ws.send_json(
                    {
                        "id": f"{n}-{k}",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIPTION, "variables": {"id": self.loan_id}},
                    }
                )
            first = 0
            while first < PER_SOCKET:  # each subscription's current state
                message = await ws.receive_json()
                first += message["type"] == "next"
            self.sockets.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws)))

        for start in range(0, SUBSCRIBERS // PER_SOCKET, 10):
            await asyncio.gather(*(one(n) for n in range(start, min(start + 10, SUBSCRIBERS // PER_SOCKET))))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            if json.loads(message.data).get("type") == "next":
                self.arrivals.append(time.perf_counter())
                if len(self.arrivals) >= self.expected:
                    self.done.set()

    async def one_event(self, tell: Callable[[], Awaitable[None]]) -> list[float]:
        self.arrivals, self.expected = [], SUBSCRIBERS
        self.done.clear()
        started = time.perf_counter()
        await tell()
        await asyncio.wait_for(self.done.wait(), 60)
        return [(t - started) * 1000 for t in self.arrivals]

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        for ws in self.sockets:
            await ws.close()


async def fanout(bench: Bench, make_server: Callable[[str], Awaitable[Process]]) -> None:
    row: dict[str, Any] = {}
    loan_id = base64.b64encode(b"Loan:WBB0001").decode()
    for mode in ("in_process", "redis"):
        server = await make_server(mode)
        try:
            await bench_graph_warm(bench, server)
            rss_before = server.rss_kib()
            subscribers = Subscribers(bench.http, server.url.replace("http", "ws"), bench.token, loan_id)
            await subscribers.open()
            rss_after = server.rss_kib()
            latencies: list[float] = []
            events = 2 + bench.repeats
            cpu = server.cpu_seconds()
            for _ in range(events):
                latencies += await subscribers.one_event(
                    lambda server=server: post_notification(bench.http, server.url, repayment("WBB0001"))  # type: ignore[misc]
                )
                await asyncio.sleep(0.3)
            cpu_ms_per_event = (server.cpu_seconds() - cpu) * 1000 / events
            await subscribers.close()
        finally:
            server.stop()
        row[mode] = {
            "p50_ms": statistics.median(latencies),
            "p99_ms": percentile(latencies, 0.99),
            "kib_per_subscriber": (rss_after - rss_before) / SUBSCRIBERS,
            "cpu_ms_per_event": cpu_ms_per_event,
        }
        print(f"  fanout {mode}: {row[mode]}", flush=True)
    bench.results["fanout"] = row


async def bench_graph_warm(bench: Bench, server: Process) -> None:
    headers = {**bench.auth, "Content-Type": "application/json"}
    for _ in range(5):
        async with bench.http.post(
            server.url + "/graphql", data=json.dumps({"query": LOANS}), headers=headers
        ) as response:
            await response.read()


# --- table --------------------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = ["| row | figures |", "|---|---|"]
    for name, label in (
        ("orders", "order list (first 50)"),
        ("dashboard", "dashboard"),
        ("loans", "loan list (first 20)"),
    ):
        if name in results:
            row = results[name]
            cells = " · ".join(
                f"c{c} {row[f'c{c}']['graph_p50_ms']:.1f}/{row[f'c{c}']['json_p50_ms']:.1f} ms = **{row[f'c{c}']['ratio']:.2f}**"
                for c in CONCURRENCY
            )
            lines.append(f"| {label}: graph p50 / careful JSON p50 | {cells} |")
    if "calls" in results:
        calls = results["calls"]
        cells = " · ".join(
            f"{n} ({calls[n]['orders']} orders): {calls[n]['calls']}, with bank data {calls[n]['calls_with_bank']}"
            for n in calls
        )
        lines.append(f"| upstream calls per request, first 10 / 50 / 100 | {cells} |")
    if "latency" in results:
        lat = results["latency"]
        lines.append(
            f"| dashboard, 20 ms on every upstream call | p50 {lat['p50_ms']:.1f} ms vs critical path "
            f"{lat['critical_path_ms']:.1f} ms ({lat['waves']} waves + {lat['no_latency_p50_ms']:.1f} ms) = "
            f"**{lat['ratio']:.2f}** |"
        )
    if "webhooks" in results:
        hooks = results["webhooks"]
        cells = " · ".join(
            f"c{c} **{hooks[f'c{c}']['rps']:.0f}/s** p99 {hooks[f'c{c}']['p99_ms']:.0f} ms "
            f"{hooks[f'c{c}']['cpu_ms_per_notification']:.2f} ms CPU"
            for c in WEBHOOK_CONCURRENCY
        )
        lines.append(f"| signed notifications on PostgreSQL | {cells} |")
    if "fanout" in results:
        fan = results["fanout"]
        cells = " · ".join(
            f"{mode.replace('_', '-')}: p50 {fan[mode]['p50_ms']:.0f} / **p99 {fan[mode]['p99_ms']:.0f} ms**, "
            f"{fan[mode]['cpu_ms_per_event']:.0f} ms server CPU per event, "
            f"{fan[mode]['kib_per_subscriber']:.0f} KiB/subscriber"
            for mode in fan
        )
        lines.append(f"| 1,000 `loanStatusChanged` subscribers, one event | {cells} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, load {load:.1f} at start"


async def main(only: list[str], repeats: int, profile: bool) -> None:
    RESULTS.mkdir(exist_ok=True)
    started = time.monotonic()
    info = machine()
    print(f"bench on {info}", flush=True)
    sandbox = await start_sandbox()
    try:
        async with fresh_database() as database_url:
            await seed(database_url)
            env = server_env(database_url, sandbox.url)
            token = mint_token(JWT_SECRET, SUPPLIER)
            # idle connections closed before uvicorn closes them (5 s), never reused half-closed
            connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=3)
            async with aiohttp.ClientSession(connector=connector) as http:
                graph = await graph_server("graph", env, profile)
                plain = await json_server(env) if {"orders", "dashboard", "loans"} & set(only) else None
                bench = Bench(http, sandbox, graph, plain, repeats, token)
                try:
                    if "orders" in only:
                        await side_by_side(bench, "orders", ORDERS, {"first": 50}, "/json/orders?first=50")
                    if "dashboard" in only:
                        await side_by_side(bench, "dashboard", DASHBOARD, {}, "/json/dashboard")
                    if "loans" in only:
                        await side_by_side(bench, "loans", LOANS, {}, "/json/loans")
                    if "calls" in only:
                        await upstream_calls(bench)
                    if "latency" in only:
                        await latency(bench)
                    if "webhooks" in only:
                        await webhooks(bench)
                finally:
                    graph.stop()
                    if plain is not None:
                        plain.stop()
                if "fanout" in only:
                    prefix = f"bench-{uuid.uuid4().hex[:8]}:"

                    def make(mode: str) -> Awaitable[Process]:
                        extra = (
                            {"BFF_REDIS_URL": REDIS_URL, "BFF_REDIS_CHANNEL_PREFIX": prefix}
                            if mode == "redis"
                            else {}
                        )
                        return graph_server(f"fanout-{mode}", {**env, **extra}, profile)

                    await fanout(bench, make)
    finally:
        sandbox.stop()
    results = {
        "machine": info,
        "command": "bench/run.py " + " ".join(sys.argv[1:]),
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - started, 1),
        "rows": bench.results,
    }
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(bench.results))
    print(f"\n{info}; {results['seconds']} s; written to bench/results/latest.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=ROWS, default=list(ROWS), metavar="ROW")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="run each bff serve under py-spy")
    args = parser.parse_args()
    asyncio.run(main(args.only, args.repeats, args.profile))
