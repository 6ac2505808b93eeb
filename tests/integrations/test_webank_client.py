"""`WebankClient` against the sandbox bank: signatures, request ids, batches, exact money.

The sandbox is shared by the whole session, so pushes go out for a made-up supplier whose credit code no
other test uses, and the outage switch is always turned back off.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs

import aiohttp
import pytest
from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET
from upstream_doubles import CannedUpstream

from bff.domain.bank_pushes import HandlerPush, OrdersPush, PushedOrder, SupplierPush
from bff.domain.bank_records import (
    BankDocument,
    BankLimit,
    BankLoan,
    BankRepayment,
    HandlerPushResult,
    OrderPushResult,
    PayoffQuote,
    PlanItem,
    SupplierPushResult,
)
from bff.domain.credit_code import check_character
from bff.domain.records import Contract, OrderSource, OrderStatus, SupplierProfile
from bff.domain.statistics import BusinessStatistics, MonthStatistics
from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.integrations.webank import WebankClient
from bff_sandbox import CreditLimit, Installment, Loan, RunningSandbox, statements
from bff_sandbox.data import add_months


def made_up_credit_code(serial: int) -> str:
    """A valid credit code no seeded supplier has: 91, Beijing's division code, organisation MA0…"""
    first17 = f"91110000MA{serial:07d}"
    return first17 + check_character(first17)


CREDIT_CODE = made_up_credit_code(1)


@pytest.fixture
def webank(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> WebankClient:
    return WebankClient(http, sandbox.webank_url, app_id=WEBANK_APP_ID, secret=WEBANK_SECRET)


@pytest.fixture
def bank_down(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.set_webank_down(True)
    try:
        yield
    finally:
        sandbox.state.set_webank_down(False)


def request_id() -> str:
    return f"test-{uuid.uuid4()}"


def supplier_push(today: date, credit_code: str = CREDIT_CODE) -> SupplierPush:
    months = [f"{add_months(today.replace(day=1), -k):%Y-%m}" for k in range(23, -1, -1)]
    return SupplierPush(
        supplier=SupplierProfile("TEST-BANK", "北京测试建材有限公司", credit_code, "北京市", ""),
        statistics=BusinessStatistics(
            months=tuple(MonthStatistics(m, Decimal("1000.50"), Decimal("800.25"), 2) for m in months),
            buyers=3,
        ),
    )


def orders_push(credit_code: str = CREDIT_CODE) -> OrdersPush:
    return OrdersPush(
        credit_code=credit_code,
        orders=(
            PushedOrder(
                order_no="CG-TEST-1",
                source=OrderSource.MALL,
                status=OrderStatus.PENDING_SHIPMENT,
                amount=Decimal("10919.48"),
                financeable_amount=Decimal("5459.74"),
                buyer_name="中建三局集团有限公司",
                contract=None,
            ),
        ),
    )


def handler_push(credit_code: str = CREDIT_CODE) -> HandlerPush:
    return HandlerPush(credit_code, "张三", "13800000000", "zs@example.com")


def expected_item(loan: Loan, item: Installment) -> PlanItem:
    """A seeded installment: a PAID one with what the repayment that paid it took, and when."""
    paying = next((r for r in loan.repayments if item.period in r.periods), None)
    paid = item.status == "PAID" and paying is not None
    return PlanItem(
        item.period,
        item.due_date,
        item.principal,
        item.interest,
        item.status,
        penalty=item.penalty,
        paid_amount=item.principal + item.interest if paid else None,
        paid_at=paying.paid_at if paid and paying is not None else None,
    )


def expected_loan(loan: Loan, webank_url: str) -> BankLoan:
    return BankLoan(
        loan_no=loan.loan_no,
        credit_code=loan.credit_code,
        kind=loan.kind,
        status=loan.status,
        amount=loan.amount,
        outstanding_principal=loan.outstanding_principal,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        plan=tuple(expected_item(loan, i) for i in loan.plan),
        documents=tuple(
            BankDocument(d.doc_id, d.kind, d.title, loan.loan_no, d.period, d.issued_at)
            for d in statements.loan_documents(loan)
        ),
        repayments=tuple(
            BankRepayment(r.repayment_no, r.kind, r.principal, r.interest, r.penalty, r.paid_at)
            for r in loan.repayments
        ),
        repayment_method=loan.method,
        applied_at=loan.applied_at,
        disbursed_at=loan.disbursed_at,
        # the moment of the repayment that paid it off
        settled_at=loan.repayments[-1].paid_at if loan.status == "SETTLED" else None,
        failure_reason=loan.failure_reason,
    )


def seeded_loan(sandbox: RunningSandbox, loan_no: str) -> Loan:
    loan = sandbox.state.loan(loan_no)
    assert loan is not None
    return loan


@pytest.mark.parametrize(
    ("app_id", "secret"),
    [
        pytest.param(WEBANK_APP_ID, "not-the-secret", id="wrong-secret"),
        pytest.param("someone-else", WEBANK_SECRET, id="wrong-app-id"),
    ],
)
async def test_a_wrongly_signed_get_is_refused_with_401(
    http: aiohttp.ClientSession, sandbox: RunningSandbox, app_id: str, secret: str
) -> None:
    client = WebankClient(http, sandbox.webank_url, app_id=app_id, secret=secret)

    with pytest.raises(UpstreamResponseError) as raised:
        await client.limit(CREDIT_CODE)

    assert (raised.value.system, raised.value.status) == ("webank", 401)


async def test_a_wrongly_signed_push_is_refused_and_changes_nothing(
    http: aiohttp.ClientSession, sandbox: RunningSandbox
) -> None:
    client = WebankClient(http, sandbox.webank_url, app_id=WEBANK_APP_ID, secret="not-the-secret")
    rid = request_id()

    with pytest.raises(UpstreamResponseError) as raised:
        await client.push_supplier(supplier_push(sandbox.state.today), request_id=rid)

    assert raised.value.status == 401
    assert [p for p in sandbox.state.supplier_pushes() if p.request_id == rid] == []


async def test_repeating_a_request_id_repeats_the_answer_and_pushes_once(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    # given
    push = supplier_push(sandbox.state.today)
    rid = request_id()

    # when: `push` is what the outbox calls; it dispatches on the push's type
    first = await webank.push(push, request_id=rid)
    again = await webank.push_supplier(push, request_id=rid)
    other = await webank.push_supplier(push, request_id=request_id())

    # then
    assert isinstance(first, SupplierPushResult)
    assert again == first
    assert other.apply_no != first.apply_no
    assert first.register_url == f"{sandbox.webank_url}/pages/register?apply_no={first.apply_no}"
    (push,) = [p for p in sandbox.state.supplier_pushes(CREDIT_CODE) if p.request_id == rid]
    assert push.apply_no == first.apply_no
    assert (push.supplier.credit_code, push.buyers, len(push.months)) == (CREDIT_CODE, 3, 24)
    assert {(m.order_amount, m.settled_amount, m.order_count) for m in push.months} == {
        (Decimal("1000.50"), Decimal("800.25"), 2)
    }


async def test_handler_orders_and_financing_url_after_a_push(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    # given
    pushed = await webank.push_supplier(supplier_push(sandbox.state.today), request_id=request_id())

    # when: through `push`, as the outbox delivers them
    handled = await webank.push(handler_push(), request_id=request_id())
    batch = await webank.push(orders_push(), request_id=request_id())
    financing_url = await webank.credit_financing_url(CREDIT_CODE)

    # then
    assert handled == HandlerPushResult(f"{sandbox.webank_url}/pages/register?apply_no={pushed.apply_no}")
    assert isinstance(batch, OrderPushResult)
    application = sandbox.state.latest_application(CREDIT_CODE)
    assert application is not None
    assert application.handler is not None
    assert (application.handler.name, application.handler.phone) == ("张三", "13800000000")
    assert batch.financing_url == f"{sandbox.webank_url}/pages/financing?batch_no={batch.batch_no}"
    (recorded,) = [b for b in sandbox.state.order_batches(CREDIT_CODE) if b.batch_no == batch.batch_no]
    assert [(o.order_no, o.amount, o.financeable_amount) for o in recorded.orders] == [
        ("CG-TEST-1", Decimal("10919.48"), Decimal("5459.74"))
    ]
    assert financing_url == f"{sandbox.webank_url}/pages/credit-financing?credit_code={CREDIT_CODE}"


async def test_limit_maps_exact_ratios_and_dates(webank: WebankClient, sandbox: RunningSandbox) -> None:
    # given
    approved_code = made_up_credit_code(2)
    sandbox.state.set_limit(
        approved_code,
        CreditLimit("APPROVED", Decimal("500000.00"), Decimal("0.4"), Decimal("0.6"), date(2027, 3, 31)),
    )

    # when
    unknown = await webank.limit(made_up_credit_code(3))
    approved = await webank.limit(approved_code)

    # then
    assert unknown == BankLimit("NONE", None, None, None, None, None)
    assert approved == BankLimit(
        "APPROVED", Decimal("500000.00"), Decimal("0.4"), Decimal("0.6"), date(2027, 3, 31), None
    )
    assert approved.total is not None
    assert str(approved.total) == "500000.00"


async def test_loans_batch_maps_the_seeded_loans(webank: WebankClient, sandbox: RunningSandbox) -> None:
    # when
    loans = await webank.loans(["WBL0001", "NO-SUCH-LOAN", "WBL0002"])

    # then
    assert loans == [
        expected_loan(seeded_loan(sandbox, "WBL0001"), sandbox.webank_url),
        expected_loan(seeded_loan(sandbox, "WBL0002"), sandbox.webank_url),
    ]
    order_loan = loans[0]
    assert (order_loan.kind, order_loan.status, order_loan.term_months) == ("ORDER", "DISBURSED", 6)
    assert str(order_loan.annual_rate) == "0.0720"
    assert sum((i.principal for i in order_loan.plan), Decimal(0)) == order_loan.amount
    assert order_loan.outstanding_principal == order_loan.amount - sum(
        (i.principal for i in order_loan.plan if i.status == "PAID"), Decimal(0)
    )


async def test_supplier_loans_lists_every_loan_of_the_enterprise_with_its_repayments(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    # given: the demo supplier's credit code (the seeded loans are its), and one the bank never lent to
    gd_both = seeded_loan(sandbox, "WBL0001").credit_code

    # when
    loans = await webank.supplier_loans(gd_both)
    none = await webank.supplier_loans(CREDIT_CODE)

    # then
    assert loans == [
        expected_loan(seeded_loan(sandbox, "WBL0001"), sandbox.webank_url),
        expected_loan(seeded_loan(sandbox, "WBL0002"), sandbox.webank_url),
    ]
    assert none == []
    order_loan, credit_loan = loans
    assert [(r.repayment_no, str(r.principal)) for r in order_loan.repayments] == [
        ("WBR0001", "16666.67"),
        ("WBR0002", "16666.67"),
    ]
    assert order_loan.outstanding_principal == order_loan.amount - sum(
        (r.principal for r in order_loan.repayments), Decimal(0)
    )
    assert all(r.paid_at.utcoffset() == timedelta(hours=8) for r in order_loan.repayments)
    assert credit_loan.settled_at is not None
    assert (order_loan.batch_no, order_loan.order_nos) == (None, ())


async def test_more_than_100_loan_numbers_are_chunked(webank: WebankClient, sandbox: RunningSandbox) -> None:
    # given: 201 numbers, the second seeded loan alone in the third chunk
    loan_nos = ["WBL0001", *(f"NO-SUCH-{n:03d}" for n in range(199)), "WBL0002"]
    sandbox.state.reset_calls()

    # when
    loans = await webank.loans(loan_nos)

    # then
    calls = sandbox.state.calls("webank")
    assert [(c.method, c.path) for c in calls] == [("GET", "/v1/loans")] * 3
    assert [len(parse_qs(c.query)["loan_nos"][0].split(",")) for c in calls] == [100, 100, 1]
    assert [loan.loan_no for loan in loans] == ["WBL0001", "WBL0002"]


async def test_payoff_quote_is_exact(webank: WebankClient, sandbox: RunningSandbox) -> None:
    # given: simple interest, actual/360, on the outstanding principal since the last due date
    loan = seeded_loan(sandbox, "WBL0001")
    last_due = max(i.due_date for i in loan.plan if i.due_date <= sandbox.state.today)
    day = last_due + timedelta(days=17)
    interest = (loan.outstanding_principal * loan.annual_rate * 17 / 360).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )

    # when
    quote = await webank.payoff("WBL0001", day)

    # then
    assert quote == PayoffQuote(
        as_of=day,
        principal=loan.outstanding_principal,
        interest=interest,
        fee=Decimal("0.00"),
        total=loan.outstanding_principal + interest,
    )
    assert interest > 0
    assert [str(v) for v in (quote.principal, quote.fee)] == [str(loan.outstanding_principal), "0.00"]
    assert str(quote.total) == str((loan.outstanding_principal + interest).quantize(Decimal("0.01")))


async def test_payoff_of_a_settled_loan_is_refused(webank: WebankClient) -> None:
    with pytest.raises(UpstreamResponseError) as raised:
        await webank.payoff("WBL0002", date(2026, 1, 1))

    assert (raised.value.system, raised.value.status) == ("webank", 409)


async def test_repayment_url(webank: WebankClient, sandbox: RunningSandbox) -> None:
    url = await webank.repayment_url("WBL0001", "EARLY_SETTLEMENT")

    assert url == f"{sandbox.webank_url}/pages/repayment?loan_no=WBL0001&kind=EARLY_SETTLEMENT"


@pytest.mark.usefixtures("bank_down")
async def test_outage_is_upstream_unavailable(webank: WebankClient, sandbox: RunningSandbox) -> None:
    rid = request_id()

    with pytest.raises(UpstreamUnavailableError) as on_get:
        await webank.loans(["WBL0001"])
    with pytest.raises(UpstreamUnavailableError) as on_post:
        await webank.push_supplier(supplier_push(sandbox.state.today), request_id=rid)

    assert (on_get.value.system, on_post.value.system) == ("webank", "webank")
    assert on_get.value.code == "UPSTREAM_UNAVAILABLE"
    assert [p for p in sandbox.state.supplier_pushes() if p.request_id == rid] == []


# --- the wire: exactly the bytes the bank has always been sent --------------------------------------------

CANNED_ANSWER = (
    '{"apply_no":"WBA1","register_url":"https://bank/r","batch_no":"B1","financing_url":"https://bank/f"}'
)
SIGNED_AT = datetime(2025, 12, 31, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def wire_test_pushes() -> list[tuple[object, str, str]]:
    """(push, request line, body) with the bodies the resolvers built by hand before pushes were typed."""
    supplier = SupplierPush(
        SupplierProfile("GD-BOTH", "广东测试建材有限公司", CREDIT_CODE, "广东省", "深圳市"),
        BusinessStatistics((MonthStatistics("2026-01", Decimal("1200"), Decimal("800.5"), 3),), buyers=2),
    )
    contract = Contract("HT-1", Decimal("20000"), SIGNED_AT)
    orders = OrdersPush(
        CREDIT_CODE,
        (
            PushedOrder(
                "CG-1",
                OrderSource.MRO,
                OrderStatus.PROCESSING,
                Decimal("100.1"),
                Decimal("50.05"),
                "买方",
                contract,
            ),
            PushedOrder(
                "CG-2",
                OrderSource.MALL,
                OrderStatus.PENDING_RECEIPT,
                Decimal("3"),
                Decimal("2.70"),
                "买方",
                Contract("HT-2", None, None),
            ),
        ),
    )
    return [
        (
            supplier,
            "POST /v1/suppliers/push HTTP/1.1",
            '{"supplier":{"code":"GD-BOTH","name":"广东测试建材有限公司","credit_code":"'
            + CREDIT_CODE
            + '","province":"广东省","city":"深圳市"},"statistics":{"months":[{"month":"2026-01",'
            '"order_amount":"1200.00","settled_amount":"800.50","order_count":3}],"buyers":2}}',
        ),
        (
            handler_push(),
            f"POST /v1/suppliers/{CREDIT_CODE}/handler HTTP/1.1",
            '{"name":"张三","phone":"13800000000","email":"zs@example.com"}',
        ),
        (
            orders,
            "POST /v1/orders/push HTTP/1.1",
            '{"credit_code":"' + CREDIT_CODE + '","orders":[{"order_no":"CG-1","source":"MRO",'
            '"status":"PROCESSING","amount":"100.10","financeable_amount":"50.05","buyer_name":"买方",'
            '"contract":{"contract_no":"HT-1","amount":"20000.00","signed_at":"2025-12-31T09:00:00+08:00"}},'
            '{"order_no":"CG-2","source":"MALL","status":"PENDING_RECEIPT","amount":"3.00",'
            '"financeable_amount":"2.70","buyer_name":"买方","contract":{"contract_no":"HT-2","amount":null,'
            '"signed_at":null}}]}',
        ),
    ]


async def test_each_push_sends_its_path_and_byte_exact_body(
    http: aiohttp.ClientSession, canned: CannedUpstream
) -> None:
    canned.answer(CANNED_ANSWER)
    client = WebankClient(http, canned.url, app_id=WEBANK_APP_ID, secret=WEBANK_SECRET)
    cases = wire_test_pushes()

    for push, _, _ in cases:
        assert isinstance(push, SupplierPush | HandlerPush | OrdersPush)
        await client.push(push, request_id="r-wire")

    assert canned.requests == [line for _, line, _ in cases]
    assert [body.decode() for body in canned.bodies] == [body for _, _, body in cases]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param('{"apply_no":"","register_url":"","batch_no":"","financing_url":""}', id="empty"),
        pytest.param('{"apply_no":1,"register_url":null,"batch_no":2,"financing_url":[]}', id="not-text"),
        pytest.param('{"status":"OK"}', id="missing"),
    ],
)
async def test_an_unusable_push_answer_is_an_upstream_response_error(
    http: aiohttp.ClientSession, canned: CannedUpstream, answer: str
) -> None:
    # A 200 the outbox cannot apply: a typed error (retried like an outage), never a ValueError.
    canned.answer(answer)
    client = WebankClient(http, canned.url, app_id=WEBANK_APP_ID, secret=WEBANK_SECRET)

    for push, line, _ in wire_test_pushes():
        assert isinstance(push, SupplierPush | HandlerPush | OrdersPush)
        with pytest.raises(UpstreamResponseError) as raised:
            await client.push(push, request_id=request_id())
        assert (raised.value.system, raised.value.status) == ("webank", None)
        assert raised.value.message.startswith(f"webank: {line.split()[1]} answered without ")
