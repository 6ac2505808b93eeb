"""Every link on the sandbox bank's pages leads somewhere: a crawler starts from each page a person reaches
(registration, financing, a loan, a repayment and its result, accounts, 业务流水) and follows every link."""

from __future__ import annotations

import io
import re
from collections import deque
from datetime import date
from html import unescape
from urllib.parse import urljoin, urlsplit

import aiohttp
import pypdf
from bank_support import open_page, post_form, sandbox_fixtures, signed_get, signed_post

from bff_sandbox import RunningSandbox
from bff_sandbox.webank_payloads import expected_months

APP_ID = "links-app"
SECRET = "links-secret-0123456789abcdef"
TODAY = date(2026, 3, 15)
GD_BOTH = "91440300MA5314187G"
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
# What a person must never read: the bank's status codes and machine times.
RAW_CODE = re.compile(
    r"\b(PROCESSING|DISBURSED|FAILED|OVERDUE|SETTLED|PENDING|PAID)\b|\d{4}-\d\d-\d\dT\d\d:\d\d"
)
HIDDEN = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>", re.S)


def visible_text(html: str) -> str:
    return unescape(HIDDEN.sub(" ", html))


sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET)


async def entry_pages(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> list[str]:
    base = sandbox.webank_url
    months = [
        {"month": m, "order_amount": "1000.00", "settled_amount": "1000.00", "order_count": 1}
        for m in expected_months(TODAY)
    ]
    supplier = {
        "code": "S1",
        "name": "深圳市筑城建材有限公司",
        "credit_code": GD_BOTH,
        "province": "广东省",
        "city": "深圳市",
    }
    pushed = await signed_post(
        http,
        sandbox,
        APP_ID,
        SECRET,
        "/v1/suppliers/push",
        {"supplier": supplier, "statistics": {"months": months, "buyers": 2}},
    )
    order = {
        "order_no": "CG1",
        "source": "MALL",
        "status": "PENDING_SHIPMENT",
        "amount": "20000.00",
        "financeable_amount": "10000.00",
        "buyer_name": "中建三局第一建设工程有限责任公司",
        "contract": None,
    }
    batch = await signed_post(
        http, sandbox, APP_ID, SECRET, "/v1/orders/push", {"credit_code": GD_BOTH, "orders": [order]}
    )
    _, credit = await signed_get(
        http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{GD_BOTH}/credit-financing-url"
    )
    # a repayment, for its result page (whose "查看借据" link once led nowhere)
    _, repay = await signed_get(
        http, sandbox, APP_ID, SECRET, "/v1/loans/WBL0001/repayment-url?kind=INSTALLMENT"
    )
    form = await open_page(http, repay["url"])
    names = ("loan_no", "kind", "amount", "form_token")
    paid = await post_form(
        http,
        f"{base}/pages/repayment",
        {**{n: form.hidden(n) for n in names}, "trade_password": "123456", "sms_code": "123456"},
    )
    assert paid.status == 200
    return [
        pushed["register_url"],
        batch["financing_url"],
        credit["url"],
        repay["url"],
        paid.url,
        f"{base}/pages/loan?loan_no=WBL0001",
        f"{base}/pages/loan?loan_no=WBL0002",
        f"{base}/pages/accounts?credit_code={GD_BOTH}",
        f"{base}/pages/transactions?credit_code={GD_BOTH}&from=2025-01-01&to=2026-12-31",
    ]


async def test_every_link_on_every_page_opens(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    sandbox.state.reset()
    origin = urlsplit(sandbox.webank_url)
    queue = deque(await entry_pages(http, sandbox))
    seen = set(queue)
    broken = []
    raw = []
    opened = 0
    while queue and opened < 300:
        url = queue.popleft()
        async with http.get(url) as response:
            opened += 1
            body = await response.text() if response.content_type == "text/html" else ""
            if response.status != 200:
                broken.append((url, response.status))
                continue
        shown = RAW_CODE.findall(visible_text(body))
        if shown:
            raw.append((url, shown))
        for href in LINK.findall(body):
            target = urljoin(url, unescape(href)).split("#", 1)[0]
            parts = urlsplit(target)
            if parts.netloc != origin.netloc or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    assert broken == []
    assert raw == []
    assert opened > 15  # the loans' documents, accounts, 业务流水, the result page's 查看借据 …
    assert any("/pages/loan?loan_no=WBL0001" in url for url in seen)
    assert any("/pages/transactions" in url and "page=" not in url for url in seen)


async def test_the_result_page_links_to_its_loan(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.state.reset()
    pages = await entry_pages(http, sandbox)
    result = await open_page(http, pages[4])
    href = re.search(r'id="loan-link" href="([^"]*)"', result.html)
    assert href is not None
    loan = await open_page(http, urljoin(result.url, unescape(href.group(1))))
    assert loan.status == 200
    assert 'id="loan-result"' in loan.html


async def test_the_loan_pages_documents_are_real_pdfs(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.state.reset()
    page = await open_page(http, f"{sandbox.webank_url}/pages/loan?loan_no=WBL0002")
    links = re.findall(r'<li data-kind="(\w+)"><a href="([^"]*)">([^<]*)</a>', page.html)
    assert {kind for kind, _, _ in links} >= {
        "LOAN_CONTRACT",
        "INSTALLMENT_VOUCHER",
        "SETTLEMENT_CERTIFICATE",
    }
    for _, href, title in links:
        async with http.get(urljoin(page.url, unescape(href))) as response:
            assert response.status == 200
            assert response.content_type == "application/pdf"
            text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(await response.read())).pages)
        assert unescape(title) in text
