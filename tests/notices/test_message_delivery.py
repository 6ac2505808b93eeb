"""Notices by SMS and e-mail through the sandbox's gateways over HTTP: once (also across a restart),
retried with backoff, rate-limited per supplier, recipients masked in the logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from factories import create_admission
from graph_fixtures import Graph
from tortoise.transactions import in_transaction

from bff import db as bff_db
from bff.domain import notices
from bff.integrations.messaging import MessageSender
from bff.messaging import MessageDelivery, MessagePolicy, idempotency_key, sms_text
from bff.models import AdmissionStatus, MessageChannel, MessageStatus, Notice, NoticeMessage
from bff.notices import create_notice

pytestmark = pytest.mark.usefixtures("db")

PHONE = "13800138000"
EMAIL = "zhangsan@example.com"
NOW = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def sender_for(graph: Graph, session: aiohttp.ClientSession) -> MessageSender:
    return MessageSender(session, sms_url=graph.sandbox.sms_url, email_url=graph.sandbox.email_url)


async def sent(graph: Graph, session: aiohttp.ClientSession) -> list[dict[str, Any]]:
    async with session.get(f"{graph.sandbox.url}/_sandbox/messages") as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
    messages: list[dict[str, Any]] = body["messages"]
    return messages


async def a_notice(total: str = "527000.00", admission_id: int = 1) -> Notice:
    from decimal import Decimal

    async with in_transaction(bff_db.CONNECTION) as conn:
        notice = await create_notice(
            "GD-BOTH", notices.limit_approved(admission_id, Decimal(total), None), conn, now=NOW
        )
    assert notice is not None
    return notice


@pytest.fixture
async def handler(db: str) -> None:
    await create_admission(
        "GD-BOTH",
        status=AdmissionStatus.APPROVED,
        handler_name="张三",
        handler_phone=PHONE,
        handler_email=EMAIL,
    )


@pytest.mark.usefixtures("handler")
async def test_each_notice_is_sent_once_by_sms_and_email_with_masked_logs(
    graph: Graph, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    notice = await a_notice()
    delivery = MessageDelivery(sender_for(graph, http))
    # when
    with caplog.at_level(logging.INFO, logger="bff.messaging"):
        assert await delivery.deliver_due(NOW) == 2
        assert await delivery.deliver_due(NOW + timedelta(minutes=5)) == 0
    # then
    messages = await sent(graph, http)
    assert [(m["channel"], m["to"]) for m in messages] == [("SMS", PHONE), ("EMAIL", EMAIL)]
    assert messages[0]["text"] == sms_text(notice)
    assert "527,000.00元" in messages[0]["text"]
    assert messages[1]["subject"] == "【信融宝】授信审批通过"
    assert messages[1]["text"] == notice.body
    assert set(await NoticeMessage.all().values_list("status", flat=True)) == {MessageStatus.SENT}
    logged = caplog.text
    assert "138****8000" in logged
    assert "z***@example.com" in logged
    assert PHONE not in logged
    assert EMAIL not in logged


@pytest.mark.usefixtures("handler")
async def test_exactly_once_across_a_restart(graph: Graph, http: aiohttp.ClientSession) -> None:
    # given: a process claimed the SMS and sent it, then died before recording it as sent
    await a_notice()
    sms = await NoticeMessage.get(channel=MessageChannel.SMS)
    lease = MessagePolicy().lease
    await NoticeMessage.filter(id=sms.id).update(locked_until=NOW + lease)
    async with aiohttp.ClientSession() as first_process:
        await sender_for(graph, first_process).send_sms(PHONE, "…", key=idempotency_key(sms))
    # when: a new process delivers, while the dead one's lease lasts and after it ran out
    async with aiohttp.ClientSession() as second_process:
        restarted = MessageDelivery(sender_for(graph, second_process))
        assert await restarted.deliver_due(NOW) == 1  # the e-mail; the SMS is still claimed
        assert await restarted.deliver_due(NOW + lease + timedelta(seconds=1)) == 1
        assert await restarted.deliver_due(NOW + timedelta(hours=2)) == 0
    # then: the handler got each message once
    messages = await sent(graph, http)
    assert sorted(m["channel"] for m in messages) == ["EMAIL", "SMS"]
    assert set(await NoticeMessage.all().values_list("status", flat=True)) == {MessageStatus.SENT}


@pytest.mark.usefixtures("handler")
async def test_a_failed_send_is_retried_with_backoff_and_never_blocks(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    await a_notice()
    async with http.post(f"{graph.sandbox.url}/_sandbox/messages/failures", json={"count": 1}) as response:
        assert response.status == 200
    delivery = MessageDelivery(sender_for(graph, http))
    # the gateway refuses the first (the SMS): the e-mail goes anyway
    assert await delivery.deliver_due(NOW) == 1
    sms = await NoticeMessage.get(channel=MessageChannel.SMS)
    assert (sms.status, sms.attempts) == (MessageStatus.PENDING, 1)
    assert sms.next_attempt_at == NOW + timedelta(seconds=5)
    assert "503" in (sms.last_error or "")
    assert await delivery.deliver_due(NOW + timedelta(seconds=4)) == 0  # not yet
    assert await delivery.deliver_due(NOW + timedelta(seconds=5)) == 1
    assert [m["channel"] for m in await sent(graph, http)] == ["EMAIL", "SMS"]


@pytest.mark.usefixtures("handler")
async def test_messages_are_rate_limited_per_supplier(graph: Graph, http: aiohttp.ClientSession) -> None:
    await a_notice("1000.00", admission_id=1)
    await a_notice("2000.00", admission_id=2)
    delivery = MessageDelivery(sender_for(graph, http), MessagePolicy(rate_per_hour=1))
    # one SMS and one e-mail an hour: the second notice waits
    assert await delivery.deliver_due(NOW) == 2
    waiting = await NoticeMessage.filter(status=MessageStatus.PENDING).order_by("id")
    assert [m.next_attempt_at for m in waiting] == [NOW + timedelta(hours=1)] * 2
    assert await delivery.deliver_due(NOW + timedelta(minutes=30)) == 0
    assert await delivery.deliver_due(NOW + timedelta(hours=1)) == 2
    texts = [m["text"] for m in await sent(graph, http) if m["channel"] == "SMS"]
    assert ["1,000.00元" in texts[0], "2,000.00元" in texts[1]] == [True, True]


async def test_the_sandbox_shows_the_messages_on_a_page(graph: Graph, http: aiohttp.ClientSession) -> None:
    sender = sender_for(graph, http)
    await sender.send_sms(PHONE, "【信融宝】还款提醒：…", key="k-1")
    async with http.get(f"{graph.sandbox.url}/_sandbox/messages/page") as response:
        assert response.status == 200
        page = await response.text()
    assert "短信与邮件" in page
    assert "还款提醒" in page


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, timedelta(seconds=5)),
        (2, timedelta(seconds=10)),
        (8, timedelta(seconds=640)),
        (9, timedelta(minutes=15)),
        (60, timedelta(minutes=15)),
    ],
    ids=["first", "second", "eighth", "capped", "far-beyond"],
)
def test_backoff_doubles_up_to_fifteen_minutes(attempts: int, wait: timedelta) -> None:
    assert MessagePolicy().backoff(attempts) == wait
