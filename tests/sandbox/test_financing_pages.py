"""The sandbox bank's financing pages and their loan notifications, over real sockets.

A small webhook server verifies every notification's signature and answers 503 to the first delivery of
each event, so every event is retried — and `loan.applied` must still arrive before the decision.
The demo supplier GD-BOTH has the seed loan WBL0001 (ORDER, DISBURSED, 66,666.66 outstanding), so with
a 500,000.00 limit its order share has 200,000.00 − 66,666.66 = 133,333.34 left and its credit share
300,000.00 (WBL0002 is SETTLED).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from bank_support import Webhook, open_page, post_form, sandbox_fixtures, signed_get, signed_post

from bff_sandbox import CreditLimit, RunningSandbox
from bff_sandbox.loan_decision import REASON_AMOUNT, REASON_BUYER
from bff_sandbox.webank_payloads import expected_months

APP_ID = "financing-pages-app"
SECRET = "financing-pages-secret-0123456789"
TODAY = date(2026, 3, 15)
GD_BOTH = "91440300MA5314187G"
HN_MALL = "91430100MA5418916L"
NAME = "深圳市筑城建材有限公司"
MALL_ORDER = "CG202603010001"
MRO_ORDER = "MRO20260302000001"


sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET, refuse_first=True)


async def approved_supplier(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, credit_code: str, total: str
) -> None:
    """Push the supplier through the API and let the bank approve `total` (40/60)."""
    months = [
        {"month": m, "order_amount": "1000.00", "settled_amount": "1000.00", "order_count": 1}
        for m in expected_months(TODAY)
    ]
    supplier = {
        "code": "S1",
        "name": NAME,
        "credit_code": credit_code,
        "province": "广东省",
        "city": "深圳市",
    }
    body = {"supplier": supplier, "statistics": {"months": months, "buyers": 2}}
    await signed_post(http, sandbox, APP_ID, SECRET, "/v1/suppliers/push", body)
    limit = CreditLimit(
        "APPROVED",
        total=Decimal(total),
        order_ratio=Decimal("0.4"),
        credit_ratio=Decimal("0.6"),
        valid_until=date(2027, 3, 15),
    )
    sandbox.state.set_limit(credit_code, limit)


def order(
    order_no: str, source: str, financeable: str, buyer: str = "中建三局第一建设工程有限责任公司"
) -> Any:
    return {
        "order_no": order_no,
        "source": source,
        "status": "PENDING_SHIPMENT",
        "amount": "20000.00",
        "financeable_amount": financeable,
        "buyer_name": buyer,
        "contract": {"contract_no": f"HT-{order_no}", "amount": "20000.00", "signed_at": None},
    }


async def push_batch(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, credit_code: str, *orders: Any
) -> str:
    """Push the orders; the financing URL the bank answers."""
    orders = orders or (order(MALL_ORDER, "MALL", "5000.00"), order(MRO_ORDER, "MRO", "3000.00"))
    answer = await signed_post(
        http, sandbox, APP_ID, SECRET, "/v1/orders/push", {"credit_code": credit_code, "orders": orders}
    )
    return str(answer["financing_url"])


def selection(batch_no: str, amount: str, *order_nos: str, term: str = "6") -> list[tuple[str, str]]:
    return [
        ("batch_no", batch_no),
        *(("order_no", n) for n in order_nos),
        ("amount", amount),
        ("term_months", term),
    ]


def batch_no_of(financing_url: str) -> str:
    return financing_url.rsplit("batch_no=", 1)[1]


# --- order loans -------------------------------------------------------------------------------------------


async def test_picking_orders_books_a_disbursed_loan_and_notifies_applied_then_disbursed(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given
    await approved_supplier(http, sandbox, GD_BOTH, "500000.00")
    financing_url = await push_batch(http, sandbox, GD_BOTH)
    batch_no = batch_no_of(financing_url)

    # when: the person opens the financing URL
    page = await open_page(http, financing_url)

    # then: every pushed order is listed and ticked; ceiling = min(8,000.00, 133,333.34)
    assert page.status == 200
    assert 'id="financing-form"' in page.html
    assert page.ticked() == [MALL_ORDER, MRO_ORDER]
    assert f'id="order-{MALL_ORDER}"' in page.html
    assert f"HT-{MRO_ORDER}" in page.html
    assert page.value("order-limit-available") == "133333.34"
    assert page.value("ceiling") == "8000.00"
    for element_id in ("amount", "term", "method", "financing-submit"):
        assert f'id="{element_id}"' in page.html

    # when: both orders, 6,000.00 over 6 months
    result = await post_form(
        http, f"{sandbox.webank_url}/pages/financing", selection(batch_no, "6000.00", MALL_ORDER, MRO_ORDER)
    )

    # then: the page shows the disbursed loan (redirected back to the financing URL)
    assert (result.status, result.url, result.loan_status) == (200, financing_url, "DISBURSED")
    assert (result.value("loan-no"), result.value("loan-amount")) == ("WBL000001", "6000.00")
    assert 'id="financing-form"' not in result.html
    events = await webhook.wait_for(2, settle=0.1)
    assert [(t, {k: v for k, v in d.items() if k != "disbursed_at"}) for t, d in webhook.events()] == [
        (
            "loan.applied",
            {
                "credit_code": GD_BOTH,
                "loan_no": "WBL000001",
                "kind": "ORDER",
                "amount": "6000.00",
                "order_nos": [MALL_ORDER, MRO_ORDER],
                "batch_no": batch_no,
            },
        ),
        (
            "loan.disbursed",
            {"loan_no": "WBL000001", "amount": "6000.00", "annual_rate": "0.0720", "term_months": 6},
        ),
    ]
    assert events[1]["data"]["disbursed_at"].startswith("2026-03-15T")
    assert events[1]["data"]["disbursed_at"].endswith("+08:00")
    assert webhook.unsigned == 0
    assert all(webhook.deliveries[e["event_id"]] == 2 for e in events)  # both retried, still in order

    # and: the partner API returns the loan with its plan and documents
    status, body = await signed_get(http, sandbox, APP_ID, SECRET, "/v1/loans?loan_nos=WBL000001")
    assert status == 200, body
    [loan] = body["loans"]
    assert (loan["batch_no"], loan["order_nos"], loan["repayments"]) == (
        batch_no,
        [MALL_ORDER, MRO_ORDER],
        [],
    )
    assert loan["applied_at"] == loan["disbursed_at"] == events[1]["data"]["disbursed_at"]
    beyond = ("plan", "documents", "repayments", "applied_at", "disbursed_at", "settled_at")
    beyond += ("failure_reason", "batch_no", "order_nos")
    assert {k: v for k, v in loan.items() if k not in beyond} == {
        "loan_no": "WBL000001",
        "credit_code": GD_BOTH,
        "kind": "ORDER",
        "status": "DISBURSED",
        "amount": "6000.00",
        "outstanding_principal": "6000.00",
        "annual_rate": "0.0720",
        "term_months": 6,
        "repayment_method": "EQUAL_INSTALLMENT",
    }
    # 等额本息 (the default): A = 6000 × .006 × 1.006⁶ / (1.006⁶ − 1) = 1,021.0966… → 1,021.10; interest
    # actual/360, e.g. 5,016.10 × .072 × 30/360 = 30.0966 → 30.10; the last period takes the rest
    assert [
        (i["period"], i["due_date"], i["principal"], i["interest"], i["status"]) for i in loan["plan"]
    ] == [
        (1, "2026-04-15", "983.90", "37.20", "PENDING"),
        (2, "2026-05-15", "991.00", "30.10", "PENDING"),
        (3, "2026-06-15", "996.14", "24.96", "PENDING"),
        (4, "2026-07-15", "1002.93", "18.17", "PENDING"),
        (5, "2026-08-15", "1008.54", "12.56", "PENDING"),
        (6, "2026-09-15", "1017.49", "6.31", "PENDING"),
    ]
    assert [(d["kind"], d["url"]) for d in loan["documents"]] == [
        ("LOAN_CONTRACT", f"{sandbox.webank_url}/pages/documents/WBL000001/loan_contract.pdf"),
        ("LIMIT_CONTRACT", f"{sandbox.webank_url}/pages/documents/WBL000001/limit_contract.pdf"),
    ]

    # and: the disbursed loan now uses the order share
    next_batch = await open_page(http, await push_batch(http, sandbox, GD_BOTH))
    assert next_batch.value("order-limit-available") == "127333.34"


@pytest.mark.parametrize(
    ("amount", "buyer", "reason"),
    [
        pytest.param("1234.44", "中建三局第一建设工程有限责任公司", REASON_AMOUNT, id="amount ending in .44"),
        pytest.param("1000.00", "演示失败建设有限公司", REASON_BUYER, id="a buyer containing 失败"),
    ],
)
async def test_the_fail_rule_books_a_failed_loan_and_notifies_applied_then_failed(
    sandbox: RunningSandbox,
    webhook: Webhook,
    http: aiohttp.ClientSession,
    amount: str,
    buyer: str,
    reason: str,
) -> None:
    await approved_supplier(http, sandbox, GD_BOTH, "500000.00")
    url = await push_batch(
        http,
        sandbox,
        GD_BOTH,
        order(MALL_ORDER, "MALL", "5000.00"),
        order(MRO_ORDER, "MRO", "3000.00", buyer),
    )

    page = await post_form(
        http,
        f"{sandbox.webank_url}/pages/financing",
        selection(batch_no_of(url), amount, MALL_ORDER, MRO_ORDER),
    )

    assert (page.loan_status, page.value("loan-failure-reason")) == ("FAILED", reason)
    await webhook.wait_for(2, settle=0.1)
    assert [t for t, _ in webhook.events()] == ["loan.applied", "loan.failed"]
    assert webhook.events()[1][1] == {"loan_no": "WBL000001", "reason": reason}
    status, body = await signed_get(http, sandbox, APP_ID, SECRET, "/v1/loans?loan_nos=WBL000001")
    assert status == 200, body
    [loan] = body["loans"]
    assert (loan["status"], loan["outstanding_principal"], loan["plan"]) == ("FAILED", "0.00", [])


async def test_the_ceiling_is_checked_for_the_ticked_orders_and_bad_input_books_nothing(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    await approved_supplier(http, sandbox, GD_BOTH, "500000.00")
    url = await push_batch(http, sandbox, GD_BOTH)
    batch_no = batch_no_of(url)
    action = f"{sandbox.webank_url}/pages/financing"

    over = await post_form(http, action, selection(batch_no, "8000.01", MALL_ORDER, MRO_ORDER))
    assert (over.status, over.alert_field, over.value("ceiling")) == (400, "amount", "8000.00")
    assert 'id="amount" name="amount" value="8000.01"' in over.html  # what was typed stays

    # only the mall order ticked: the ceiling is its 5,000.00
    one = await post_form(http, action, selection(batch_no, "6000.00", MALL_ORDER))
    assert (one.status, one.alert_field, one.value("ceiling"), one.ticked()) == (
        400,
        "amount",
        "5000.00",
        [MALL_ORDER],
    )

    refused = {
        "no order": selection(batch_no, "100.00"),
        "foreign order": selection(batch_no, "100.00", MALL_ORDER, "NOT-IN-BATCH"),
        "three decimals": selection(batch_no, "100.001", MALL_ORDER),
        "zero": selection(batch_no, "0.00", MALL_ORDER),
        "not a number": selection(batch_no, "1e3", MALL_ORDER),
        "term": selection(batch_no, "100.00", MALL_ORDER, term="7"),
    }
    fields = {name: (await post_form(http, action, form)) for name, form in refused.items()}
    assert {name: (p.status, p.alert_field) for name, p in fields.items()} == {
        "no order": (400, "order_no"),
        "foreign order": (400, "order_no"),
        "three decimals": (400, "amount"),
        "zero": (400, "amount"),
        "not a number": (400, "amount"),
        "term": (400, "term_months"),
    }

    await asyncio.sleep(0.3)
    assert sandbox.state.notifications() == ()
    assert webhook.deliveries == Counter()
    assert sandbox.state.booking(batch_no) is None
    assert (await open_page(http, url)).value("ceiling") == "8000.00"


async def test_the_limit_binds_the_ceiling_when_it_is_smaller(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    await approved_supplier(http, sandbox, HN_MALL, "50000.00")  # order share 20,000.00, no loans
    url = await push_batch(
        http, sandbox, HN_MALL, order(MALL_ORDER, "MALL", "15000.00"), order(MRO_ORDER, "MRO", "9000.00")
    )
    page = await open_page(http, url)
    assert (page.value("order-limit-available"), page.value("ceiling")) == ("20000.00", "20000.00")
    over = await post_form(
        http,
        f"{sandbox.webank_url}/pages/financing",
        selection(batch_no_of(url), "20000.01", MALL_ORDER, MRO_ORDER),
    )
    assert over.alert_field == "amount"


async def test_a_batch_gives_at_most_one_loan(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    await approved_supplier(http, sandbox, GD_BOTH, "500000.00")
    url = await push_batch(http, sandbox, GD_BOTH)
    form = selection(batch_no_of(url), "3000.00", MALL_ORDER)
    action = f"{sandbox.webank_url}/pages/financing"

    first = await post_form(http, action, form)
    second = await post_form(http, action, [*form[:-2], ("amount", "2000.00"), ("term_months", "3")])

    for page in (first, second, await open_page(http, url)):
        assert (page.loan_status, page.value("loan-no"), page.value("loan-amount")) == (
            "DISBURSED",
            "WBL000001",
            "3000.00",
        )
        assert page.value("loan-orders") == MALL_ORDER
    await webhook.wait_for(2, settle=0.1)
    assert [t for t, _ in webhook.events()] == ["loan.applied", "loan.disbursed"]
    assert len(sandbox.state.notifications()) == 2
    assert [loan.loan_no for loan in sandbox.state.loans()] == ["WBL0001", "WBL0002", "WBL000001"]


async def test_unknown_batches_and_suppliers_are_404_pages(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    base = sandbox.webank_url
    for url in (
        f"{base}/pages/financing?batch_no=WBB999999",
        f"{base}/pages/financing",
        f"{base}/pages/credit-financing?credit_code={HN_MALL}",
        f"{base}/pages/loan?loan_no=WBL999999",
    ):
        page = await open_page(http, url)
        assert (page.status, 'id="not-found"' in page.html) == (404, True), url
    posted = await post_form(http, f"{base}/pages/financing", selection("WBB999999", "100.00", MALL_ORDER))
    assert posted.status == 404


# --- credit loans ------------------------------------------------------------------------------------------


async def test_credit_financing_books_a_credit_loan_once_per_form(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given
    await approved_supplier(http, sandbox, GD_BOTH, "500000.00")
    status, body = await signed_get(
        http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{GD_BOTH}/credit-financing-url"
    )
    assert status == 200, body
    url = body["url"]

    # when
    page = await open_page(http, url)

    # then
    assert page.status == 200
    assert url == f"{sandbox.webank_url}/pages/credit-financing?credit_code={GD_BOTH}"
    assert page.value("credit-available") == "300000.00"
    for element_id in (
        "credit-financing-form",
        "credit-amount",
        "credit-term",
        "credit-method",
        "credit-submit",
    ):
        assert f'id="{element_id}"' in page.html

    # when: over the share, then 20,000.00 over 12 months, submitted twice
    action = f"{sandbox.webank_url}/pages/credit-financing"
    form = [("credit_code", GD_BOTH), ("form_token", page.hidden("form_token")), ("term_months", "12")]
    over = await post_form(http, action, [*form, ("amount", "300000.01")])
    first = await post_form(http, action, [*form, ("amount", "20000.00")])
    second = await post_form(http, action, [*form, ("amount", "20000.00")])

    # then
    assert (over.status, over.alert_field) == (400, "amount")
    for shown in (first, second):
        assert shown.url == f"{sandbox.webank_url}/pages/loan?loan_no=WBL000001"
        assert (shown.loan_status, shown.value("loan-amount")) == ("DISBURSED", "20000.00")
    await webhook.wait_for(2, settle=0.1)
    assert webhook.events()[0] == (
        "loan.applied",
        {
            "credit_code": GD_BOTH,
            "loan_no": "WBL000001",
            "kind": "CREDIT",
            "amount": "20000.00",
            "order_nos": [],
            "batch_no": None,
        },
    )
    assert [t for t, _ in webhook.events()] == ["loan.applied", "loan.disbursed"]
    assert webhook.events()[1][1]["term_months"] == 12
    status, body = await signed_get(http, sandbox, APP_ID, SECRET, "/v1/loans?loan_nos=WBL000001")
    assert status == 200, body
    [loan] = body["loans"]
    assert (loan["kind"], loan["status"], loan["outstanding_principal"], len(loan["plan"])) == (
        "CREDIT",
        "DISBURSED",
        "20000.00",
        12,
    )
    assert (await open_page(http, url)).value("credit-available") == "280000.00"
