"""DUE_SOON: one notice per installment 5 days before its due date, with a moved clock, restart-safe."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from factories import create_admission, create_loan
from graph_fixtures import Graph

from bff import clock
from bff.domain.bank_records import PlanItem
from bff.due_soon import installments_to_remind, remind_due_soon
from bff.events import InProcessBroker
from bff.models import AdmissionStatus, LoanStatus, Notice, NoticeKind, NoticeMessage

pytestmark = pytest.mark.usefixtures("db")


def item(period: int, due: date, status: str = "PENDING") -> PlanItem:
    return PlanItem(period, due, Decimal("100.00"), Decimal("1.00"), status)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 5, 14), [], id="six-days-before"),
        pytest.param(date(2026, 5, 15), [1], id="five-days-before"),
        pytest.param(date(2026, 5, 20), [1], id="on-the-due-day"),
        pytest.param(date(2026, 5, 21), [], id="after-the-due-day"),
        pytest.param(date(2026, 6, 15), [2], id="the-next-installment"),
    ],
)
def test_which_installments_are_reminded(today: date, expected: list[int]) -> None:
    plan = [item(1, date(2026, 5, 20)), item(2, date(2026, 6, 20)), item(3, date(2026, 5, 18), "PAID")]
    assert [i.period for i in installments_to_remind(plan, today)] == expected


async def test_due_soon_with_a_moved_clock_once_per_installment(graph: Graph) -> None:
    # given: the sandbox bank's seeded loans, mirrored, and a handler to send to
    await create_admission(
        "GD-BOTH",
        status=AdmissionStatus.APPROVED,
        handler_name="张三",
        handler_phone="13800138000",
        handler_email="zhangsan@example.com",
    )
    for loan_no in ("WBL0001", "WBL0002"):
        await create_loan(loan_no, status=LoanStatus.DISBURSED, amount_fen=100_000_00)
    webank = graph.services.upstreams.webank
    plans = {bank.loan_no: bank.plan for bank in await webank.loans(["WBL0001", "WBL0002"])}
    pending = sorted(i.due_date for plan in plans.values() for i in plan if i.status == "PENDING")
    assert pending, "the seeded loans have pending installments"
    first_due = pending[0]
    expected = sum(
        1 for plan in plans.values() for i in installments_to_remind(plan, first_due - timedelta(5))
    )
    broker = InProcessBroker()

    async def pass_on(day: date) -> int:
        # the business day moved to `day`, as the worker reads it
        clock.follow(lambda: (day - datetime.now(clock.SHANGHAI).date()).days)
        try:
            return await remind_due_soon(webank, broker, clock.business_today())
        finally:
            clock.follow(None)

    # when / then: nothing six days before
    assert await pass_on(first_due - timedelta(days=6)) == 0
    # five days before: one notice per installment due then
    assert await pass_on(first_due - timedelta(days=5)) == expected >= 1
    # a second pass (a restarted process) and the following days add none
    assert await pass_on(first_due - timedelta(days=5)) == 0
    assert await pass_on(first_due - timedelta(days=4)) == 0
    notices = await Notice.filter(kind=NoticeKind.DUE_SOON).order_by("id")
    assert len(notices) == expected
    notice = notices[0]
    assert notice.title == "还款提醒"
    assert notice.loan_no in {"WBL0001", "WBL0002"}
    assert f"{first_due.year}年{first_due.month}月{first_due.day}日" in notice.body
    assert "元" in notice.body
    assert await NoticeMessage.filter(notice_id=notice.id).count() == 2
