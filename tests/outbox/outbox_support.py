"""Fixtures and helpers of the outbox tests (a uniquely named module, so tests can import the helpers).

The sandbox is shared by the whole session: every push goes out for a made-up supplier whose credit code
no other test uses, and the outage switch is always turned back off.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bff import db
from bff.domain.bank_pushes import SupplierPush, stored_push
from bff.domain.credit_code import check_character
from bff.domain.records import SupplierProfile
from bff.domain.statistics import BusinessStatistics, MonthStatistics
from bff.domain.statuses import AdmissionStatus, EntryPoint
from bff.integrations.http import create_session
from bff.integrations.webank import WebankClient
from bff.models import Admission, Consent, OutboxMessage
from bff.outbox import enqueue, utcnow
from bff_sandbox import RecordedCall, RunningSandbox
from bff_sandbox.data import add_months

SUPPLIER_PUSH_PATH = "/v1/suppliers/push"
_serials = itertools.count(1)


def made_up_credit_code() -> str:
    """A valid credit code of Shanghai (913101…), unique in this test session."""
    first17 = f"91310115MB{next(_serials):07d}"
    return first17 + check_character(first17)


def supplier_push(today: date, credit_code: str, *, months: int = 24) -> SupplierPush:
    """What `/v1/suppliers/push` accepts with 24 months: those ending with the sandbox's current one."""
    first = today.replace(day=1)
    return SupplierPush(
        supplier=SupplierProfile(
            code=f"OUTBOX-{credit_code[-8:]}",
            name="上海出站测试建材有限公司",
            credit_code=credit_code,
            province="上海市",
            city="",
        ),
        statistics=BusinessStatistics(
            months=tuple(
                MonthStatistics(f"{add_months(first, -k):%Y-%m}", Decimal("1200.00"), Decimal("800.50"), 3)
                for k in range(months - 1, -1, -1)
            ),
            buyers=2,
        ),
    )


async def enqueue_push(
    sandbox: RunningSandbox,
    credit_code: str | None = None,
    *,
    aggregate_id: str | None = None,
    months: int = 24,
) -> OutboxMessage:
    """A supplier push written in its own committed transaction, as a mutation would."""
    credit_code = credit_code or made_up_credit_code()
    async with in_transaction(db.CONNECTION) as connection:
        return await enqueue(
            supplier_push(sandbox.state.today, credit_code, months=months),
            aggregate_type="admission",
            aggregate_id=aggregate_id or credit_code,
            connection=connection,
        )


async def create_admission(connection: BaseDBAsyncClient, credit_code: str) -> Admission:
    """An admission just opened (开通), as the mutation writes it."""
    now = utcnow()
    consent = await Consent.create(
        using_db=connection,
        supplier_code=f"OUTBOX-{credit_code[-8:]}",
        agreement_version="2026.1",
        entry_point=EntryPoint.FINTECH_HOME_BANNER,
        agreed_at=now,
        user_id="u-1",
        ip="127.0.0.1",
        user_agent="pytest",
    )
    return await Admission.create(
        using_db=connection,
        supplier_code=consent.supplier_code,
        status=AdmissionStatus.OPENED,
        entry_point=EntryPoint.FINTECH_HOME_BANNER,
        consent=consent,
        agreed_at=now,
        opened_at=now,
        credit_code=credit_code,
    )


async def open_admission(
    sandbox: RunningSandbox, connection: BaseDBAsyncClient, *, months: int = 24
) -> tuple[Admission, OutboxMessage]:
    """开通 on `connection`: the admission is OPENED and its supplier push enqueued, in one transaction."""
    credit_code = made_up_credit_code()
    admission = await create_admission(connection, credit_code)
    message = await enqueue(
        supplier_push(sandbox.state.today, credit_code, months=months),
        aggregate_type="admission",
        aggregate_id=str(admission.id),
        connection=connection,
    )
    return admission, message


async def opened(sandbox: RunningSandbox, *, months: int = 24) -> tuple[Admission, OutboxMessage]:
    """`open_admission` in a committed transaction of its own."""
    async with in_transaction(db.CONNECTION) as connection:
        return await open_admission(sandbox, connection, months=months)


def credit_code_of(message: OutboxMessage) -> str:
    push = stored_push(message.kind, message.payload)
    assert isinstance(push, SupplierPush)
    return push.supplier.credit_code


def later(delta: timedelta) -> datetime:
    return utcnow() + delta


@contextmanager
def bank_down(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.set_webank_down(True)
    try:
        yield
    finally:
        sandbox.state.set_webank_down(False)


class CallLog:
    """The sandbox's WeBank calls made since this object was created."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self._sandbox = sandbox
        self._start = len(sandbox.state.calls("webank"))

    def posts(self, path: str = SUPPLIER_PUSH_PATH) -> list[RecordedCall]:
        calls = self._sandbox.state.calls("webank")[self._start :]
        return [c for c in calls if c.method == "POST" and c.path == path]


def new_session() -> aiohttp.ClientSession:
    return create_session(connect=2.0, read=5.0, total=10.0)


def webank_client(session: aiohttp.ClientSession, sandbox: RunningSandbox) -> WebankClient:
    return WebankClient(session, sandbox.webank_url, app_id=WEBANK_APP_ID, secret=WEBANK_SECRET)


@pytest.fixture
async def webank(sandbox: RunningSandbox) -> AsyncIterator[WebankClient]:
    """A client of the sandbox bank on a session of its own, closed after the test."""
    async with new_session() as session:
        yield webank_client(session, sandbox)
