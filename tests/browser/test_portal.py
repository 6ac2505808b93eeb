"""The reference portal (`/portal`) as a supplier uses it, in headless chromium at a desktop and a phone width.

From the entry point through admission at the sandbox bank, order selection (a wrong status in the mall
list first, then a valid MRO order), financing at the bank, the loan turning 已放款 in the open list without a
reload, MRO 融资查询, a repayment, a voucher's download and the notices. The BFF runs with `BFF_PERSISTED_ONLY=true`, so any request that is not a document of
`operations/` would be refused; every request and subscription the page makes is recorded and checked too.
"""

from __future__ import annotations

import asyncio
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from app_fixtures import JWT_SECRET, Bff
from playwright.async_api import Browser, BrowserContext, Page, WebSocket
from test_admission_click_through import walk_bank_pages
from test_repayment_click_through import pay_on_page

from bff.auth import mint_token
from bff.operations import load_operations

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp/portal-screenshots")
HASHES = {operation.sha256: operation.name for operation in load_operations()}
WRONG_STATUS = "请勾选待发货、处理中的订单发起贷款申请"


@pytest.fixture(scope="module", autouse=True)
def screenshots() -> None:
    SCREENSHOTS.mkdir(exist_ok=True)


@pytest.fixture
def bff_overrides() -> dict[str, object]:
    """`bff demo`'s portal, with the demo supplier's token in the page, and only operations/ allowed."""
    return {
        "portal": True,
        "persisted_only": True,
        "demo_token": mint_token(JWT_SECRET, "GD-BOTH"),
    }


class Requests:
    """The operations the page sent over HTTP and the websocket, by name; anything else is kept apart."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.strangers: list[Any] = []

    def payload(self, body: Any) -> None:
        persisted = (body.get("extensions") or {}).get("persistedQuery") or {}
        name = HASHES.get(persisted.get("sha256Hash", ""))
        if name is None or body.get("operationName") != name:
            self.strangers.append(body)
        else:
            self.names.append(name)

    def watch(self, page: Page, origin: str) -> None:
        def on_request(request: Any) -> None:
            if request.url == f"{origin}/graphql" and request.method == "POST":
                self.payload(request.post_data_json)

        def on_websocket(socket: WebSocket) -> None:
            def on_frame(frame: str | bytes) -> None:
                message = json.loads(frame)
                if message.get("type") == "subscribe":
                    self.payload(message["payload"])

            socket.on("framesent", on_frame)

        page.on("request", on_request)
        page.on("websocket", on_websocket)


def yuan(value: str | Decimal) -> str:
    return f"¥{Decimal(value):,.2f}"


async def snapshot(page: Page, width: int, name: str) -> None:
    """A screenshot kept by the run, after checking that nothing overflows the screen sideways."""
    await page.screenshot(path=SCREENSHOTS / f"{width}-{name}.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, name


async def bank_tab(context: BrowserContext, page: Page, selector: str) -> Page:
    """Clicks the button that hands the supplier over to WeBank (waiting for it: the link may come by a push
    when the hand-over is queued), which opens the bank's page in a tab of its own."""
    async with context.expect_page() as opened:
        await page.click(selector)
    tab = await opened.value
    tab.set_default_timeout(15_000)
    return tab


@pytest.mark.parametrize("width", [1280, 390])
async def test_a_supplier_goes_from_the_entry_point_to_a_repaid_loan(
    browser: Browser, bff: Bff, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    sent = Requests()
    sent.watch(page, bff.url)
    try:
        # an entry point: the banner offers 立即开通
        await page.goto(f"{bff.url}/portal")
        assert await page.locator("#cta").inner_text() == "立即开通"
        await page.evaluate("window.sameDocument = true")  # gone if the page ever reloads
        await snapshot(page, width, "1-home")

        # product access: agree, 开通, the handler, then WeBank's registration in a tab of its own
        await page.click("#cta")
        assert await page.locator("#open").is_disabled()
        await page.check("#agree")
        await page.click("#open")
        await page.fill("#handler-name", "李经办")
        await page.fill("#handler-phone", "13800138000")
        await page.fill("#handler-email", "jb@example.com")
        await page.click("#handler-submit")
        bank = await bank_tab(context, page, "#continue")
        assert await walk_bank_pages(bank, bank.url, legal_name="王法人") == "APPROVED"
        limit = await bank.locator("#limit-total").get_attribute("data-value")
        assert limit is not None
        # the portal hears of the approval live
        await page.locator("#approved").wait_for()
        assert await page.locator("#limit-total").inner_text() == yuan(limit)
        await snapshot(page, width, "2-approved")

        # the mall order list: a completed order is refused with the manual's message, nothing applied for
        await page.click("#go-orders")
        completed = page.locator('tr:has(.tag[data-status="COMPLETED"]) input[type=checkbox]').first
        await completed.check()
        await page.click("#apply")
        refusal = page.locator('#refusal [data-code="ORDER_STATUS_NOT_FINANCEABLE"]')
        assert WRONG_STATUS in await refusal.inner_text()
        assert await page.locator("#applied").count() == 0
        await snapshot(page, width, "3-wrong-status")

        # … then, in the MRO 订单管理 list, an order awaiting receipt, financed at the bank's page in its own tab
        await page.click('.tabs a[href="#/orders/mro"]')
        awaiting_receipt = page.locator('tr:has(.tag[data-status="PENDING_RECEIPT"])').first
        order_no = await awaiting_receipt.get_attribute("data-order")
        assert order_no is not None
        await awaiting_receipt.locator("input[type=checkbox]").check()
        await page.click("#apply")
        financing = await bank_tab(context, page, "#financing-link")
        await page.click("#to-loans")
        await page.locator(".heading h1", has_text="数据列表").wait_for()
        await financing.fill("#amount", "5000.00")
        await financing.select_option("#term", "6")
        await financing.click("#financing-submit")
        assert await financing.locator("#loan-result").get_attribute("data-status") == "DISBURSED"
        loan_no = (await financing.locator("#loan-no").inner_text()).strip()

        # the open 数据列表 turns 已放款 without a reload
        row = page.locator(f'tr[data-loan="{loan_no}"]')
        await row.locator('.status[data-status="DISBURSED"]').wait_for()
        assert await row.locator(".status").inner_text() == "已放款"
        assert await page.evaluate("window.sameDocument") is True
        await snapshot(page, width, "4-disbursed-live")

        # MRO 融资查询 shows the order with its loan
        await page.click('#nav a[data-route="orders"]')
        await page.click('.tabs a[href="#/orders/mro-financing"]')
        financed = page.locator(f'tr[data-order="{order_no}"][data-loan="{loan_no}"]')
        assert await financed.locator(".status").inner_text() == "已放款"

        # loan details from the 数据列表: the order behind it, then 到期还款 at the bank, and the repayment
        await page.click('#nav a[data-route="loans"]')
        await page.locator(f'tr[data-loan="{loan_no}"] a.detail').click()
        await page.locator("#repay-installment").wait_for()
        assert await page.get_by_text(order_no).count() == 1
        await page.click("#repay-installment")
        repayment_page = await bank_tab(context, page, "#repay-link")
        paid = await pay_on_page(repayment_page, repayment_page.url)
        repayment = page.locator("tr[data-repayment]")
        await repayment.wait_for()
        assert yuan(paid) in await repayment.inner_text()
        assert await page.locator('tr[data-period="1"]').get_attribute("data-status") == "PAID"
        await snapshot(page, width, "5-repaid")

        # the period's voucher downloads as a PDF through the BFF
        voucher = page.locator('li[data-kind="INSTALLMENT_VOUCHER"] a')
        async with page.expect_download() as downloading:
            await voucher.click()
        download = await downloading.value
        assert download.suggested_filename == f"{loan_no}-第1期本息归还凭证.pdf"
        body = await download.path()
        text = "".join(
            p.extract_text()
            for p in pypdf.PdfReader(io.BytesIO(await asyncio.to_thread(body.read_bytes))).pages
        )
        assert loan_no in text

        # 消息通知: the approval and the disbursal came as notices; all marked read, the badge goes
        await page.click('#nav a[data-route="notices"]')
        await page.locator(".notices").wait_for()
        assert {"LIMIT_APPROVED", "DISBURSED"} <= set(
            await page.locator(".notices li.unread").evaluate_all("items => items.map(i => i.dataset.kind)")
        )
        await page.click("#mark-read")
        await page.locator(".notices li.unread").first.wait_for(state="detached")
        await page.locator("#unread").wait_for(state="hidden")
        assert await page.evaluate("window.sameDocument") is True
    except Exception:
        # where it stopped, for whoever reads the failure
        await page.screenshot(path=SCREENSHOTS / f"{width}-failed.png", full_page=True)
        print("the portal showed:", await page.locator("main").inner_text())
        raise
    finally:
        await context.close()

    # every request was an operations/ document, sent by its hash
    assert sent.strangers == []
    assert set(sent.names) >= {
        "EntryPointBanner",
        "ProductAccess",
        "AgreeToAuthorization",
        "OpenFinancing",
        "SubmitHandler",
        "AdmissionChanged",
        "MallOrderList",
        "MroOrderManagement",
        "FinancingPreview",
        "ApplyForOrderFinancing",
        "DataList",
        "LoanStatusChanged",
        "MroFinancingQuery",
        "LoanDetails",
        "StartRepayment",
        "Notices",
        "MarkNoticesRead",
        "NoticeReceived",
    }


@pytest.mark.parametrize("bff_overrides", [{"portal": True, "persisted_only": True}])
async def test_outside_the_demo_the_portal_asks_for_a_token_and_keeps_it_in_the_tab(
    browser: Browser, bff: Bff
) -> None:
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    try:
        await page.goto(f"{bff.url}/portal")
        # a token that is not one is refused, and asked for again
        await page.fill("#token", "Bearer not-a-token")
        await page.click("form button[type=submit]")
        await page.locator("#token-refused").wait_for()
        # the supplier's token opens the portal as that supplier
        token = mint_token(JWT_SECRET, "GD-BOTH")
        await page.fill("#token", f"Bearer {token}")
        await page.click("form button[type=submit]")
        assert await page.locator("#cta").inner_text() == "立即开通"
        assert await page.evaluate("sessionStorage.getItem('xinrongbao-portal:token')") == token
        assert await page.evaluate("localStorage.length") == 0
        assert token not in page.url
    finally:
        await page.close()
