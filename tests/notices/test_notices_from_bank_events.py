"""Each notice kind from its bank event, through signed webhooks against the app; re-delivery creates none."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_admission, create_loan
from ws_support import next_payload, subscribe

from bff.models import AdmissionStatus, LoanStatus, Notice, NoticeMessage
from bff.signing import signed_headers
from bff_sandbox import RunningSandbox

SUPPLIER = "GD-BOTH"
CREDIT_CODE = "91440300MA5G8XXXXX"
OPENED_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

NOTICES = """
query ($unread: Boolean!) { viewer { notices(unreadOnly: $unread, first: 50) {
  totalCount unreadCount edges { node { id kind title body readAt loan { loanNo } } } } } }
"""
MARK = """
mutation ($ids: [ID!]!) { markNoticesRead(input: {ids: $ids}) {
  notices { kind readAt } userErrors { code field } } }
"""


@pytest.fixture
def bff_overrides(sandbox: RunningSandbox) -> dict[str, Any]:
    """The app's messages worker sends through the sandbox's gateways."""
    return {"sms_url": sandbox.sms_url, "email_url": sandbox.email_url}


async def post(bff: Bff, event_type: str, data: dict[str, Any], *, event_id: str | None = None) -> str:
    event_id = event_id or str(uuid.uuid4())
    body = json.dumps(
        {"event_id": event_id, "type": event_type, "occurred_at": "2026-03-05T10:00:00+08:00", "data": data}
    ).encode()
    headers = signed_headers(bff.settings.webank_app_id, bff.settings.webank_secret, body)
    async with bff.http.post(
        f"{bff.url}/webhooks/webank", data=body, headers={**headers, "Content-Type": "application/json"}
    ) as response:
        assert response.status == 200, await response.text()
        assert (await response.json())["code"] == "SUCCESS"
    return event_id


async def admission(status: AdmissionStatus = AdmissionStatus.REGISTERING) -> None:
    await create_admission(
        SUPPLIER,
        status=status,
        agreed_at=OPENED_AT,
        opened_at=OPENED_AT,
        credit_code=CREDIT_CODE,
        handler_name="张三",
        handler_phone="13800138000",
        handler_email="zhangsan@example.com",
    )


async def notices(bff: Bff, *, unread: bool = False) -> dict[str, Any]:
    result = await bff.query(NOTICES, {"unread": unread})
    assert "errors" not in result, result
    connection: dict[str, Any] = result["data"]["viewer"]["notices"]
    return connection


def kinds(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["kind"] for edge in connection["edges"]]


DISBURSED = {
    "loan_no": "WBL-N1",
    "amount": "50000.00",
    "annual_rate": "0.072",
    "term_months": 6,
    "disbursed_at": "2026-03-05T10:00:00+08:00",
}
OVERDUE = {"loan_no": "WBL-N1", "period": 1, "overdue_amount": "8509.26", "since": "2026-04-05"}


async def test_limit_approved_makes_one_notice_with_the_amount(bff: Bff) -> None:
    # given
    await admission()
    approved = {"credit_code": CREDIT_CODE, "total": "527000.00", "valid_until": "2027-03-05"}
    # when: delivered, then delivered again (same event id), then sent again under a new id
    event_id = await post(bff, "limit.approved", approved)
    await post(bff, "limit.approved", approved, event_id=event_id)
    await post(bff, "limit.approved", approved)
    # then
    connection = await notices(bff)
    assert kinds(connection) == ["LIMIT_APPROVED"]
    node = connection["edges"][0]["node"]
    assert node["title"] == "授信审批通过"
    assert "527,000.00元" in node["body"]
    assert "2027年3月5日" in node["body"]
    assert (connection["totalCount"], connection["unreadCount"]) == (1, 1)
    # and it is queued once by SMS and once by e-mail to the handler
    assert sorted(m.channel.value for m in await NoticeMessage.all()) == ["EMAIL", "SMS"]


async def test_limit_rejected_makes_a_notice_with_the_reapply_day(bff: Bff) -> None:
    await admission()
    rejected = {"credit_code": CREDIT_CODE, "reason": "经营数据不足", "reapply_after": "2026-06-05"}
    event_id = await post(bff, "limit.rejected", rejected)
    await post(bff, "limit.rejected", rejected, event_id=event_id)
    connection = await notices(bff)
    assert kinds(connection) == ["LIMIT_REJECTED"]
    body = connection["edges"][0]["node"]["body"]
    assert "经营数据不足" in body
    assert "2026年6月5日" in body


async def test_each_loan_event_makes_its_notice_once(bff: Bff) -> None:
    # given
    await admission(AdmissionStatus.APPROVED)
    await create_loan("WBL-N1", SUPPLIER, status=LoanStatus.PROCESSING, amount_fen=50_000_00)
    await create_loan("WBL-N2", SUPPLIER, status=LoanStatus.PROCESSING, amount_fen=10_000_00)
    events = [
        ("loan.disbursed", DISBURSED),
        ("loan.overdue", OVERDUE),
        ("loan.failed", {"loan_no": "WBL-N2", "reason": "风控审批未通过"}),
        ("loan.settled", {"loan_no": "WBL-N1", "settled_at": "2026-05-05T10:00:00+08:00"}),
    ]
    # when: each delivered twice under its id, and the bank sending each happening again under a new id
    for event_type, data in events:
        event_id = await post(bff, event_type, data)
        await post(bff, event_type, data, event_id=event_id)
        await post(bff, event_type, data)
    # then: one notice per happening, newest first
    connection = await notices(bff)
    assert kinds(connection) == ["SETTLED", "LOAN_FAILED", "DEBIT_FAILED", "OVERDUE", "DISBURSED"]
    by_kind = {edge["node"]["kind"]: edge["node"] for edge in connection["edges"]}
    assert "50,000.00元" in by_kind["DISBURSED"]["body"]
    assert "2026年3月5日" in by_kind["DISBURSED"]["body"]
    assert by_kind["DISBURSED"]["title"] == "放款成功"
    assert by_kind["DISBURSED"]["loan"] == {"loanNo": "WBL-N1"}
    assert "第1期" in by_kind["DEBIT_FAILED"]["body"]
    assert "8,509.26元" in by_kind["DEBIT_FAILED"]["body"]
    assert "2026年4月5日" in by_kind["OVERDUE"]["body"]
    assert "风控审批未通过" in by_kind["LOAN_FAILED"]["body"]
    assert "2026年5月5日" in by_kind["SETTLED"]["body"]
    assert await Notice.all().count() == 5
    assert await NoticeMessage.all().count() == 10


async def test_mark_read_and_refuse_another_suppliers_notice(bff: Bff) -> None:
    await admission()
    await post(bff, "limit.approved", {"credit_code": CREDIT_CODE, "total": "1000.00"})
    notice_id = (await notices(bff))["edges"][0]["node"]["id"]

    refused = await bff.query(MARK, {"ids": [notice_id]}, as_supplier="HN-MALL")
    assert refused["data"]["markNoticesRead"] == {
        "notices": [],
        "userErrors": [{"code": "NOTICE_NOT_FOUND", "field": "ids"}],
    }
    marked = await bff.query(MARK, {"ids": [notice_id]})
    assert marked["data"]["markNoticesRead"]["userErrors"] == []
    assert marked["data"]["markNoticesRead"]["notices"][0]["readAt"] is not None
    assert (await notices(bff, unread=True))["edges"] == []
    assert (await notices(bff))["unreadCount"] == 0


async def test_notice_received_streams_a_new_notice(bff: Bff) -> None:
    await admission()
    ws = await subscribe(
        bff.http,
        bff.url,
        bff.token(),
        "subscription { noticeReceived { kind title } }",
        subscribers=bff.subscribers,
    )
    try:
        await post(bff, "limit.approved", {"credit_code": CREDIT_CODE, "total": "2000.00"})
        payload = await asyncio.wait_for(next_payload(ws), timeout=10)
    finally:
        await ws.close()
    assert payload == {"data": {"noticeReceived": {"kind": "LIMIT_APPROVED", "title": "授信审批通过"}}}


@pytest.mark.parametrize("role", ["OPERATOR"])
async def test_operators_cannot_mark_notices_read(bff: Bff, role: str) -> None:
    from bff.auth import Role

    result = await bff.query(MARK, {"ids": ["Tm90aWNlOjE="]}, as_supplier="OPS", role=Role(role))
    assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]


async def test_the_app_sends_a_notice_to_the_handler_by_sms_and_email(bff: Bff) -> None:
    # given
    await admission()
    # when: the bank's decision arrives
    await post(bff, "limit.approved", {"credit_code": CREDIT_CODE, "total": "527000.00"})
    # then: the app's messages worker delivers both (a condition, polled: the worker runs on its own)
    async with asyncio.timeout(10):
        while len(bff.sandbox.state.messages()) < 2:  # noqa: ASYNC110 - another thread's state, no event
            await asyncio.sleep(0.02)
    messages = bff.sandbox.state.messages()
    assert sorted((m.channel, m.to) for m in messages) == [
        ("EMAIL", "zhangsan@example.com"),
        ("SMS", "13800138000"),
    ]
    assert all("527,000.00元" in m.text for m in messages)
