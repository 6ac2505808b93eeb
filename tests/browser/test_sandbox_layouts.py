"""The sandbox bank's pages in a real browser at a phone's width (390 px) and a desktop's (1280 px): nothing
overflows sideways, names do not wrap a character a line, overdue shows in warning colours. Each page is
saved as a screenshot under the run's output directory (`screenshots/`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.async_api import Browser, Page

from bff.signing import REQUEST_ID_HEADER, signed_headers
from bff_sandbox import RunningSandbox
from bff_sandbox.webank_payloads import expected_months

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
GD_BOTH = "91440300MA5314187G"
LONG_BUYER = "中国建筑第三工程局有限公司第一建设工程有限责任公司华南分公司"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`$BFF_TEST_OUTPUT/screenshots` when set, else the run's own temporary directory."""
    root = Path(os.environ.get("BFF_TEST_OUTPUT") or tmp_path_factory.getbasetemp())
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def bank(sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    sandbox.state.reset()
    yield sandbox
    sandbox.state.reset()


def _post(sandbox: RunningSandbox, path: str, body: dict[str, object]) -> dict[str, str]:
    import json
    import urllib.request

    from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET

    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {
        **signed_headers(WEBANK_APP_ID, WEBANK_SECRET, raw),
        "Content-Type": "application/json",
        REQUEST_ID_HEADER: f"layout-{path}-{len(raw)}",
    }
    request = urllib.request.Request(sandbox.webank_url + path, data=raw, headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:  # the sandbox on localhost
        answer: dict[str, str] = json.loads(response.read())
    return answer


def pages_of(sandbox: RunningSandbox) -> dict[str, str]:
    """The pages a person sees, with WBL0001 overdue (its next debit failed three days ago)."""
    state = sandbox.state
    supplier = {
        "code": "GD-BOTH",
        "name": "深圳市筑城建材有限公司",
        "credit_code": GD_BOTH,
        "province": "广东省",
        "city": "深圳市",
    }
    months = [
        {"month": m, "order_amount": "1000.00", "settled_amount": "1000.00", "order_count": 1}
        for m in expected_months(state.today)
    ]
    pushed = _post(
        sandbox, "/v1/suppliers/push", {"supplier": supplier, "statistics": {"months": months, "buyers": 2}}
    )
    orders = [
        {
            "order_no": f"CG20260301{n:04d}",
            "source": "MALL" if n % 2 else "MRO",
            "status": "PENDING_SHIPMENT",
            "amount": "1234567.89",
            "financeable_amount": "617283.95",
            "buyer_name": LONG_BUYER,
            "contract": {"contract_no": f"HT-2026-{n:06d}", "amount": "1234567.89", "signed_at": None},
        }
        for n in range(1, 4)
    ]
    batch = _post(sandbox, "/v1/orders/push", {"credit_code": GD_BOTH, "orders": orders})
    loan = state.loan("WBL0001")
    assert loan is not None
    next_due = next(i.due_date for i in loan.plan if i.status == "PENDING")
    state.set_insufficient_funds("WBL0001", True)
    state.set_today(next_due.fromordinal(next_due.toordinal() + 3))
    base = sandbox.webank_url + "/pages"
    return {
        "register": pushed["register_url"],
        "financing": batch["financing_url"],
        "loan-overdue": f"{base}/loan?loan_no=WBL0001",
        "loan-settled": f"{base}/loan?loan_no=WBL0002",
        "repayment": f"{base}/repayment?{urlencode({'loan_no': 'WBL0001', 'kind': 'INSTALLMENT'})}",
        "accounts": f"{base}/accounts?credit_code={GD_BOTH}",
        "transactions": f"{base}/transactions?{urlencode({'credit_code': GD_BOTH, 'from': '2025-01-01', 'to': '2027-12-31'})}",
    }


async def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing overflows sideways)."""
    width: int = await page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"
    )
    return width


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_every_page_fits_the_screen(
    browser: Browser, bank: RunningSandbox, screenshots: Path, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    too_wide = {}
    try:
        for name, url in pages_of(bank).items():
            response = await page.goto(url)
            assert response is not None
            assert response.status == 200, name
            await page.screenshot(path=str(screenshots / f"bank-{name}-{viewport}.png"), full_page=True)
            extra = await overflow(page)
            if extra > 0:
                too_wide[name] = extra
    finally:
        await context.close()
    assert too_wide == {}


async def test_buyer_names_do_not_wrap_a_character_a_line_on_the_desktop(
    browser: Browser, bank: RunningSandbox
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        await page.goto(pages_of(bank)["financing"])
        cell = page.locator("#orders td.name").first
        box = await cell.bounding_box()
        font_px = await cell.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    finally:
        await context.close()
    assert box is not None
    assert box["width"] >= 8 * font_px  # at least eight characters a line
    assert box["height"] <= 4 * 1.6 * font_px + 16  # the long name takes a few lines, not thirty


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_overdue_shows_in_warning_colours_and_chinese(
    browser: Browser, bank: RunningSandbox, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    try:
        await page.goto(pages_of(bank)["loan-overdue"])
        badge = page.locator('#loan-plan [data-value="OVERDUE"]').first
        text = await badge.inner_text()
        colour = await badge.evaluate("e => getComputedStyle(e).color")
        heading = await page.locator("#loan-result h2").first.evaluate("e => getComputedStyle(e).color")
        status = await page.locator("#loan-status").inner_text()
    finally:
        await context.close()
    assert text == "已逾期"
    assert status == "已逾期"
    green = "rgb(26, 162, 96)"
    assert colour == heading == "rgb(194, 65, 12)"
    assert green not in (colour, heading)
