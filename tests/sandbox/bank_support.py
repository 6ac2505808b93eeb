"""What the loan-servicing tests share: a signature-checking webhook, signed API calls, page scraping.

Each test module starts its own sandbox and its own webhook receiver (`serve_webhook`), so they never
see each other's notifications.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import aiohttp
from aiohttp import web

from bff.sandbox import RunningSandbox
from bff.sandbox.data import Loan
from bff.sandbox.loan_decision import LoanRequest, applied_loan, decided_loan
from bff.signing import APP_ID_HEADER, REQUEST_ID_HEADER, signed_headers, verify

Event = dict[str, Any]


@dataclass
class Webhook:
    """Acknowledges correctly signed notifications and records them; refuses anything else with 401."""

    app_id: str
    secret: str
    received: list[Event] = field(default_factory=list)
    unsigned: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.headers.get(APP_ID_HEADER) != self.app_id or not verify(self.secret, request.headers, raw):
            self.unsigned += 1
            return web.json_response({"code": "INVALID_SIGNATURE"}, status=401)
        self.received.append(json.loads(raw))
        self.arrived.set()
        return web.json_response({"code": "SUCCESS"})

    def of(self, loan_no: str) -> list[tuple[str, dict[str, Any]]]:
        """(type, data) of the events about one loan, in arrival order."""
        return [(e["type"], e["data"]) for e in self.received if e["data"].get("loan_no") == loan_no]

    async def wait_until(self, done: Callable[[], bool], seconds: float = 3) -> None:
        async with asyncio.timeout(seconds):
            while not done():
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.sleep(0.05)  # time for an unexpected extra event to show up

    async def wait_for_loan(self, loan_no: str, count: int) -> list[tuple[str, dict[str, Any]]]:
        await self.wait_until(lambda: len(self.of(loan_no)) >= count)
        return self.of(loan_no)


@asynccontextmanager
async def serve_webhook(sandbox: RunningSandbox, app_id: str, secret: str) -> AsyncIterator[Webhook]:
    """A webhook on a free port that the sandbox notifies; the sandbox is reset before and after."""
    sandbox.state.reset()
    hook = Webhook(app_id, secret)
    app = web.Application()
    app.router.add_post("/webhooks/webank", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    sandbox.set_webhook_url(f"http://{host}:{port}/webhooks/webank")
    try:
        yield hook
    finally:
        sandbox.set_webhook_url(None)
        sandbox.state.reset()
        await runner.cleanup()


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

    def value(self, element_id: str) -> str | None:
        found = re.search(rf'id="{element_id}"[^>]* data-value="([^"]*)"', self.html)
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


async def open_page(http: aiohttp.ClientSession, url: str) -> Page:
    async with http.get(url) as response:
        return Page(response.status, str(response.url), await response.text())


async def post_form(http: aiohttp.ClientSession, url: str, form: dict[str, str]) -> Page:
    async with http.post(url, data=form) as response:
        return Page(response.status, str(response.url), await response.text())


def day_of(timestamp: str) -> date:
    """The date of an ISO-8601 time with the +08:00 offset."""
    assert timestamp.endswith("+08:00"), timestamp
    return date.fromisoformat(timestamp[:10])
