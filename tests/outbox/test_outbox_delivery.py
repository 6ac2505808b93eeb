"""Delivering outbox messages to the sandbox bank, on SQLite and PostgreSQL.

Each test pushes made-up suppliers; "exactly once" is read from the sandbox: the pushes it accepted per
request id, and the POSTs its call log recorded (repeats included).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from outbox_support import (
    SUPPLIER_PUSH,
    CallLog,
    bank_down,
    credit_code_of,
    enqueue_push,
    later,
    made_up_credit_code,
    new_session,
    open_admission,
    opened,
    webank_client,
)
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bff import db as bff_db
from bff.domain.statuses import AdmissionStatus, OutboxStatus
from bff.integrations.webank import WebankClient
from bff.models import Admission, OutboxMessage
from bff.outbox import DeliveryOutcome, OutboxDelivery, OutboxPolicy, ResultHandler, enqueue, utcnow
from bff.sandbox import RunningSandbox

pytestmark = pytest.mark.usefixtures("db")


class Recorder:
    """A result handler storing the bank's answer on the admission, as the real one does; it may fail."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.answers: list[tuple[int, dict[str, Any]]] = []

    async def __call__(
        self, message: OutboxMessage, answer: dict[str, Any], connection: BaseDBAsyncClient
    ) -> None:
        assert message.status is OutboxStatus.DELIVERED
        await (
            Admission.filter(id=int(message.aggregate_id))
            .using_db(connection)
            .update(apply_no=answer["apply_no"], register_url=answer["register_url"])
        )
        if self.fail:
            raise RuntimeError("could not apply the answer")
        self.answers.append((message.id, answer))


def delivery(webank: WebankClient, handler: ResultHandler | None = None, **kwargs: Any) -> OutboxDelivery:
    return OutboxDelivery(webank, {SUPPLIER_PUSH: handler} if handler else {}, **kwargs)


async def reload(message: OutboxMessage) -> OutboxMessage:
    return await OutboxMessage.get(id=message.id)


def assert_pushed_once(sandbox: RunningSandbox, message: OutboxMessage) -> str:
    pushes = sandbox.state.supplier_pushes(credit_code_of(message))
    assert [p.request_id for p in pushes] == [message.request_id]
    return pushes[0].apply_no


async def test_enqueue_commits_and_rolls_back_with_the_state_change(sandbox: RunningSandbox) -> None:
    class Abandoned(Exception):
        pass

    async def open_then_abandon() -> None:
        async with in_transaction(bff_db.CONNECTION) as connection:
            await open_admission(sandbox, connection)
            raise Abandoned

    with pytest.raises(Abandoned):
        await open_then_abandon()

    assert await OutboxMessage.all().count() == 0
    assert await Admission.all().count() == 0

    before = utcnow()
    admission, message = await opened(sandbox)
    message = await reload(message)
    assert message.aggregate_id == str(admission.id)
    assert message.status is OutboxStatus.PENDING
    assert (message.method, message.attempts, message.locked_until) == ("POST", 0, None)
    assert len(message.request_id) == 32
    assert before - timedelta(seconds=1) <= message.next_attempt_at <= utcnow()
    assert message.next_attempt_at.utcoffset() == timedelta(0)


async def test_delivered_now_runs_the_handler_with_the_banks_answer(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    handler = Recorder()
    admission, message = await opened(sandbox)

    assert await delivery(webank, handler).deliver(message.id) is DeliveryOutcome.DELIVERED

    stored = await reload(message)
    apply_no = assert_pushed_once(sandbox, message)
    assert stored.status is OutboxStatus.DELIVERED
    assert stored.response is not None
    assert stored.response["apply_no"] == apply_no
    assert (stored.attempts, stored.locked_until) == (1, None)
    assert stored.last_error is None
    assert stored.delivered_at is not None
    assert handler.answers == [(message.id, stored.response)]
    stored_admission = await Admission.get(id=admission.id)
    assert stored_admission.apply_no == apply_no
    assert stored_admission.register_url == stored.response["register_url"]

    # Delivering again sends nothing.
    assert await delivery(webank, handler).deliver(message.id) is DeliveryOutcome.ALREADY_DELIVERED
    assert await delivery(webank, handler).deliver_due() == 0
    assert len(calls.posts()) == 1


async def test_bank_down_then_back_delivers_exactly_once(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    handler = Recorder()
    outbox = delivery(webank, handler)

    with bank_down(sandbox):
        admission, message = await opened(sandbox)  # 开通 succeeds while the bank is away
        assert await outbox.deliver(message.id) is DeliveryOutcome.PENDING
    assert (await Admission.get(id=admission.id)).status is AdmissionStatus.OPENED
    waiting = await reload(message)
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.next_attempt_at > utcnow()
    assert waiting.last_error == "webank: answered HTTP 503"
    assert (waiting.attempts, waiting.locked_until) == (1, None)

    # Back up, but not due yet: nobody sends before the backoff has passed.
    assert await outbox.deliver(message.id) is DeliveryOutcome.BUSY
    assert await outbox.deliver_due() == 0

    after_backoff = waiting.next_attempt_at + timedelta(seconds=1)
    assert await delivery(webank, handler, clock=lambda: after_backoff).deliver_due() == 1

    assert (await reload(message)).status is OutboxStatus.DELIVERED
    assert (await Admission.get(id=admission.id)).apply_no == assert_pushed_once(sandbox, message)
    assert len(calls.posts()) == 2  # the 503 attempt and the accepted one


async def test_a_pending_push_survives_a_restart(db: str, sandbox: RunningSandbox) -> None:
    message = await enqueue_push(sandbox)
    async with new_session() as session:
        with bank_down(sandbox):
            outcome = await delivery(webank_client(session, sandbox)).deliver(message.id)
    assert outcome is DeliveryOutcome.PENDING
    await bff_db.close_db()

    # A new process: new connection, new HTTP session, new delivery.
    await bff_db.init_db(db)
    async with new_session() as session:
        restarted = delivery(webank_client(session, sandbox), clock=lambda: later(timedelta(minutes=10)))
        assert await restarted.deliver_due() == 1

    assert (await reload(message)).status is OutboxStatus.DELIVERED
    assert_pushed_once(sandbox, message)


async def test_a_crash_between_sending_and_recording_resends_the_same_request(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    policy = OutboxPolicy()
    admission, message = await opened(sandbox)
    # A worker claimed it, sent it, and died before recording the answer.
    now = utcnow()
    await OutboxMessage.filter(id=message.id).update(attempts=1, locked_until=now + policy.lease)
    first = await webank.post(message.path, message.body, request_id=message.request_id)

    assert await delivery(webank).deliver_due() == 0  # still leased by the dead worker
    after_lease = now + policy.lease + timedelta(seconds=1)
    handler = Recorder()
    assert await delivery(webank, handler, clock=lambda: after_lease).deliver_due() == 1

    stored = await reload(message)
    assert stored.status is OutboxStatus.DELIVERED
    assert stored.attempts == 2
    assert stored.response == first
    assert handler.answers == [(message.id, first)]
    assert assert_pushed_once(sandbox, message) == first["apply_no"]
    assert (await Admission.get(id=admission.id)).apply_no == first["apply_no"]
    assert len(calls.posts()) == 2  # sent twice, accepted once


async def test_a_refused_body_fails_at_once(webank: WebankClient, sandbox: RunningSandbox) -> None:
    calls = CallLog(sandbox)
    message = await enqueue_push(sandbox, months=23)

    assert await delivery(webank).deliver(message.id) is DeliveryOutcome.FAILED

    stored = await reload(message)
    assert stored.status is OutboxStatus.FAILED
    assert stored.last_error == "webank: /v1/suppliers/push answered HTTP 400 INVALID_STATISTICS"
    assert (stored.attempts, stored.locked_until) == (1, None)
    assert await delivery(webank, clock=lambda: later(timedelta(days=1))).deliver_due() == 0
    assert await delivery(webank).deliver(message.id) is DeliveryOutcome.FAILED
    assert sandbox.state.supplier_pushes(credit_code_of(message)) == ()
    assert len(calls.posts()) == 1


async def test_gives_up_after_max_attempts(webank: WebankClient, sandbox: RunningSandbox) -> None:
    message = await enqueue_push(sandbox)
    policy = OutboxPolicy(max_attempts=3)
    outcomes = []
    with bank_down(sandbox):
        for hours in range(3):
            outbox = delivery(webank, policy=policy, clock=lambda h=hours: later(timedelta(hours=h)))
            outcomes.append(await outbox.deliver(message.id))

    assert outcomes == [DeliveryOutcome.PENDING, DeliveryOutcome.PENDING, DeliveryOutcome.FAILED]
    stored = await reload(message)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 3)
    assert stored.last_error == "webank: answered HTTP 503"
    assert await delivery(webank, clock=lambda: later(timedelta(days=1))).deliver_due() == 0


async def test_a_message_waits_for_the_older_ones_of_its_aggregate(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    credit_code = made_up_credit_code()
    push = await enqueue_push(sandbox, credit_code, aggregate_id="admission-1")
    async with in_transaction(bff_db.CONNECTION) as connection:
        handler = await enqueue(
            kind="handler_submission",
            path=f"/v1/suppliers/{credit_code}/handler",
            body={"name": "张三", "phone": "13800000000", "email": "zhang@example.com"},
            aggregate_type="admission",
            aggregate_id="admission-1",
            connection=connection,
        )
    unrelated = await enqueue_push(sandbox)
    # The push failed once and waits for its next attempt.
    retry_at = utcnow() + timedelta(minutes=5)
    await OutboxMessage.filter(id=push.id).update(next_attempt_at=retry_at, attempts=1)

    outbox = delivery(webank)
    assert await outbox.deliver(handler.id) is DeliveryOutcome.BUSY
    assert await outbox.deliver_due() == 1  # only the unrelated one
    assert calls.posts(handler.path) == []
    assert (await reload(handler)).attempts == 0
    assert (await reload(unrelated)).status is OutboxStatus.DELIVERED

    later_outbox = delivery(webank, clock=lambda: retry_at + timedelta(seconds=1))
    assert await later_outbox.deliver_due() + await later_outbox.deliver_due() == 2
    assert (await reload(push)).status is OutboxStatus.DELIVERED
    assert (await reload(handler)).status is OutboxStatus.DELIVERED
    application = sandbox.state.latest_application(credit_code)
    assert application is not None
    assert application.handler is not None


async def test_a_failing_handler_leaves_the_message_pending_and_nothing_applied(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    admission, message = await opened(sandbox)

    outcome = await delivery(webank, Recorder(fail=True)).deliver(message.id)

    assert outcome is DeliveryOutcome.PENDING
    stored = await reload(message)
    assert (stored.status, stored.response, stored.delivered_at) == (OutboxStatus.PENDING, None, None)
    assert stored.last_error == "result handler failed: RuntimeError"
    assert stored.locked_until is None
    assert stored.next_attempt_at > utcnow()
    assert (await Admission.get(id=admission.id)).apply_no is None  # the handler's write rolled back
    apply_no = assert_pushed_once(sandbox, message)

    # The retry gets the bank's first answer again and applies it.
    handler = Recorder()
    retry = delivery(webank, handler, clock=lambda: stored.next_attempt_at + timedelta(seconds=1))
    assert await retry.deliver_due() == 1
    assert [answer["apply_no"] for _, answer in handler.answers] == [apply_no]
    assert (await Admission.get(id=admission.id)).apply_no == apply_no
    assert assert_pushed_once(sandbox, message) == apply_no


async def test_an_unknown_message_is_a_lookup_error(webank: WebankClient) -> None:
    with pytest.raises(LookupError):
        await delivery(webank).deliver(987654)
