"""The sandbox bank's registration pages and its signed notifications, over real sockets.

A small webhook server in the test verifies every notification's signature and answers 503 to the
first delivery of each event, so every event that arrives has been retried.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import aiohttp
import pytest
from bank_support import Page, Webhook, open_page, post_form, sandbox_fixtures, signed_get, signed_post

from bff_sandbox import RunningSandbox
from bff_sandbox.decision import REASON_LOW_SETTLEMENT, REASON_MANUAL
from bff_sandbox.state import DELIVERED
from bff_sandbox.webank_payloads import expected_months

APP_ID = "bank-pages-app"
SECRET = "bank-pages-secret-0123456789"
TODAY = date(2026, 3, 15)
GD_BOTH = "91440300MA5314187G"
HN_MALL = "91430100MA5418916L"
NAME = "深圳市筑城建材有限公司"
SMS_CODE = "123456"

LEGAL_REP = {
    "legal_name": "张三",
    "id_number": "440300198001011233",
    "bank_card": "6222021234567890128",
    "phone": "13800138000",
    "sms_code": SMS_CODE,
}


sandbox, webhook, http = sandbox_fixtures(TODAY, APP_ID, SECRET, refuse_first=True)


async def push(http: aiohttp.ClientSession, sandbox: RunningSandbox, credit_code: str, recent: str) -> str:
    """Push a supplier whose latest 12 months settled `recent` each (the older 12 a lot more); the register URL."""
    months = expected_months(TODAY)
    body = {
        "supplier": {
            "code": "S1",
            "name": NAME,
            "credit_code": credit_code,
            "province": "广东省",
            "city": "深圳市",
        },
        "statistics": {
            "months": [
                {
                    "month": m,
                    "order_amount": "1000.00",
                    "settled_amount": "999999.99" if i < 12 else recent,
                    "order_count": 1,
                }
                for i, m in enumerate(months)
            ],
            "buyers": 3,
        },
    }
    answer = await signed_post(http, sandbox, APP_ID, SECRET, "/v1/suppliers/push", body)
    return str(answer["register_url"])


async def submit(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, action: str, form: dict[str, str]
) -> Page:
    return await post_form(http, f"{sandbox.webank_url}/pages/register/{action}", form)


def apply_no_of(register_url: str) -> str:
    return register_url.rsplit("apply_no=", 1)[1]


def enterprise_form(apply_no: str, credit_code: str) -> dict[str, str]:
    return {
        "apply_no": apply_no,
        "account_phone": "13800138000",
        "password": "secret-1",
        "method": "TAX",
        "licence_no": credit_code,
    }


async def verify_until_apply(
    http: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    register_url: str,
    credit_code: str,
    name: str = "张三",
) -> str:
    apply_no = apply_no_of(register_url)
    assert (
        await submit(http, sandbox, "enterprise", enterprise_form(apply_no, credit_code))
    ).step == "LEGAL_REP"
    page = await submit(http, sandbox, "legal-rep", {"apply_no": apply_no, **LEGAL_REP, "legal_name": name})
    assert page.step == "APPLY"
    return apply_no


# --- the walk-through --------------------------------------------------------------------------------


async def test_a_supplier_verifies_and_is_approved_with_signed_retried_notifications(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: 12 × 52345.67 = 628148.04 settled in the last 12 months → 20 % floored to 1000
    register_url = await push(http, sandbox, GD_BOTH, "52345.67")
    apply_no = apply_no_of(register_url)

    # when: the applicant opens the register URL
    page = await open_page(http, register_url)
    # then
    assert page.status == 200
    assert page.step == "ENTERPRISE"
    assert NAME in page.html
    assert f'id="credit-code">{GD_BOTH}<' in page.html
    assert f'id="licence_no" name="licence_no" value="{GD_BOTH}"' in page.html
    assert 'id="enterprise-form"' in page.html

    # when: registered and enterprise verified; re-opening the URL shows the progress
    page = await submit(http, sandbox, "enterprise", enterprise_form(apply_no, GD_BOTH))
    assert page.step == "LEGAL_REP"
    assert page.url == register_url
    reopened = await open_page(http, register_url)
    assert reopened.step == "LEGAL_REP"
    assert 'id="step-enterprise" data-state="done"' in reopened.html
    assert 'id="legal-rep-form"' in reopened.html

    # when: the legal representative is verified → realname.verified, signed and retried
    page = await submit(http, sandbox, "legal-rep", {"apply_no": apply_no, **LEGAL_REP})
    assert page.step == "APPLY"
    await webhook.wait_for(1)
    assert webhook.received[0]["type"] == "realname.verified"
    assert webhook.received[0]["data"] == {"credit_code": GD_BOTH}

    # when: applying for a limit (twice: a double submit decides once)
    page = await submit(http, sandbox, "apply", {"apply_no": apply_no, "agree": "yes"})
    again = await submit(http, sandbox, "apply", {"apply_no": apply_no, "agree": "yes"})

    # then: the page shows the decision and the platform hears it once
    for shown in (page, again):
        assert shown.step == "DONE"
        assert 'id="result" data-status="APPROVED"' in shown.html
        assert shown.value("limit-total", adjacent=True) == "125000.00"
        assert shown.value("order-loan-total", adjacent=True) == "50000.00"
        assert shown.value("credit-loan-total", adjacent=True) == "75000.00"
    await webhook.wait_for(2)
    await asyncio.sleep(0.3)  # time for a wrong second decision to show up
    assert webhook.types() == ["realname.verified", "limit.approved"]
    approved = webhook.received[1]
    assert approved["data"] == {
        "credit_code": GD_BOTH,
        "total": "125000.00",
        "order_ratio": "0.4",
        "credit_ratio": "0.6",
        "valid_until": "2027-03-15",
    }
    assert approved["occurred_at"].endswith("+08:00")
    assert len({e["event_id"] for e in webhook.received}) == 2
    assert webhook.unsigned == 0
    assert all(webhook.deliveries[e["event_id"]] == 2 for e in webhook.received)

    # and: the bank's own record agrees
    sent = sandbox.state.notifications()
    assert [(n.type, n.status, [a.status_code for a in n.attempts]) for n in sent] == [
        ("realname.verified", DELIVERED, [503, 200]),
        ("limit.approved", DELIVERED, [503, 200]),
    ]
    status, limit = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{GD_BOTH}/limit")
    assert (status, limit) == (
        200,
        {
            "status": "APPROVED",
            "total": "125000.00",
            "order_ratio": "0.4",
            "credit_ratio": "0.6",
            "valid_until": "2027-03-15",
            "reapply_after": None,
        },
    )
    assert (await open_page(http, register_url)).value("limit-total", adjacent=True) == "125000.00"


@pytest.mark.parametrize(
    ("credit_code", "recent", "name", "reason"),
    [
        pytest.param(HN_MALL, "8333.33", "张三", REASON_LOW_SETTLEMENT, id="99999.96 settled in 12 months"),
        pytest.param(GD_BOTH, "52345.67", "拒绝", REASON_MANUAL, id="legal representative named 拒绝"),
    ],
)
async def test_a_rejection_is_notified_with_its_reapply_window(
    sandbox: RunningSandbox,
    webhook: Webhook,
    http: aiohttp.ClientSession,
    credit_code: str,
    recent: str,
    name: str,
    reason: str,
) -> None:
    # given
    register_url = await push(http, sandbox, credit_code, recent)
    apply_no = await verify_until_apply(http, sandbox, register_url, credit_code, name)
    # when
    page = await submit(http, sandbox, "apply", {"apply_no": apply_no, "agree": "yes"})
    # then
    assert 'id="result" data-status="REJECTED"' in page.html
    assert (page.value("reject-reason", adjacent=True), page.value("reapply-after", adjacent=True)) == (
        reason,
        "2026-06-13",
    )
    await webhook.wait_for(2)
    # the bank's deliveries are independent: under retries the decision may overtake realname.verified
    assert sorted(webhook.types()) == ["limit.rejected", "realname.verified"]
    rejected = next(e for e in webhook.received if e["type"] == "limit.rejected")
    assert rejected["data"] == {
        "credit_code": credit_code,
        "reason": reason,
        "reapply_after": "2026-06-13",
    }
    _, limit = await signed_get(http, sandbox, APP_ID, SECRET, f"/v1/suppliers/{credit_code}/limit")
    assert (limit["status"], limit["total"], limit["reapply_after"]) == ("REJECTED", None, "2026-06-13")


# --- refusals --------------------------------------------------------------------------------------------


async def test_a_wrong_sms_code_re_renders_the_step_and_notifies_nothing(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    register_url = await push(http, sandbox, GD_BOTH, "52345.67")
    apply_no = apply_no_of(register_url)
    await submit(http, sandbox, "enterprise", enterprise_form(apply_no, GD_BOTH))

    page = await submit(http, sandbox, "legal-rep", {"apply_no": apply_no, **LEGAL_REP, "sms_code": "000000"})

    assert page.status == 400
    assert page.step == "LEGAL_REP"
    assert 'id="error" class="error" role="alert" data-field="sms_code"' in page.html
    assert 'id="legal_name" name="legal_name" value="张三"' in page.html  # what was typed stays
    await asyncio.sleep(0.3)
    assert sandbox.state.notifications() == ()
    assert webhook.deliveries == Counter()
    assert (await open_page(http, register_url)).step == "LEGAL_REP"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("id_number", "44030019800101123X", "校验位不正确"),
        ("bank_card", "6222021234567890123", "校验未通过"),
    ],
)
async def test_an_id_number_or_card_with_a_typo_is_refused_with_a_clear_message(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession, field: str, value: str, words: str
) -> None:
    register_url = await push(http, sandbox, GD_BOTH, "52345.67")
    apply_no = apply_no_of(register_url)
    await submit(http, sandbox, "enterprise", enterprise_form(apply_no, GD_BOTH))

    page = await submit(http, sandbox, "legal-rep", {"apply_no": apply_no, **LEGAL_REP, field: value})

    assert page.status == 400
    assert page.step == "LEGAL_REP"
    assert f'data-field="{field}"' in page.html
    assert words in page.html


async def test_a_licence_number_other_than_the_credit_code_is_refused(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    register_url = await push(http, sandbox, GD_BOTH, "52345.67")
    form = {**enterprise_form(apply_no_of(register_url), GD_BOTH), "licence_no": HN_MALL}

    page = await submit(http, sandbox, "enterprise", form)

    assert page.status == 400
    assert page.step == "ENTERPRISE"
    assert 'data-field="licence_no"' in page.html


async def test_a_step_posted_out_of_order_just_shows_the_current_step(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    register_url = await push(http, sandbox, GD_BOTH, "52345.67")

    page = await submit(http, sandbox, "apply", {"apply_no": apply_no_of(register_url), "agree": "yes"})

    assert (page.status, page.step) == (200, "ENTERPRISE")
    assert sandbox.state.notifications() == ()


async def test_an_unknown_apply_number_is_a_404_page(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    page = await open_page(http, f"{sandbox.webank_url}/pages/register?apply_no=WBA999999")
    assert page.status == 404
    assert 'id="not-found"' in page.html
    posted = await submit(http, sandbox, "enterprise", enterprise_form("WBA999999", GD_BOTH))
    assert posted.status == 404
    assert (await open_page(http, f"{sandbox.webank_url}/pages/register")).status == 404


# --- the notifier and its controls -----------------------------------------------------------------------


async def test_the_notify_control_sends_any_event_signed_and_lists_it(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    data = {"loan_no": "WBL0001", "settled_at": "2026-03-15T10:00:00+08:00"}
    async with http.post(
        f"{sandbox.url}/_sandbox/webank/notify", json={"type": "loan.settled", "data": data}
    ) as r:
        assert r.status == 202
        event_id = (await r.json())["event_id"]

    await webhook.wait_for(1)
    assert webhook.received[0]["event_id"] == event_id
    assert (webhook.received[0]["type"], webhook.received[0]["data"]) == ("loan.settled", data)
    async with http.get(f"{sandbox.url}/_sandbox/webank/notifications") as r:
        listed = await r.json()
    assert listed["webhook_url"] == webhook.url
    [entry] = listed["notifications"]
    assert (entry["event_id"], entry["status"]) == (event_id, "DELIVERED")
    assert [a["status_code"] for a in entry["attempts"]] == [503, 200]
    async with http.post(f"{sandbox.url}/_sandbox/webank/notify", json={"type": "x"}) as r:
        assert r.status == 400


async def test_notifications_wait_for_a_webhook_url_and_are_not_lost(
    sandbox: RunningSandbox, webhook: Webhook, http: aiohttp.ClientSession
) -> None:
    # given: no webhook configured
    async with http.post(f"{sandbox.url}/_sandbox/webank/webhook", json={"url": None}) as r:
        assert r.status == 200
    sent = sandbox.notify("realname.verified", {"credit_code": GD_BOTH})
    await asyncio.sleep(0.3)
    assert sandbox.state.notification(sent.event_id) == sent  # no attempt without a URL
    # when
    async with http.post(f"{sandbox.url}/_sandbox/webank/webhook", json={"url": webhook.url}) as r:
        assert r.status == 200
    # then
    assert [e["event_id"] for e in await webhook.wait_for(1)] == [sent.event_id]
