"""The sandbox clock: moving it runs the bank day by day — automatic debits, overdue, settlement.

The expected amounts are worked out by hand (actual/360, half-up to the fen), never by the engine.
"""

from __future__ import annotations

import io
from datetime import date

import aiohttp
import pypdf
from bank_support import (
    Webhook,
    book_disbursed_loan,
    control,
    day_of,
    open_page,
    sandbox_fixtures,
    signed_get,
)

from bff_sandbox import RunningSandbox
from bff_sandbox.loan_engine import EQUAL_INSTALLMENT, INTEREST_FIRST

APP_ID = "sandbox-clock-app"
SECRET = "sandbox-clock-secret-0123456789"
TODAY = date(2026, 3, 15)
CREDIT_CODE = "91430100MA5418916L"


sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET)


async def loan_json(http: aiohttp.ClientSession, sandbox: RunningSandbox, loan_no: str) -> dict[str, object]:
    status, body = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/loans?loan_nos={loan_no}")
    assert status == 200
    [loan] = body["loans"]
    return dict(loan)


def plan_of(loan: dict[str, object]) -> list[tuple[int, str, str, str, str]]:
    rows = loan["plan"]
    assert isinstance(rows, list)
    return [(r["period"], r["due_date"], r["principal"], r["interest"], r["status"]) for r in rows]


async def test_moving_the_clock_over_due_dates_debits_each_installment_then_settles(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: 20,000.00 interest-first over 3 months from 2026-03-15 — interest 20000 × .072 × days/360:
    # 31 days → 124.00, 30 days → 120.00, 31 days → 124.00 with the whole principal
    book_disbursed_loan(sandbox, "WBT000001", "20000.00", 3, INTEREST_FIRST, CREDIT_CODE)

    # when: to the first due date, then to the last one
    first = await control(http, sandbox.url + "/_sandbox/clock", {"days": 31})
    await webhook.wait_for_loan("WBT000001", 1)
    last = await control(http, sandbox.url + "/_sandbox/clock", {"today": "2026-06-15"})
    events = await webhook.wait_for_loan("WBT000001", 4)

    # then
    assert first == (200, {"today": "2026-04-15"})
    assert last == (200, {"today": "2026-06-15"})
    assert [
        (t, {k: v for k, v in d.items() if k not in ("repayment_no", "paid_at", "settled_at")})
        for t, d in events
    ] == [
        (
            "repayment.posted",
            {
                "loan_no": "WBT000001",
                "kind": "SCHEDULED",
                "principal": "0.00",
                "interest": "124.00",
                "penalty": "0.00",
            },
        ),
        (
            "repayment.posted",
            {
                "loan_no": "WBT000001",
                "kind": "SCHEDULED",
                "principal": "0.00",
                "interest": "120.00",
                "penalty": "0.00",
            },
        ),
        (
            "repayment.posted",
            {
                "loan_no": "WBT000001",
                "kind": "SCHEDULED",
                "principal": "20000.00",
                "interest": "124.00",
                "penalty": "0.00",
            },
        ),
        ("loan.settled", {"loan_no": "WBT000001"}),
    ]
    assert [day_of(d["paid_at"]) for _, d in events[:3]] == [
        date(2026, 4, 15),
        date(2026, 5, 15),
        date(2026, 6, 15),
    ]
    assert day_of(events[3][1]["settled_at"]) == date(2026, 6, 15)
    assert len({d["repayment_no"] for _, d in events[:3]}) == 3
    assert webhook.unsigned == 0

    # and: the partner API shows the live plan and every document, each served as a page
    loan = await loan_json(http, sandbox, "WBT000001")
    assert (loan["status"], loan["outstanding_principal"], loan["repayment_method"]) == (
        "SETTLED",
        "0.00",
        "INTEREST_FIRST",
    )
    assert plan_of(loan) == [
        (1, "2026-04-15", "0.00", "124.00", "PAID"),
        (2, "2026-05-15", "0.00", "120.00", "PAID"),
        (3, "2026-06-15", "20000.00", "124.00", "PAID"),
    ]
    documents = loan["documents"]
    assert isinstance(documents, list)
    assert [(d["kind"], d["title"]) for d in documents] == [
        ("LOAN_CONTRACT", "借款合同"),
        ("LIMIT_CONTRACT", "额度合同"),
        ("INTEREST_VOUCHER", "第1期付息凭证"),
        ("INTEREST_VOUCHER", "第2期付息凭证"),
        ("INSTALLMENT_VOUCHER", "第3期本息归还凭证"),
        ("SETTLEMENT_CERTIFICATE", "贷款结清证明"),
    ]
    texts = []
    for document in documents:
        async with http.get(document["url"]) as response:
            assert (response.status, response.content_type) == (200, "application/pdf")
            reader = pypdf.PdfReader(io.BytesIO(await response.read()))
        texts.append("".join(page.extract_text() for page in reader.pages))
        assert document["title"] in texts[-1]
    # the voucher of period 3 and the certificate, in figures and in capitals
    assert "归还本金：人民币 20000.00 元（大写：贰万元整）" in texts[4]
    assert "支付利息：人民币 124.00 元（大写：壹佰贰拾肆元整）" in texts[4]
    assert "累计还款：人民币 20368.00 元（大写：贰万零叁佰陆拾捌元整）" in texts[5]
    assert (await open_page(http, f"{sandbox.webank_url}/pages/documents/WBT000001/nope.pdf")).status == 404

    # and: a settled loan has nothing more to debit
    await control(http, sandbox.url + "/_sandbox/clock", {"days": 40})
    assert len(webhook.of("WBT000001")) == 4


async def test_insufficient_funds_fall_overdue_and_a_later_debit_pays_the_penalty(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: 3,000.33 (fen part .33: the account is empty), equal installments from 2026-03-15 —
    # A = 1,012.14; period 1 due 2026-04-15: principal 993.54, interest 3000.33 × .072 × 31/360 = 18.60
    book_disbursed_loan(sandbox, "WBT000002", "3000.33", 3, EQUAL_INSTALLMENT, CREDIT_CODE)

    # when: the due date passes
    await control(http, sandbox.url + "/_sandbox/clock", {"today": "2026-04-15"})
    [overdue] = await webhook.wait_for_loan("WBT000002", 1)

    # then
    assert overdue == (
        "loan.overdue",
        {"loan_no": "WBT000002", "period": 1, "overdue_amount": "1012.14", "since": "2026-04-15"},
    )
    loan = await loan_json(http, sandbox, "WBT000002")
    assert (loan["status"], loan["outstanding_principal"]) == ("OVERDUE", "3000.33")
    assert plan_of(loan)[0] == (1, "2026-04-15", "993.54", "18.60", "OVERDUE")

    # when: ten more days without funds — penalty 993.54 × .072 × 1.5 × 10/360 = 2.98062 → 2.98;
    # payoff interest from disbursement (no period paid): 3000.33 × .072 × 41/360 = 24.6027 → 24.60
    await control(http, sandbox.url + "/_sandbox/clock", {"days": 10})
    status, quote = await signed_get(
        http, sandbox, APP_ID, SECRET, "/v1/loans/WBT000002/payoff?date=2026-04-25"
    )

    # then: nothing was debited, and the payoff quote carries the penalty (inside `interest`)
    assert webhook.of("WBT000002") == [overdue]
    assert (status, quote) == (
        200,
        {"principal": "3000.33", "interest": "27.58", "penalty": "2.98", "fee": "0.00", "total": "3027.91"},
    )

    # when: the funds are back and a day passes — 11 days overdue: 993.54 × .108 × 11/360 = 3.278682 → 3.28
    refilled = await control(
        http, sandbox.url + "/_sandbox/webank/funds", {"loan_no": "WBT000002", "insufficient": False}
    )
    await control(http, sandbox.url + "/_sandbox/clock", {"days": 1})
    events = await webhook.wait_for_loan("WBT000002", 2)

    # then
    assert refilled == (200, {"loan_no": "WBT000002", "insufficient": False})
    kind, posted = events[1]
    assert kind == "repayment.posted"
    assert {k: v for k, v in posted.items() if k not in ("repayment_no", "paid_at")} == {
        "loan_no": "WBT000002",
        "kind": "SCHEDULED",
        "principal": "993.54",
        "interest": "18.60",
        "penalty": "3.28",
    }
    assert day_of(posted["paid_at"]) == date(2026, 4, 26)
    loan = await loan_json(http, sandbox, "WBT000002")
    assert (loan["status"], loan["outstanding_principal"]) == ("DISBURSED", "2006.79")
    assert [row[4] for row in plan_of(loan)] == ["PAID", "PENDING", "PENDING"]


async def test_the_per_loan_switch_empties_any_account(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: an ordinary amount, its account emptied from Python
    book_disbursed_loan(sandbox, "WBT000003", "20000.00", 3, INTEREST_FIRST, CREDIT_CODE)
    sandbox.state.set_insufficient_funds("WBT000003", True)

    # when
    sandbox.state.advance(31)

    # then: interest-only arrears of 124.00
    [(kind, data)] = await webhook.wait_for_loan("WBT000003", 1)
    assert (kind, data["period"], data["overdue_amount"]) == ("loan.overdue", 1, "124.00")


async def test_the_clock_controls(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    async with http.get(sandbox.url + "/_sandbox/clock") as response:
        assert (response.status, await response.json()) == (200, {"today": "2026-03-15"})
    assert (await control(http, sandbox.url + "/_sandbox/clock", {"today": "2026-03-14"}))[0] == 400
    assert (await control(http, sandbox.url + "/_sandbox/clock", {"days": -1}))[0] == 400
    assert (await control(http, sandbox.url + "/_sandbox/clock", {"days": "3"}))[0] == 400
    assert (await control(http, sandbox.url + "/_sandbox/clock", {"days": 1, "today": "2026-04-01"}))[
        0
    ] == 400
    assert (await control(http, sandbox.url + "/_sandbox/clock", {"today": "someday"}))[0] == 400
    assert (
        await control(http, sandbox.url + "/_sandbox/webank/funds", {"loan_no": "NOPE", "insufficient": True})
    )[0] == 404
    assert (await control(http, sandbox.url + "/_sandbox/webank/funds", {"loan_no": "WBL0001"}))[0] == 400
    assert sandbox.state.advance(2) == date(2026, 3, 17)
    sandbox.state.reset()
    assert sandbox.state.today == TODAY
