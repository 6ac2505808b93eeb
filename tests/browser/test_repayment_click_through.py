"""The end of a loan's life in a real browser: repay an installment on WeBank's page, then settle early,
and see both in the graph."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from financing_support import orders, pick
from playwright.async_api import Browser, Page
from test_admission_click_through import admission_once, registration_url, walk_bank_pages

pytestmark = pytest.mark.browser

APPLY = "mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) { redirectUrl userErrors { code } } }"
START = """
mutation ($id: ID!, $kind: RepaymentStartKind!) { startRepayment(input: {loanId: $id, kind: $kind}) {
  redirectUrl payoffQuote { total } userErrors { code } } }
"""
LOAN = """
{ viewer { loans(first: 1) { edges { node { id loanNo status outstandingPrincipal
  repayments { kind principal interest penalty amount } documents { kind }
  orders { orderNo financedAmount } } } } } }
"""


async def the_loan(bff: Bff) -> dict[str, Any] | None:
    """The viewer's loan, or None before the bank's notification of it has arrived (it is asynchronous:
    the bank's page can say DISBURSED before the platform heard of the loan)."""
    edges = (await bff.query(LOAN))["data"]["viewer"]["loans"]["edges"]
    return edges[0]["node"] if edges else None


async def until(bff: Bff, predicate: Any) -> dict[str, Any]:
    loan = None
    for _ in range(100):
        loan = await the_loan(bff)
        if loan is not None and predicate(loan):
            return loan
        await asyncio.sleep(0.1)
    raise AssertionError(f"the loan never got there: {loan}")


async def disbursed_order_loan(bff: Bff, page: Page) -> dict[str, Any]:
    assert await walk_bank_pages(page, await registration_url(bff), legal_name="王法人") == "APPROVED"
    await admission_once(bff, "APPROVED")
    chosen = pick(await orders(bff), "MALL", "PROCESSING")
    applied = (await bff.query(APPLY, {"ids": [n["id"] for n in chosen]}))["data"]["applyForOrderFinancing"]
    await page.goto(applied["redirectUrl"])
    await page.fill("#amount", "6000.00")
    await page.select_option("#term", "3")
    await page.click("#financing-submit")
    assert await page.locator("#loan-result").get_attribute("data-status") == "DISBURSED"
    return await until(bff, lambda loan: loan["status"] == "DISBURSED")


async def pay_on_page(page: Page, url: str) -> str:
    await page.goto(url)
    amount = await page.locator("#repay-amount").get_attribute("data-value")
    assert amount is not None
    await page.fill("#trade_password", "123456")
    await page.fill("#sms_code", "123456")
    await page.click("#repay-submit")
    status = await page.locator("#repay-result").get_attribute("data-status")
    assert status is not None
    return amount


async def test_repay_an_installment_then_settle_early(browser: Browser, bff: Bff) -> None:
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    loan = await disbursed_order_loan(bff, page)
    assert loan["outstandingPrincipal"] == "6000.00"
    assert loan["orders"][0]["financedAmount"] == "6000.00"

    # when: the supplier repays the next installment on the bank's page
    start = (await bff.query(START, {"id": loan["id"], "kind": "INSTALLMENT"}))["data"]["startRepayment"]
    assert start["userErrors"] == []
    paid = await pay_on_page(page, start["redirectUrl"])
    # then (one response reads the loan row before its repayments, so the notification committing in
    # between can show the repayment beside the old principal: wait for both)
    loan = await until(bff, lambda loan: loan["repayments"] and loan["outstandingPrincipal"] != "6000.00")
    repayment = loan["repayments"][0]
    assert repayment["kind"] == "ACTIVE"
    assert repayment["amount"] == paid
    outstanding = Decimal("6000.00") - Decimal(repayment["principal"])
    assert loan["outstandingPrincipal"] == f"{outstanding:.2f}"

    # when: they settle the rest early, at the quoted amount
    start = (await bff.query(START, {"id": loan["id"], "kind": "EARLY_SETTLEMENT"}))["data"]["startRepayment"]
    quoted = start["payoffQuote"]["total"]
    settled_amount = await pay_on_page(page, start["redirectUrl"])
    await page.screenshot(path="/tmp/bank-settled.png")
    # then
    assert settled_amount == quoted
    loan = await until(bff, lambda loan: loan["status"] == "SETTLED")
    assert loan["outstandingPrincipal"] == "0.00"
    assert [r["kind"] for r in loan["repayments"]] == ["ACTIVE", "EARLY_SETTLEMENT"]
    assert loan["repayments"][1]["amount"] == quoted
    assert loan["orders"][0]["financedAmount"] == "0.00"  # a settled loan frees its orders
    assert "SETTLEMENT_CERTIFICATE" in {d["kind"] for d in loan["documents"]}
