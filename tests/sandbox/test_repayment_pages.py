"""The bank's repayment pages: an installment paid now (ACTIVE), arrears with penalty, early settlement.

The expected amounts are worked out by hand (actual/360, half-up to the fen), never by the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import aiohttp
from bank_support import (
    Page,
    Webhook,
    book_disbursed_loan,
    control,
    open_page,
    post_form,
    sandbox_fixtures,
    signed_get,
    signed_post,
)

from bff_sandbox import CreditLimit, RunningSandbox
from bff_sandbox.loan_engine import EQUAL_INSTALLMENT
from bff_sandbox.webank_payloads import expected_months

APP_ID = "repayment-pages-app"
SECRET = "repayment-pages-secret-0123456789"
TODAY = date(2026, 3, 15)
HN_MALL = "91430100MA5418916L"
PASSWORD = "135790"
SMS_CODE = "123456"


sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET)


async def approved_supplier(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> None:
    months = [
        {"month": m, "order_amount": "1000.00", "settled_amount": "1000.00", "order_count": 1}
        for m in expected_months(TODAY)
    ]
    supplier = {
        "code": "HN-MALL",
        "name": "长沙湘筑建材有限公司",
        "credit_code": HN_MALL,
        "province": "湖南",
        "city": "长沙",
    }
    body = {"supplier": supplier, "statistics": {"months": months, "buyers": 2}}
    await signed_post(http, sandbox, APP_ID, SECRET, "/v1/suppliers/push", body)
    limit = CreditLimit(
        "APPROVED", total=Decimal("100000.00"), order_ratio=Decimal("0.4"), credit_ratio=Decimal("0.6")
    )
    sandbox.state.set_limit(HN_MALL, limit)


async def repayment_page(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, loan_no: str, kind: str
) -> Page:
    """Open the page `repayment-url` hands out."""
    status, answer = await signed_get(
        http, sandbox, APP_ID, SECRET, f"/v1/loans/{loan_no}/repayment-url?kind={kind}"
    )
    assert status == 200, answer
    return await open_page(http, answer["url"])


def filled(page: Page, sms_code: str = SMS_CODE) -> dict[str, str]:
    names = ("loan_no", "kind", "amount", "form_token")
    return {**{n: page.hidden(n) for n in names}, "trade_password": PASSWORD, "sms_code": sms_code}


def posted(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k not in ("repayment_no", "paid_at")}


async def test_a_whole_loan_clicked_through_pay_an_installment_then_settle_early(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: a credit loan of 20,000.00 over 3 months, interest first, booked on the bank's page
    await approved_supplier(http, sandbox)
    _, answer = await signed_get(
        http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{HN_MALL}/credit-financing-url"
    )
    form_page = await open_page(http, answer["url"])
    assert 'id="credit-method"' in form_page.html
    loan_page = await post_form(
        http,
        f"{sandbox.webank_url}/pages/credit-financing",
        {
            "credit_code": HN_MALL,
            "form_token": form_page.hidden("form_token"),
            "amount": "20000.00",
            "term_months": "3",
            "method": "INTEREST_FIRST",
        },
    )
    loan_no = loan_page.value("loan-no") or ""
    assert (loan_no, loan_page.value("loan-method")) == ("WBL000001", "INTEREST_FIRST")
    assert 'id="repay-installment"' in loan_page.html
    assert 'id="repay-early-settlement"' in loan_page.html

    # when: the installment page — period 1 is interest only: 20000 × .072 × 31/360 = 124.00
    page = await repayment_page(http, sandbox, loan_no, "INSTALLMENT")

    # then
    assert page.status == 200
    for element_id in ("repay-form", "trade_password", "sms_code", "repay-submit"):
        assert f'id="{element_id}"' in page.html
    assert (page.value("repay-amount"), page.value("repay-principal"), page.value("repay-interest")) == (
        "124.00",
        "0.00",
        "124.00",
    )

    # when: a wrong SMS code, then the right one, then the same form again
    wrong = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(page, "000000"))
    paid = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(page))
    again = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(page))

    # then: paid once, ACTIVE
    assert (wrong.status, wrong.error_field) == (400, "sms_code")
    assert (paid.status, paid.attribute("repay-result", "data-status")) == (200, "PAID")
    assert paid.value("repaid-amount") == "124.00"
    assert again.url == paid.url
    events = await webhook.wait_for_loan(loan_no, 3)
    assert [t for t, _ in events] == ["loan.applied", "loan.disbursed", "repayment.posted"]
    assert posted(events[2][1]) == {
        "loan_no": loan_no,
        "kind": "ACTIVE",
        "principal": "0.00",
        "interest": "124.00",
        "penalty": "0.00",
    }

    # when: the due date passes (already paid: nothing is debited), ten more days, then early settlement —
    # interest from the paid due date 2026-04-15 to 2026-04-25: 20000 × .072 × 10/360 = 40.00
    await control(http, sandbox.url + "/_sandbox/clock", {"today": "2026-04-25"})
    quote_page = await repayment_page(http, sandbox, loan_no, "EARLY_SETTLEMENT")
    _, quote = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/loans/{loan_no}/payoff?date=2026-04-25")

    # then: the page shows exactly the API's quote
    assert [
        quote_page.value(f"payoff-{part}") for part in ("principal", "interest", "penalty", "fee", "total")
    ] == [
        "20000.00",
        "40.00",
        "0.00",
        "0.00",
        "20040.00",
    ]
    assert quote == {
        "principal": "20000.00",
        "interest": "40.00",
        "penalty": "0.00",
        "fee": "0.00",
        "total": "20040.00",
    }
    assert (quote_page.value("repay-amount"), quote_page.value("payoff-date")) == ("20040.00", "2026-04-25")

    # when
    settled = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(quote_page))

    # then: exactly the quote is paid, then the loan is settled
    assert (settled.status, settled.attribute("repay-result", "data-status")) == (200, "SETTLED")
    assert settled.value("repaid-amount") == "20040.00"
    events = await webhook.wait_for_loan(loan_no, 5)
    assert [t for t, _ in events] == [
        "loan.applied",
        "loan.disbursed",
        "repayment.posted",
        "repayment.posted",
        "loan.settled",
    ]
    assert posted(events[3][1]) == {
        "loan_no": loan_no,
        "kind": "EARLY_SETTLEMENT",
        "principal": "20000.00",
        "interest": "40.00",
        "penalty": "0.00",
    }
    assert events[4][1]["settled_at"].startswith("2026-04-25T")
    _, body = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/loans?loan_nos={loan_no}")
    [loan] = body["loans"]
    assert (loan["status"], loan["outstanding_principal"]) == ("SETTLED", "0.00")
    # the remaining periods stay in the plan, SETTLED on the day (the first carries the accrued interest)
    assert [
        (i["period"], i["due_date"], i["principal"], i["interest"], i["status"], i["paid_amount"])
        for i in loan["plan"]
    ] == [
        (1, "2026-04-15", "0.00", "124.00", "PAID", "124.00"),
        (2, "2026-05-15", "0.00", "40.00", "SETTLED", "40.00"),
        (3, "2026-06-15", "20000.00", "0.00", "SETTLED", "20000.00"),
    ]
    assert {i["paid_at"][:10] for i in loan["plan"][1:]} == {"2026-04-25"}
    assert [d["kind"] for d in loan["documents"]][-3:] == [
        "INTEREST_VOUCHER",
        "INSTALLMENT_VOUCHER",
        "SETTLEMENT_CERTIFICATE",
    ]

    # and: a settled loan is no longer repayable
    closed = await open_page(http, f"{sandbox.webank_url}/pages/repay?loan_no={loan_no}&kind=INSTALLMENT")
    assert (closed.status, 'id="not-repayable"' in closed.html) == (409, True)
    assert "当前状态为「已结清」" in closed.html


async def test_overdue_arrears_are_paid_with_their_penalty_to_the_day(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: 3,000.33 (no funds) from 2026-03-15, period 1 (993.54 + 18.60) overdue since 2026-04-15
    book_disbursed_loan(sandbox, "WBT000010", "3000.33", 3, EQUAL_INSTALLMENT, HN_MALL)
    await control(http, sandbox.url + "/_sandbox/clock", {"today": "2026-04-20"})
    await webhook.wait_for_loan("WBT000010", 1)

    # when: on 2026-04-20 — penalty 993.54 × .072 × 1.5 × 5/360 = 1.49031 → 1.49
    page = await repayment_page(http, sandbox, "WBT000010", "INSTALLMENT")

    # then
    assert page.attribute("repay-due", "data-status") == "OVERDUE"
    assert (page.value("repay-penalty"), page.value("repay-amount")) == ("1.49", "1013.63")

    # when: a day passes before the form is sent — 6 days: 1.78837 → 1.79
    await control(http, sandbox.url + "/_sandbox/clock", {"days": 1})
    stale = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(page))

    # then: refused, showing the new amount
    assert (stale.status, stale.error_field) == (409, "amount")
    assert (stale.value("repay-penalty"), stale.value("repay-amount")) == ("1.79", "1013.93")

    # when
    paid = await post_form(http, f"{sandbox.webank_url}/pages/repayment", filled(stale))

    # then: the arrears are paid with their penalty and the loan is back to DISBURSED
    assert (paid.status, paid.attribute("repay-result", "data-status")) == (200, "PAID")
    events = await webhook.wait_for_loan("WBT000010", 2)
    assert [t for t, _ in events] == ["loan.overdue", "repayment.posted"]
    assert posted(events[1][1]) == {
        "loan_no": "WBT000010",
        "kind": "ACTIVE",
        "principal": "993.54",
        "interest": "18.60",
        "penalty": "1.79",
    }
    loan = sandbox.state.loan("WBT000010")
    assert loan is not None
    assert (loan.status, str(loan.outstanding_principal)) == ("DISBURSED", "2006.79")


async def test_pages_for_loans_that_cannot_be_repaid(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    base = f"{sandbox.webank_url}/pages/repayment"
    settled = await open_page(http, f"{base}?loan_no=WBL0002&kind=EARLY_SETTLEMENT")
    unknown = await open_page(http, f"{base}?loan_no=NOPE&kind=INSTALLMENT")
    bad_kind = await open_page(http, f"{base}?loan_no=WBL0001&kind=PARTIAL")
    bad_password = await post_form(
        http,
        base,
        {
            "loan_no": "WBL0001",
            "kind": "INSTALLMENT",
            "amount": "0.00",
            "trade_password": "12ab",
            "sms_code": SMS_CODE,
        },
    )

    assert (settled.status, 'id="not-repayable"' in settled.html) == (409, True)
    assert unknown.status == 404
    assert bad_kind.status == 400
    assert (bad_password.status, bad_password.error_field) == (400, "trade_password")
    assert webhook.of("WBL0001") == []


async def test_an_unknown_repayment_method_is_refused_on_the_financing_page(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    await approved_supplier(http, sandbox)
    form = {"credit_code": HN_MALL, "form_token": "t-1", "amount": "1000.00", "term_months": "3"}

    refused = await post_form(
        http, f"{sandbox.webank_url}/pages/credit-financing", {**form, "method": "BALLOON"}
    )

    assert (refused.status, refused.error_field) == (400, "method")
    assert sandbox.state.booking("credit-form:t-1") is None
