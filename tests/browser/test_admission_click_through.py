"""A supplier clicks through the sandbox bank from the `registrationUrl` to an approved limit in the graph."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from app_fixtures import Bff
from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser

AGREE = (
    'mutation { agreeToAuthorization(input: {agreementVersion: "2026-01", entryPoint: FINTECH_HOME_BANNER})'
    " { userErrors { code } } }"
)
OPEN = "mutation { openFinancing { pushPending userErrors { code } } }"
HANDLER = (
    'mutation { submitHandler(input: {name: "李经办", phone: "13800138000", email: "jb@example.com"})'
    " { registrationUrl userErrors { code } } }"
)
ADMISSION = (
    "{ viewer { admission { status creditLimit { total orderLoan { total } creditLoan { total } } } } }"
)


async def registration_url(bff: Bff) -> str:
    for mutation in (AGREE, OPEN):
        result = await bff.query(mutation)
        assert next(iter(result["data"].values()))["userErrors"] == [], result
    handler = await bff.query(HANDLER)
    url: str = handler["data"]["submitHandler"]["registrationUrl"]
    assert url
    return url


async def walk_bank_pages(page: Page, url: str, legal_name: str) -> str:
    await page.goto(url)
    await page.fill("#account_phone", "13800138000")
    await page.fill("#password", "sandbox-pass")
    await page.check("#method-business")
    await page.click("#enterprise-submit")
    await page.fill("#legal_name", legal_name)
    await page.fill("#id_number", "11010519491231002X")
    await page.fill("#bank_card", "6222020200112233446")
    await page.fill("#sms_code", "123456")
    await page.click("#legal-rep-submit")
    await page.check("#agree")
    await page.click("#apply-submit")
    status = await page.locator("#result").get_attribute("data-status")
    assert status is not None
    return status


async def admission_once(bff: Bff, status: str) -> dict[str, Any]:
    for _ in range(100):
        admission: dict[str, Any] = (await bff.query(ADMISSION))["data"]["viewer"]["admission"]
        if admission["status"] == status:
            return admission
        await asyncio.sleep(0.1)
    raise AssertionError(f"the admission never became {status}: {admission}")


async def test_clicking_through_the_bank_ends_in_an_approved_limit(browser: Browser, bff: Bff) -> None:
    # given
    url = await registration_url(bff)
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    # when
    status = await walk_bank_pages(page, url, legal_name="王法人")
    total = await page.locator("#limit-total").get_attribute("data-value")
    await page.screenshot(path="/tmp/bank-approved.png")
    # then: the bank's signed notifications reached the BFF, and the graph shows the same limit
    assert status == "APPROVED"
    admission = await admission_once(bff, "APPROVED")
    assert admission["creditLimit"]["total"] == total
    assert admission["creditLimit"]["orderLoan"]["total"] == await page.locator(
        "#order-loan-total"
    ).get_attribute("data-value")


async def test_a_rejection_on_the_bank_page_shows_in_the_graph(browser: Browser, bff: Bff) -> None:
    url = await registration_url(bff)
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    status = await walk_bank_pages(page, url, legal_name="拒绝")  # the sandbox's documented manual switch
    assert status == "REJECTED"
    admission = await admission_once(bff, "REJECTED")
    assert admission["creditLimit"] is None
