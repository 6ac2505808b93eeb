"""Delivering outbox messages to the sandbox bank, on SQLite and PostgreSQL.

Each test pushes made-up suppliers; "exactly once" is read from the sandbox: the pushes it accepted per
request id, and the POSTs its call log recorded (repeats included).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from outbox_support import (
    CallLog,
    bank_down,
    create_admission,
    credit_code_of,
    enqueue_push,
    later,
    made_up_credit_code,
    new_session,
    open_admission,
    opened,
    supplier_push,
    webank_client,
)
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bff import db as bff_db
from bff.domain.bank_pushes import HandlerPush, PushResult, SupplierPush, result_fields, stored_push
from bff.domain.bank_records import SupplierPushResult
from bff.domain.statuses import AdmissionStatus, OutboxStatus
from bff.integrations.webank import WebankClient
from bff.models import Admission, OutboxMessage
from bff.outbox import (
    DeliveryOutcome,
    OutboxDelivery,
    OutboxPolicy,
    ResultHandler,
    apply_result,
    enqueue,
    utcnow,
)
from bff_sandbox import RunningSandbox

pytestmark = pytest.mark.usefixtures("db")


class Recorder:
    """The production result handler (`apply_result`), recording what it applied; it may fail after it."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.answers: list[tuple[int, PushResult]] = []

    async def __call__(
        self, message: OutboxMessage, result: PushResult, connection: BaseDBAsyncClient
    ) -> None:
        assert message.status is OutboxStatus.DELIVERED
        await apply_result(message, result, connection)
        if self.fail:
            raise RuntimeError("could not apply the answer")
        self.answers.append((message.id, result))


def delivery(webank: WebankClient, handler: ResultHandler | None = None, **kwargs: Any) -> OutboxDelivery:
    return OutboxDelivery(webank, handler, **kwargs)


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
    assert (message.kind, message.attempts, message.locked_until) == ("supplier.push", 0, None)
    push = stored_push(message.kind, message.payload)
    assert isinstance(push, SupplierPush)
    assert push.supplier.credit_code == credit_code_of(message)
    assert len(push.statistics.months) == 24
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
    register_url = f"{sandbox.webank_url}/pages/register?apply_no={apply_no}"
    assert stored.response == {"apply_no": apply_no, "register_url": register_url}
    assert (stored.attempts, stored.locked_until) == (1, None)
    assert stored.last_error is None
    assert stored.delivered_at is not None
    assert handler.answers == [(message.id, SupplierPushResult(apply_no, register_url))]
    stored_admission = await Admission.get(id=admission.id)
    assert (stored_admission.apply_no, stored_admission.register_url) == (apply_no, register_url)

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
    first = await webank.push(stored_push(message.kind, message.payload), request_id=message.request_id)
    assert isinstance(first, SupplierPushResult)

    assert await delivery(webank).deliver_due() == 0  # still leased by the dead worker
    after_lease = now + policy.lease + timedelta(seconds=1)
    handler = Recorder()
    assert await delivery(webank, handler, clock=lambda: after_lease).deliver_due() == 1

    stored = await reload(message)
    assert stored.status is OutboxStatus.DELIVERED
    assert stored.attempts == 2
    assert stored.response == result_fields(first)
    assert handler.answers == [(message.id, first)]
    assert assert_pushed_once(sandbox, message) == first.apply_no
    assert (await Admission.get(id=admission.id)).apply_no == first.apply_no
    assert len(calls.posts()) == 2  # sent twice, accepted once


async def test_a_refused_body_fails_at_once(webank: WebankClient, sandbox: RunningSandbox) -> None:
    calls = CallLog(sandbox)
    message = await enqueue_push(sandbox, months=23)

    assert await delivery(webank).deliver(message.id) is DeliveryOutcome.FAILED

    stored = await reload(message)
    assert stored.status is OutboxStatus.FAILED
    assert stored.last_error == "webank: /v1/suppliers/push answered HTTP 400 INVALID_STATISTICS"
    assert stored.error_code == "INVALID_STATISTICS"  # the bank's own code, for `pushError`
    assert stored.failed_at is not None
    assert (stored.attempts, stored.locked_until) == (1, None)
    assert await delivery(webank, clock=lambda: later(timedelta(days=1))).deliver_due() == 0
    assert await delivery(webank).deliver(message.id) is DeliveryOutcome.FAILED
    assert sandbox.state.supplier_pushes(credit_code_of(message)) == ()
    assert len(calls.posts()) == 1


async def test_retries_for_the_give_up_time_whatever_the_attempt_count_then_gives_up(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    message = await enqueue_push(sandbox)
    written = (await reload(message)).created_at
    policy = OutboxPolicy(give_up_after=timedelta(hours=24))
    outcomes = []
    with bank_down(sandbox):
        # 30 failed attempts within the day (an 18-minute outage spent the old budget of 12): still pending
        for _ in range(30):
            due = (await reload(message)).next_attempt_at
            outcomes.append(await delivery(webank, policy=policy, clock=lambda d=due: d).deliver(message.id))
        retrying = await reload(message)
        # the wait is capped at 15 minutes, and the last one ends at the deadline
        at_noon = written + timedelta(hours=12)
        assert await delivery(webank, policy=policy, clock=lambda: at_noon).deliver(message.id) is (
            DeliveryOutcome.PENDING
        )
        assert (await reload(message)).next_attempt_at <= at_noon + timedelta(minutes=15) * 1.1
        just_before = written + timedelta(hours=24) - timedelta(minutes=1)
        await delivery(webank, policy=policy, clock=lambda: just_before).deliver(message.id)
        assert (await reload(message)).next_attempt_at == written + timedelta(hours=24)
        past = written + timedelta(hours=24, seconds=1)
        final = await delivery(webank, policy=policy, clock=lambda: past).deliver(message.id)

    assert outcomes == [DeliveryOutcome.PENDING] * 30
    assert retrying.status is OutboxStatus.PENDING
    assert final is DeliveryOutcome.FAILED
    stored = await reload(message)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 33)
    assert (stored.error_code, stored.failed_at) == ("PUSH_GAVE_UP", past)
    assert stored.last_error == "webank: answered HTTP 503"
    assert await delivery(webank, clock=lambda: later(timedelta(days=2))).deliver_due() == 0


async def test_a_message_waits_for_the_older_ones_of_its_aggregate(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    credit_code = made_up_credit_code()
    handler_path = f"/v1/suppliers/{credit_code}/handler"
    push = await enqueue_push(sandbox, credit_code, aggregate_id="admission-1")
    async with in_transaction(bff_db.CONNECTION) as connection:
        handler = await enqueue(
            HandlerPush(credit_code, "张三", "13800000000", "zhang@example.com"),
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
    assert calls.posts(handler_path) == []
    assert (await reload(handler)).attempts == 0
    assert (await reload(unrelated)).status is OutboxStatus.DELIVERED

    later_outbox = delivery(webank, clock=lambda: retry_at + timedelta(seconds=1))
    assert await later_outbox.deliver_due() + await later_outbox.deliver_due() == 2
    assert (await reload(push)).status is OutboxStatus.DELIVERED
    assert (await reload(handler)).status is OutboxStatus.DELIVERED
    application = sandbox.state.latest_application(credit_code)
    assert application is not None
    assert application.handler is not None
    assert (await reload(handler)).response == {
        "register_url": f"{sandbox.webank_url}/pages/register?apply_no={application.apply_no}"
    }
    assert len(calls.posts(handler_path)) == 1


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
    assert [(id_, answer) for id_, answer in handler.answers] == [
        (message.id, SupplierPushResult(apply_no, f"{sandbox.webank_url}/pages/register?apply_no={apply_no}"))
    ]
    assert (await Admission.get(id=admission.id)).apply_no == apply_no
    assert assert_pushed_once(sandbox, message) == apply_no


async def test_an_unknown_message_is_a_lookup_error(webank: WebankClient) -> None:
    with pytest.raises(LookupError):
        await delivery(webank).deliver(987654)


async def test_an_unreadable_stored_push_fails_at_once_and_sends_nothing(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    message = await enqueue_push(sandbox)
    await OutboxMessage.filter(id=message.id).update(kind="supplier.retired")
    broken = await enqueue_push(sandbox)
    await OutboxMessage.filter(id=broken.id).update(payload={"supplier": {}})

    assert await delivery(webank).deliver(message.id) is DeliveryOutcome.FAILED
    assert await delivery(webank).deliver(broken.id) is DeliveryOutcome.FAILED

    stored, stored_broken = await reload(message), await reload(broken)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 1)
    assert stored.last_error == "unknown push kind 'supplier.retired'"
    assert stored_broken.status is OutboxStatus.FAILED
    assert stored_broken.last_error is not None
    assert stored_broken.last_error.startswith("unreadable supplier.push push (KeyError")
    assert calls.posts() == []


async def test_a_message_written_claimed_is_sent_by_its_writer_and_no_pass_takes_it_meanwhile(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    credit_code = made_up_credit_code()
    outbox = delivery(webank, Recorder())
    async with in_transaction(bff_db.CONNECTION) as connection:
        admission = await create_admission(connection, credit_code)
        message = await outbox.enqueue_claimed(
            supplier_push(sandbox.state.today, credit_code),
            aggregate_type="admission",
            aggregate_id=str(admission.id),
            connection=connection,
        )
    # The mutation has committed and is about to send: a background pass in between leaves it alone.
    assert await delivery(webank).deliver_due() == 0
    assert calls.posts() == []

    assert await outbox.deliver_claimed(message.id) is DeliveryOutcome.DELIVERED

    stored = await reload(message)
    assert (stored.status, stored.attempts, stored.locked_until) == (OutboxStatus.DELIVERED, 1, None)
    assert (await Admission.get(id=admission.id)).apply_no == assert_pushed_once(sandbox, stored)
    assert await outbox.deliver_claimed(message.id) is DeliveryOutcome.ALREADY_DELIVERED
    assert len(calls.posts()) == 1


async def test_a_claimed_message_whose_writer_died_is_delivered_once_the_lease_runs_out(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    policy = OutboxPolicy()
    credit_code = made_up_credit_code()
    async with in_transaction(bff_db.CONNECTION) as connection:
        message = await delivery(webank).enqueue_claimed(
            supplier_push(sandbox.state.today, credit_code),
            aggregate_type="admission",
            aggregate_id=credit_code,
            connection=connection,
        )
    after_lease = utcnow() + policy.lease + timedelta(seconds=1)

    assert await delivery(webank, clock=lambda: after_lease).deliver_due() == 1

    stored = await reload(message)
    assert (stored.status, stored.attempts) == (OutboxStatus.DELIVERED, 2)
    assert_pushed_once(sandbox, stored)
    # The writer, waking up late, finds it delivered and sends nothing.
    assert await delivery(webank).deliver_claimed(message.id) is DeliveryOutcome.ALREADY_DELIVERED


async def test_a_claimed_message_behind_an_older_pending_one_is_released_to_go_in_order(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    calls = CallLog(sandbox)
    credit_code = made_up_credit_code()
    handler_path = f"/v1/suppliers/{credit_code}/handler"
    with bank_down(sandbox):
        push = await enqueue_push(sandbox, credit_code, aggregate_id="admission-2")
        assert await delivery(webank).deliver(push.id) is DeliveryOutcome.PENDING
    outbox = delivery(webank)
    async with in_transaction(bff_db.CONNECTION) as connection:
        handler = await outbox.enqueue_claimed(
            HandlerPush(credit_code, "张三", "13800000000", "zhang@example.com"),
            aggregate_type="admission",
            aggregate_id="admission-2",
            connection=connection,
        )

    assert await outbox.deliver_claimed(handler.id) is DeliveryOutcome.BUSY

    released = await reload(handler)
    assert (released.status, released.attempts, released.locked_until) == (OutboxStatus.PENDING, 0, None)
    assert calls.posts(handler_path) == []
    retry_at = (await reload(push)).next_attempt_at + timedelta(seconds=1)
    later_outbox = delivery(webank, clock=lambda: retry_at)
    assert await later_outbox.deliver_due() + await later_outbox.deliver_due() == 2
    assert (await reload(push)).status is OutboxStatus.DELIVERED
    assert (await reload(handler)).status is OutboxStatus.DELIVERED
    assert len(calls.posts(handler_path)) == 1
