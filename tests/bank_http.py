"""The sandbox bank's pages driven over plain HTTP, as a person's form posts would (no browser).

For tests that need the bank to have done its part (registered and approved a supplier, booked a loan from
pushed orders) and then look at the graph; the pages themselves are tested in tests/sandbox and, in
chromium, in tests/browser.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bff_sandbox.server import RunningSandbox

LEGAL_REP = {
    "legal_name": "王法人",
    "id_number": "440300198001011233",
    "bank_card": "6222021234567890128",
    "phone": "13800138000",
    "sms_code": "123456",
}


def _param(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


async def _post(http: aiohttp.ClientSession, url: str, form: dict[str, str] | list[tuple[str, str]]) -> str:
    async with http.post(url, data=form) as response:
        assert response.status == 200, await response.text()
        return await response.text()


async def register_and_apply(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, registration_url: str, credit_code: str
) -> str:
    """Walk registration from `submitHandler`'s registrationUrl to the limit decision; the result page."""
    apply_no = _param(registration_url, "apply_no")
    pages = f"{sandbox.webank_url}/pages/register"
    enterprise = {
        "apply_no": apply_no,
        "account_phone": "13800138000",
        "password": "secret-1",
        "method": "TAX",
        "licence_no": credit_code,
    }
    await _post(http, f"{pages}/enterprise", enterprise)
    await _post(http, f"{pages}/legal-rep", {"apply_no": apply_no, **LEGAL_REP})
    return await _post(http, f"{pages}/apply", {"apply_no": apply_no, "agree": "yes"})


async def borrow_on_order_page(
    http: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    financing_url: str,
    order_nos: list[str],
    amount: Decimal,
) -> str:
    """Submit the bank's financing page (from `applyForOrderFinancing`'s redirectUrl) for `amount` over 6 months."""
    form = [
        ("batch_no", _param(financing_url, "batch_no")),
        *(("order_no", order_no) for order_no in order_nos),
        ("amount", str(amount)),
        ("term_months", "6"),
    ]
    return await _post(http, f"{sandbox.webank_url}/pages/financing", form)
