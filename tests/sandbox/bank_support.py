"""What the sandbox bank's page tests share: a signature-checking webhook, signed API calls, page scraping.

Each test module starts its own sandbox and its own webhook receiver (`serve_webhook`, or the fixtures
`sandbox_fixtures` makes), so they never see each other's notifications.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bff.signing import APP_ID_HEADER, REQUEST_ID_HEADER, signed_headers, verify
from bff_sandbox import RunningSandbox, start_sandbox
from bff_sandbox.data import Loan
from bff_sandbox.loan_decision import LoanRequest, applied_loan, decided_loan

Event = dict[str, Any]


@dataclass
class Webhook:
    """Acknowledges correctly signed notifications and records them; refuses anything else with 401.

    With `refuse_first` it answers 503 to the first delivery of each event (counted in `deliveries`),
    so every event it records has been retried.
    """

    app_id: str
    secret: str
    refuse_first: bool = False
    url: str = ""
    received: list[Event] = field(default_factory=list)
    deliveries: Counter[str] = field(default_factory=Counter)
    unsigned: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.headers.get(APP_ID_HEADER) != self.app_id or not verify(self.secret, request.headers, raw):
            self.unsigned += 1
            return web.json_response({"code": "INVALID_SIGNATURE"}, status=401)
        event = json.loads(raw)
        self.deliveries[event["event_id"]] += 1
        if self.refuse_first and self.deliveries[event["event_id"]] == 1:
            return web.json_response({"code": "UNAVAILABLE"}, status=503)
        self.received.append(event)
        self.arrived.set()
        return web.json_response({"code": "SUCCESS"})

    def types(self) -> list[str]:
        return [e["type"] for e in self.received]

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        """(type, data) of every recorded event, in arrival order."""
        return [(e["type"], e["data"]) for e in self.received]

    def of(self, loan_no: str) -> list[tuple[str, dict[str, Any]]]:
        """(type, data) of the events about one loan, in arrival order."""
        return [(e["type"], e["data"]) for e in self.received if e["data"].get("loan_no") == loan_no]

    async def wait_until(self, done: Callable[[], bool], seconds: float = 3, settle: float = 0.05) -> None:
        """Wait (at most `seconds`) until `done()`, then `settle` seconds more."""
        async with asyncio.timeout(seconds):
            while not done():
                self.arrived.clear()
                await self.arrived.wait()
        if settle:
            await asyncio.sleep(settle)  # time for an unexpected extra event to show up

    async def wait_for(self, count: int, settle: float = 0) -> list[Event]:
        """The recorded events once there are `count` of them (at most 3 s from now), `settle` s later."""
        await self.wait_until(lambda: len(self.received) >= count, settle=settle)
        return self.received

    async def wait_for_loan(self, loan_no: str, count: int) -> list[tuple[str, dict[str, Any]]]:
        await self.wait_until(lambda: len(self.of(loan_no)) >= count)
        return self.of(loan_no)


@asynccontextmanager
async def serve_webhook(
    sandbox: RunningSandbox, app_id: str, secret: str, *, refuse_first: bool = False
) -> AsyncIterator[Webhook]:
    """A webhook on a free port that the sandbox notifies; the sandbox is reset before and after."""
    sandbox.state.reset()
    hook = Webhook(app_id, secret, refuse_first)
    app = web.Application()
    app.router.add_post("/webhooks/webank", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    hook.url = f"http://{host}:{port}/webhooks/webank"
    sandbox.set_webhook_url(hook.url)
    try:
        yield hook
    finally:
        sandbox.set_webhook_url(None)
        sandbox.state.reset()
        await runner.cleanup()


def sandbox_fixtures(today: date, app_id: str, secret: str, *, refuse_first: bool = False) -> tuple[Any, ...]:
    """The fixtures `sandbox` (one per module), `webhook` (`serve_webhook`) and `http`, for a test module.

    Use as `sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET)` at the module's top level.
    """

    @pytest.fixture(scope="module")
    def sandbox() -> Iterator[RunningSandbox]:
        with start_sandbox(today=today, webank_app_id=app_id, webank_secret=secret) as running:
            yield running

    @pytest.fixture
    async def webhook(sandbox: RunningSandbox) -> AsyncIterator[Webhook]:
        async with serve_webhook(sandbox, app_id, secret, refuse_first=refuse_first) as hook:
            yield hook

    @pytest.fixture
    async def http() -> AsyncIterator[aiohttp.ClientSession]:
        async with aiohttp.ClientSession() as session:
            yield session

    return sandbox, webhook, http


async def signed_get(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, app_id: str, secret: str, path: str
) -> tuple[int, Any]:
    headers = signed_headers(app_id, secret, b"")
    async with http.get(sandbox.webank_url + path, headers=headers) as response:
        return response.status, await response.json()


async def signed_post(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, app_id: str, secret: str, path: str, body: Any
) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {**signed_headers(app_id, secret, raw), "Content-Type": "application/json"}
    headers[REQUEST_ID_HEADER] = f"req-{id(body)}-{asyncio.get_running_loop().time()}"
    async with http.post(sandbox.webank_url + path, data=raw, headers=headers) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def control(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


def book_disbursed_loan(
    sandbox: RunningSandbox, loan_no: str, amount: str, term: int, method: str, credit_code: str
) -> Loan:
    """A loan the bank disbursed today, booked straight into the state (no pages, no notifications)."""
    request = LoanRequest(credit_code, "CREDIT", Decimal(amount), term, method)
    loan = decided_loan(applied_loan(loan_no, request), None, sandbox.state.today)
    sandbox.state.add_loan(loan)
    return loan


@dataclass(frozen=True)
class Page:
    status: int
    url: str
    html: str

    def value(self, element_id: str, *, adjacent: bool = False) -> str | None:
        """The element's `data-value`; with `adjacent`, only when written right after its `id`."""
        between = " " if adjacent else "[^>]* "
        found = re.search(rf'id="{element_id}"{between}data-value="([^"]*)"', self.html)
        return found.group(1) if found else None

    def attribute(self, element_id: str, name: str) -> str | None:
        found = re.search(rf'id="{element_id}"[^>]* {name}="([^"]*)"', self.html)
        return found.group(1) if found else None

    def hidden(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        assert found is not None, name
        return found.group(1)

    @property
    def error_field(self) -> str | None:
        return self.attribute("error", "data-field")

    @property
    def alert_field(self) -> str | None:
        """The error's field, only when shown exactly as `id="error" class="error" role="alert"`."""
        found = re.search(r'id="error" class="error" role="alert" data-field="(\w+)"', self.html)
        return found.group(1) if found else None

    @property
    def step(self) -> str | None:
        """The registration page's current step."""
        found = re.search(r'id="register" data-apply-no="[^"]*" data-step="(\w+)"', self.html)
        return found.group(1) if found else None

    @property
    def loan_status(self) -> str | None:
        found = re.search(r'id="loan-result" data-status="(\w+)"', self.html)
        return found.group(1) if found else None

    def ticked(self) -> list[str]:
        """The order numbers ticked on a financing page."""
        return re.findall(r'id="order-[^"]+" name="order_no" value="([^"]+)" checked', self.html)


async def open_page(http: aiohttp.ClientSession, url: str) -> Page:
    async with http.get(url) as response:
        return Page(response.status, str(response.url), await response.text())


async def post_form(
    http: aiohttp.ClientSession, url: str, form: dict[str, str] | list[tuple[str, str]]
) -> Page:
    async with http.post(url, data=form) as response:
        return Page(response.status, str(response.url), await response.text())


def day_of(timestamp: str) -> date:
    """The date of an ISO-8601 time with the +08:00 offset."""
    assert timestamp.endswith("+08:00"), timestamp
    return date.fromisoformat(timestamp[:10])
