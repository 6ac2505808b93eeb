"""From `applyForOrderFinancing`'s redirectUrl through the sandbox bank's page to a disbursed loan that the
graph shows and the subscription pushes."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from financing_support import orders, pick
from playwright.async_api import Browser
from test_admission_click_through import admission_once, registration_url, walk_bank_pages
from ws_support import next_payload

pytestmark = pytest.mark.browser

APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  redirectUrl application { ceiling } userErrors { code message } } }
"""
LOANS = "{ viewer { loans(first: 5) { edges { node { loanNo kind status amount outstandingPrincipal orders { orderNo } } } } } }"
LOAN_PUSHES = "subscription { loanStatusChanged { loanNo status } }"


async def test_an_order_loan_from_redirect_url_to_disbursed(browser: Browser, bff: Bff) -> None:
    # given: an approved supplier (through the bank's own pages, so the bank knows the limit)
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    assert await walk_bank_pages(page, await registration_url(bff), legal_name="王法人") == "APPROVED"
    await admission_once(bff, "APPROVED")
    nodes = await orders(bff)
    chosen = pick(nodes, "MALL", "PROCESSING") + pick(nodes, "MRO", "PENDING_RECEIPT")
    applied = (await bff.query(APPLY, {"ids": [n["id"] for n in chosen]}))["data"]["applyForOrderFinancing"]
    assert applied["userErrors"] == []
    ws = await bff.subscribe(LOAN_PUSHES)
    try:
        # when: the supplier borrows on the bank's page, within the ceiling
        await page.goto(applied["redirectUrl"])
        ceiling = Decimal(await page.locator("#ceiling").get_attribute("data-value") or "0")
        assert ceiling == Decimal(applied["application"]["ceiling"])
        amount = (ceiling / 2).quantize(Decimal("0.01"))
        if str(amount).endswith(".44"):  # the sandbox's documented failure switch
            amount -= Decimal("0.01")
        await page.fill("#amount", str(amount))
        await page.select_option("#term", "6")
        await page.click("#financing-submit")
        assert await page.locator("#loan-result").get_attribute("data-status") == "DISBURSED"
        loan_no = await page.locator("#loan-no").inner_text()
        await page.screenshot(path="/tmp/bank-disbursed.png")
        # then: pushed live …
        pushed: list[dict[str, Any]] = []
        while not pushed or pushed[-1]["status"] != "DISBURSED":
            pushed.append((await next_payload(ws))["data"]["loanStatusChanged"])
        assert {p["loanNo"] for p in pushed} == {loan_no.strip()}
    finally:
        await ws.close()
    # … and in the graph, linked to its orders
    for _ in range(50):
        loans = [e["node"] for e in (await bff.query(LOANS))["data"]["viewer"]["loans"]["edges"]]
        if loans and loans[0]["status"] == "DISBURSED":
            break
        await asyncio.sleep(0.1)
    assert loans[0]["loanNo"] == loan_no.strip()
    assert loans[0]["kind"] == "ORDER"
    assert Decimal(loans[0]["amount"]) == amount
    assert loans[0]["outstandingPrincipal"] == loans[0]["amount"]
    assert {o["orderNo"] for o in loans[0]["orders"]} == {n["orderNo"] for n in chosen}
