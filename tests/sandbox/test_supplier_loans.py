"""The bank's list of an enterprise's loans (for reconciliation) and its lost-notifications switch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import aiohttp
from bank_support import Webhook, control, open_page, post_form, sandbox_fixtures, signed_get, signed_post

from bff_sandbox import CreditLimit, RunningSandbox
from bff_sandbox.webank_payloads import expected_months

APP_ID = "supplier-loans-app"
SECRET = "supplier-loans-secret-0123456789"
TODAY = date(2026, 3, 15)
GD_BOTH = "91440300MA5314187G"
HN_MALL = "91430100MA5418916L"
MALL_ORDER = "CG202603010001"

sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET)


async def approve_and_push(http: aiohttp.ClientSession, sandbox: RunningSandbox, credit_code: str) -> str:
    """The enterprise pushed, approved 500,000.00 (40/60), one order pushed; the batch number."""
    months = [
        {"month": m, "order_amount": "1000.00", "settled_amount": "1000.00", "order_count": 1}
        for m in expected_months(TODAY)
    ]
    supplier = {"code": "S1", "name": "测试", "credit_code": credit_code, "province": "广东省", "city": ""}
    await signed_post(
        http,
        sandbox,
        APP_ID,
        SECRET,
        "/v1/suppliers/push",
        {"supplier": supplier, "statistics": {"months": months, "buyers": 2}},
    )
    sandbox.state.set_limit(
        credit_code, CreditLimit("APPROVED", Decimal("500000.00"), Decimal("0.4"), Decimal("0.6"))
    )
    order: dict[str, Any] = {
        "order_no": MALL_ORDER,
        "source": "MALL",
        "status": "PENDING_SHIPMENT",
        "amount": "20000.00",
        "financeable_amount": "10000.00",
        "buyer_name": "中建三局",
        "contract": None,
    }
    answer = await signed_post(
        http, sandbox, APP_ID, SECRET, "/v1/orders/push", {"credit_code": credit_code, "orders": [order]}
    )
    return str(answer["batch_no"])


async def test_the_seeded_loans_list_their_repayments_and_times(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{GD_BOTH}/loans")
    _, none = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{HN_MALL}/loans")

    assert status == 200
    assert none == {"loans": []}
    order_loan, credit_loan = body["loans"]
    assert order_loan["loan_no"] == "WBL0001"
    assert order_loan["repayments"] == [
        {
            "repayment_no": "WBR0001",
            "kind": "SCHEDULED",
            "principal": "16666.67",
            "interest": "600.00",
            "penalty": "0.00",
            "paid_at": "2026-02-10T10:00:00+08:00",
        },
        {
            "repayment_no": "WBR0002",
            "kind": "SCHEDULED",
            "principal": "16666.67",
            "interest": "500.00",
            "penalty": "0.00",
            "paid_at": "2026-03-10T10:00:00+08:00",
        },
    ]
    assert {
        k: order_loan[k] for k in ("applied_at", "disbursed_at", "settled_at", "batch_no", "order_nos")
    } == {
        "applied_at": "2026-01-10T09:30:00+08:00",
        "disbursed_at": "2026-01-10T11:00:00+08:00",
        "settled_at": None,
        "batch_no": None,
        "order_nos": [],
    }
    assert (order_loan["repayment_method"], order_loan["failure_reason"]) == ("EQUAL_PRINCIPAL", None)
    assert [r["repayment_no"] for r in credit_loan["repayments"]] == ["WBR0003", "WBR0004", "WBR0005"]
    assert credit_loan["settled_at"] == credit_loan["repayments"][-1]["paid_at"]
    principal = sum(Decimal(r["principal"]) for r in credit_loan["repayments"])
    assert principal == Decimal(credit_loan["amount"])


async def test_dropped_notifications_never_arrive_yet_the_loan_is_listed(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: an approved enterprise with a pushed batch, and the bank losing its notifications
    batch_no = await approve_and_push(http, sandbox, HN_MALL)
    assert await control(http, f"{sandbox.url}/_sandbox/webank/drop-notifications", {"drop": True}) == (
        200,
        {"drop": True},
    )

    # when: the person takes a loan on the bank's pages
    await open_page(http, f"{sandbox.webank_url}/pages/financing?batch_no={batch_no}")
    form = [("batch_no", batch_no), ("order_no", MALL_ORDER), ("amount", "6000.00"), ("term_months", "6")]
    await post_form(http, f"{sandbox.webank_url}/pages/financing", form)

    # then: the bank lists the loan with its batch and orders; both notifications were dropped
    _, body = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{HN_MALL}/loans")
    (loan,) = body["loans"]
    assert (loan["loan_no"], loan["status"], loan["batch_no"], loan["order_nos"]) == (
        "WBL000001",
        "DISBURSED",
        batch_no,
        [MALL_ORDER],
    )
    assert loan["applied_at"].startswith("2026-03-15T")
    assert loan["disbursed_at"] == loan["applied_at"]
    assert [(n.type, n.status) for n in sandbox.state.notifications()] == [
        ("loan.applied", "DROPPED"),
        ("loan.disbursed", "DROPPED"),
    ]

    # when: notifications flow again and the loan is repaid early
    sandbox.state.drop_notifications(False)
    sent = sandbox.notify("loan.settled", {"loan_no": "WBL000001"})

    # then: a later notification is delivered (it does not wait for the dropped ones)
    await webhook.wait_until(lambda: any(e["event_id"] == sent.event_id for e in webhook.received))
    assert webhook.types() == ["loan.settled"]


async def test_the_drop_switch_refuses_a_malformed_body(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    status, _ = await control(http, f"{sandbox.url}/_sandbox/webank/drop-notifications", {"drop": "yes"})
    assert status == 400
    assert sandbox.state.dropping_notifications is False
