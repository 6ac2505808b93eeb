"""Every way an upstream can fail becomes an `UpstreamError`, and nothing from aiohttp slips through.

Unavailable (timeout, refused, hung up, garbage, 5xx) is `UpstreamUnavailableError`; an answer the
adapter cannot read is `UpstreamResponseError`. Real sockets throughout: `CannedUpstream` plays the
upstream that misbehaves.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from upstream_doubles import CannedUpstream, closed_port_url

from bff.domain.bank_pushes import HandlerPush, OrdersPush, PushedOrder, SupplierPush
from bff.domain.records import OrderSource, OrderStatus, SupplierProfile
from bff.domain.statistics import BusinessStatistics, MonthStatistics
from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.integrations.http import create_session, request_json
from bff.integrations.mall import MallClient
from bff.integrations.mro import MroClient
from bff.integrations.webank import WebankClient

Call = Callable[[Any], Awaitable[object]]

SUPPLIER_PUSH = SupplierPush(
    SupplierProfile("GD-BOTH", "广东测试建材有限公司", "91110000MA00000017", "广东省", "深圳市"),
    BusinessStatistics((MonthStatistics("2026-01", Decimal("1.00"), Decimal("0.00"), 1),), buyers=1),
)
HANDLER_PUSH = HandlerPush("91110000MA00000017", "张三", "13800000000", "zs@example.com")
ORDERS_PUSH = OrdersPush(
    "91110000MA00000017",
    (
        PushedOrder(
            "CG1",
            OrderSource.MALL,
            OrderStatus.PENDING_SHIPMENT,
            Decimal("2.00"),
            Decimal("1.00"),
            "买方",
            None,
        ),
    ),
)

# Every public method of every client, called with well-typed arguments (these tests never reach the sandbox).
MALL_CALLS: dict[str, Call] = {
    "suppliers": lambda c: c.suppliers(["GD-BOTH"]),
    "fulfilment": lambda c: c.fulfilment(["GD-BOTH"]),
    "order_page": lambda c: c.order_page("GD-BOTH", None, 1, 10),
    "orders_by_id": lambda c: c.orders_by_id(["100001"]),
}
MRO_CALLS: dict[str, Call] = {
    "fulfilment": lambda c: c.fulfilment("GD-BOTH"),
    "order_page": lambda c: c.order_page("GD-BOTH", None, 1, 10),
    "orders_by_id": lambda c: c.orders_by_id(["500001"]),
}
WEBANK_CALLS: dict[str, Call] = {
    "push": lambda c: c.push(ORDERS_PUSH, request_id="r-push"),
    "push_supplier": lambda c: c.push_supplier(SUPPLIER_PUSH, request_id="r-supplier"),
    "submit_handler": lambda c: c.submit_handler(HANDLER_PUSH, request_id="r-handler"),
    "push_orders": lambda c: c.push_orders(ORDERS_PUSH, request_id="r-orders"),
    "credit_financing_url": lambda c: c.credit_financing_url("91110000MA00000017"),
    "limit": lambda c: c.limit("91110000MA00000017"),
    "loans": lambda c: c.loans(["WBL0001"]),
    "supplier_loans": lambda c: c.supplier_loans("91110000MA00000017"),
    "payoff": lambda c: c.payoff("WBL0001", date(2026, 1, 1)),
    "repayment_url": lambda c: c.repayment_url("WBL0001", "INSTALLMENT"),
    "accounts": lambda c: c.accounts("91110000MA00000017"),
    "transactions": lambda c: c.transactions(
        "91110000MA00000017", date(2026, 1, 1), date(2026, 1, 31), page=1, size=10
    ),
    "documents": lambda c: c.documents("91110000MA00000017"),
    "document_pdf": lambda c: read_pdf(c, "D1"),
}


async def read_pdf(client: WebankClient, doc_id: str) -> bytes:
    async with client.document_pdf(doc_id) as response:
        return await response.read()


CLIENTS: dict[str, tuple[type, dict[str, Call]]] = {
    "mall": (MallClient, MALL_CALLS),
    "mro": (MroClient, MRO_CALLS),
    "webank": (WebankClient, WEBANK_CALLS),
}
EVERY_CALL = [
    pytest.param(system, method, id=f"{system}.{method}")
    for system, (_, calls) in CLIENTS.items()
    for method in calls
]


def make_client(system: str, session: aiohttp.ClientSession, base_url: str) -> Any:
    if system == "webank":
        return WebankClient(session, base_url, app_id="app", secret="secret")
    client_class, _ = CLIENTS[system]
    return client_class(session, base_url)


async def call(system: str, method: str, session: aiohttp.ClientSession, base_url: str) -> object:
    return await CLIENTS[system][1][method](make_client(system, session, base_url))


@pytest.mark.parametrize("system", list(CLIENTS))
def test_the_tables_cover_every_public_method(system: str) -> None:
    client_class, calls = CLIENTS[system]
    public = {
        name
        for name in vars(client_class)
        if not name.startswith("_") and callable(getattr(client_class, name))
    }

    assert public == set(calls)


# --- request_json ---------------------------------------------------------------------------------------


async def test_a_refused_connection_is_unavailable(http: aiohttp.ClientSession) -> None:
    with pytest.raises(UpstreamUnavailableError) as raised:
        await request_json(http, "mall", "GET", closed_port_url() + "/api/orders")

    assert raised.value.system == "mall"
    assert "unreachable" in raised.value.message
    assert isinstance(raised.value.__cause__, aiohttp.ClientConnectionError)


async def test_a_read_timeout_is_unavailable(canned: CannedUpstream) -> None:
    # given: an upstream that answers later than the session's read timeout
    canned.delay = 1.0
    session = create_session(connect=1, read=0.2, total=5)

    # when
    try:
        with pytest.raises(UpstreamUnavailableError) as raised:
            await request_json(session, "mro", "GET", canned.url + "/portal/trade-orders")
    finally:
        await session.close()

    # then
    assert raised.value.system == "mro"
    assert "timed out" in raised.value.message
    assert isinstance(raised.value.__cause__, TimeoutError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_is_unavailable_whatever_the_body(
    http: aiohttp.ClientSession, canned: CannedUpstream, status: int
) -> None:
    canned.answer('{"code": "SERVICE_UNAVAILABLE"}', status=status)

    with pytest.raises(UpstreamUnavailableError) as raised:
        await request_json(http, "webank", "GET", canned.url + "/v1/loans")

    assert raised.value.system == "webank"


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        pytest.param("<html>maintenance</html>", 200, "text/html", id="html-200"),
        pytest.param("<html>not found</html>", 404, "text/html", id="html-404"),
        pytest.param('{"orders": [', 200, "application/json", id="truncated-json"),
        pytest.param(b"\xff\xfe{}", 200, "application/json", id="not-utf8"),
        pytest.param("[]", 200, "application/json", id="json-array"),
        pytest.param('"ok"', 200, "application/json", id="json-string"),
        pytest.param("null", 200, "application/json", id="json-null"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_a_response_error(
    http: aiohttp.ClientSession, canned: CannedUpstream, body: str | bytes, status: int, content_type: str
) -> None:
    canned.answer(body, status=status, content_type=content_type)

    with pytest.raises(UpstreamResponseError) as raised:
        await request_json(http, "mall", "GET", canned.url + "/api/orders")

    assert (raised.value.system, raised.value.status) == ("mall", status)


async def test_an_empty_body_is_an_empty_object(http: aiohttp.ClientSession, canned: CannedUpstream) -> None:
    canned.answer(b"", status=200)

    assert await request_json(http, "mall", "GET", canned.url + "/api/orders") == (200, {})


# --- clients against a dead or misbehaving upstream ----------------------------------------------------


def dead(kind: str, canned: CannedUpstream) -> str:
    """Make `canned` misbehave as `kind` and return the base URL to call."""
    if kind == "refused":
        return closed_port_url()
    if kind == "hangs-up":
        canned.raw = b""
    elif kind == "garbage":
        canned.raw = b"SMTP READY\r\n\r\n"
    elif kind == "truncated":
        canned.raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    elif kind == "503":
        canned.answer("<html>busy</html>", status=503, content_type="text/html")
    return canned.url


@pytest.mark.parametrize("kind", ["refused", "hangs-up", "garbage", "truncated", "503"])
@pytest.mark.parametrize(("system", "method"), EVERY_CALL)
async def test_no_aiohttp_exception_escapes_a_dead_upstream(
    http: aiohttp.ClientSession, canned: CannedUpstream, system: str, method: str, kind: str
) -> None:
    base_url = dead(kind, canned)

    with pytest.raises(UpstreamUnavailableError) as raised:
        await call(system, method, http, base_url)

    assert raised.value.system == system
    cause = raised.value.__cause__
    assert cause is None or isinstance(cause, aiohttp.ClientError | TimeoutError)


# --- clients against bodies of the wrong shape ---------------------------------------------------------

MRO_OK_WITHOUT_DATA = {"code": 0, "msg": "ok", "data": None}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty-object"),
        pytest.param({"suppliers": None, "fulfilment": None, "orders": None, "loans": None}, id="null-lists"),
        pytest.param({"code": 0, "msg": "ok", "data": {}}, id="mro-empty-data"),
        pytest.param({"code": 0, "msg": "ok", "data": [{}]}, id="mro-list-of-empty"),
        pytest.param(MRO_OK_WITHOUT_DATA, id="mro-null-data"),
    ],
)
@pytest.mark.parametrize(("system", "method"), EVERY_CALL)
async def test_a_body_missing_keys_is_a_response_error_never_a_key_error(
    http: aiohttp.ClientSession, canned: CannedUpstream, system: str, method: str, body: dict[str, Any]
) -> None:
    canned.answer(json.dumps(body))

    with pytest.raises(UpstreamResponseError) as raised:
        await call(system, method, http, canned.url)

    assert raised.value.system == system


MALL_ORDER: dict[str, Any] = {
    "id": "100001",
    "order_no": "CG1",
    "supplier_code": "GD-BOTH",
    "status": "COMPLETED",
    "amount": "1000.00",
    "buyer_name": "中建三局集团有限公司",
    "created_at": "2026-01-02T10:00:00+08:00",
    "contract": {"contract_no": "HT1", "amount": "1000.00", "signed_at": "2025-12-31T09:00:00+08:00"},
}
MRO_ORDER: dict[str, Any] = {
    "tradeOrderId": 500001,
    "tradeOrderNo": "MRO1",
    "supplierCode": "GD-BOTH",
    "orderStatus": 40,
    "payAmount": 100000,
    "buyerCompanyName": "中建三局集团有限公司",
    "gmtCreate": 1_767_319_200_000,
    "contractNo": "MROHT1",
}
LOAN: dict[str, Any] = {
    "loan_no": "WBL0001",
    "credit_code": "91440300MA5314187G",
    "kind": "ORDER",
    "status": "DISBURSED",
    "amount": "100000.00",
    "outstanding_principal": "66666.66",
    "annual_rate": "0.0720",
    "term_months": 6,
    "plan": [
        {
            "period": 1,
            "due_date": "2026-02-01",
            "principal": "16666.67",
            "interest": "600.00",
            "status": "PAID",
        }
    ],
    "documents": [],
}


def changed(record: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(record)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


def mall_orders(order: dict[str, Any]) -> dict[str, Any]:
    return {"orders": [order]}


def mro_orders(order: dict[str, Any]) -> dict[str, Any]:
    return {"code": 0, "msg": "ok", "data": [order]}


def loans(loan: dict[str, Any]) -> dict[str, Any]:
    return {"loans": [loan]}


@pytest.mark.parametrize(
    ("system", "method", "body"),
    [
        pytest.param("mall", "orders_by_id", mall_orders(MALL_ORDER), id="mall-valid-control"),
        pytest.param("mro", "orders_by_id", mro_orders(MRO_ORDER), id="mro-valid-control"),
        pytest.param("webank", "loans", loans(LOAN), id="webank-valid-control"),
    ],
)
async def test_the_valid_bodies_below_are_readable(
    http: aiohttp.ClientSession, canned: CannedUpstream, system: str, method: str, body: dict[str, Any]
) -> None:
    # the malformed cases differ from these in one value only
    canned.answer(json.dumps(body))

    records = await call(system, method, http, canned.url)

    assert isinstance(records, list)
    assert len(records) == 1


@pytest.mark.parametrize(
    ("system", "method", "body"),
    [
        pytest.param(
            "mall", "orders_by_id", mall_orders(changed(MALL_ORDER, ("amount",), "12.345")), id="mall-sub-fen"
        ),
        pytest.param(
            "mall", "orders_by_id", mall_orders(changed(MALL_ORDER, ("amount",), "NaN")), id="mall-nan"
        ),
        pytest.param(
            "mall", "orders_by_id", mall_orders(changed(MALL_ORDER, ("amount",), 1000.5)), id="mall-float"
        ),
        pytest.param(
            "mall",
            "orders_by_id",
            mall_orders(changed(MALL_ORDER, ("created_at",), "2026-01-02T10:00:00")),
            id="mall-naive-time",
        ),
        pytest.param(
            "mall",
            "orders_by_id",
            mall_orders(changed(MALL_ORDER, ("status",), "PENDING_RECEIPT")),
            id="mall-mro-only-status",
        ),
        pytest.param(
            "mall",
            "orders_by_id",
            mall_orders(changed(MALL_ORDER, ("status",), "LOST")),
            id="mall-unknown-status",
        ),
        pytest.param(
            "mall",
            "orders_by_id",
            mall_orders(changed(MALL_ORDER, ("contract", "signed_at"), 20251231)),
            id="mall-numeric-time",
        ),
        pytest.param("mall", "orders_by_id", {"orders": ["100001"]}, id="mall-item-not-object"),
        pytest.param("mall", "order_page", {"total": "many", "orders": []}, id="mall-total-not-number"),
        pytest.param(
            "mro", "orders_by_id", mro_orders(changed(MRO_ORDER, ("payAmount",), 1000.5)), id="mro-float-fen"
        ),
        pytest.param(
            "mro", "orders_by_id", mro_orders(changed(MRO_ORDER, ("payAmount",), "100000")), id="mro-text-fen"
        ),
        pytest.param(
            "mro",
            "orders_by_id",
            mro_orders(changed(MRO_ORDER, ("orderStatus",), 70)),
            id="mro-unknown-status",
        ),
        pytest.param(
            "mro",
            "orders_by_id",
            mro_orders(changed(MRO_ORDER, ("gmtCreate",), "1767319200000")),
            id="mro-text-millis",
        ),
        pytest.param(
            "mro",
            "orders_by_id",
            mro_orders(changed(MRO_ORDER, ("gmtCreate",), 10**20)),
            id="mro-millis-overflow",
        ),
        pytest.param(
            "mro",
            "orders_by_id",
            mro_orders(changed(MRO_ORDER, ("gmtCreate",), 10**15)),
            id="mro-millis-year-33658",
        ),
        pytest.param(
            "webank",
            "loans",
            loans(changed(LOAN, ("annual_rate",), "seven percent")),
            id="webank-rate-not-decimal",
        ),
        pytest.param(
            "webank", "loans", loans(changed(LOAN, ("annual_rate",), "Infinity")), id="webank-rate-infinite"
        ),
        pytest.param(
            "webank", "loans", loans(changed(LOAN, ("plan", 0, "due_date"), "soon")), id="webank-bad-date"
        ),
        pytest.param(
            "webank",
            "limit",
            {"status": "APPROVED", "total": "1.00", "order_ratio": "forty"},
            id="webank-ratio-not-decimal",
        ),
        pytest.param(
            "webank",
            "payoff",
            {"principal": "1.00", "interest": "0.00", "fee": "0.00", "total": 1.0},
            id="webank-float-total",
        ),
    ],
)
async def test_a_malformed_value_is_a_response_error(
    http: aiohttp.ClientSession, canned: CannedUpstream, system: str, method: str, body: dict[str, Any]
) -> None:
    canned.answer(json.dumps(body))

    with pytest.raises(UpstreamResponseError) as raised:
        await call(system, method, http, canned.url)

    assert raised.value.system == system


async def test_an_mro_envelope_without_data_is_not_an_unknown_supplier(
    http: aiohttp.ClientSession, canned: CannedUpstream
) -> None:
    # only code 404 means "MRO does not know the supplier"; code 0 with no data is a broken answer
    canned.answer(json.dumps(MRO_OK_WITHOUT_DATA))

    with pytest.raises(UpstreamResponseError):
        await MroClient(http, canned.url).fulfilment("GD-BOTH")
