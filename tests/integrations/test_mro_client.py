"""`MroClient` against the sandbox MRO shop: fen, epoch milliseconds, numeric statuses, envelopes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
from upstream_doubles import CannedUpstream

from bff.domain.money import yuan_to_fen
from bff.domain.records import (
    Contract,
    Fulfilment,
    OrderKey,
    OrderRecord,
    OrderSource,
    OrderStatus,
    Statement,
    StatementKind,
)
from bff.errors import UpstreamResponseError
from bff.integrations.mro import MroClient
from bff_sandbox import RunningSandbox
from bff_sandbox.data import MroOrder, Seed

DEMO = "GD-BOTH"

# DESIGN §4: orderStatus 10 待确认, 20 待发货, 30 待收货, 40 已完成, 50 已拒绝, 60 已取消.
STATUS_OF_CODE = {
    10: OrderStatus.PENDING_CONFIRMATION,
    20: OrderStatus.PENDING_SHIPMENT,
    30: OrderStatus.PENDING_RECEIPT,
    40: OrderStatus.COMPLETED,
    50: OrderStatus.REJECTED,
    60: OrderStatus.CANCELLED,
}


@pytest.fixture
def mro(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> MroClient:
    return MroClient(http, sandbox.mro_url)


@pytest.fixture
def seed(sandbox: RunningSandbox) -> Seed:
    return sandbox.state.seed


def expected_order(order: MroOrder) -> OrderRecord:
    return OrderRecord(
        key=OrderKey(OrderSource.MRO, str(order.trade_order_id)),
        order_no=order.trade_order_no,
        supplier_code=order.supplier_code,
        status=STATUS_OF_CODE[order.order_status],
        amount=order.pay_amount,
        buyer_name=order.buyer_company_name,
        created_at=order.gmt_create,
        contract=None if order.contract_no is None else Contract(order.contract_no, None, None),
    )


def newest_first(seed: Seed, code: str, status_codes: set[int] | None = None) -> list[MroOrder]:
    return sorted(
        (
            o
            for o in seed.mro_orders
            if o.supplier_code == code and (status_codes is None or o.order_status in status_codes)
        ),
        key=lambda o: (o.gmt_create, o.trade_order_id),
        reverse=True,
    )


def yuan_text_of_fen(fen: int) -> str:
    """What an exact conversion must print, computed with integers only (1234567 → "12345.67")."""
    return f"{fen // 100}.{fen % 100:02d}"


async def test_order_page_is_newest_first_with_exact_amounts_and_utc_times(
    mro: MroClient, seed: Seed
) -> None:
    # given
    expected = newest_first(seed, DEMO)

    # when
    page = await mro.order_page(DEMO, None, 1, 50)

    # then
    assert page.total == len(expected) == 32
    assert list(page.orders) == [expected_order(o) for o in expected]
    for order, source in zip(page.orders, expected, strict=True):
        assert str(order.amount) == yuan_text_of_fen(yuan_to_fen(source.pay_amount))
        assert order.created_at.tzinfo is UTC
        assert order.created_at == source.gmt_create
    # the newest two share a timestamp: the higher id comes first
    assert page.orders[0].created_at == page.orders[1].created_at
    assert int(page.orders[0].key.id) > int(page.orders[1].key.id)


@pytest.mark.parametrize(
    ("code", "status"),
    [pytest.param(code, status, id=f"{code}-is-{status.value}") for code, status in STATUS_OF_CODE.items()],
)
async def test_status_codes_map_both_ways(
    mro: MroClient, seed: Seed, sandbox: RunningSandbox, code: int, status: OrderStatus
) -> None:
    # given
    expected = newest_first(seed, DEMO, {code})
    sandbox.state.reset_calls()

    # when
    page = await mro.order_page(DEMO, {status}, 1, 100)

    # then: the filter went out as the numeric code and came back as the internal status
    (call,) = sandbox.state.calls("mro")
    assert f"statusList={code}" in call.query.split("&")
    assert page.total == len(expected) > 0
    assert list(page.orders) == [expected_order(o) for o in expected]
    assert {o.status for o in page.orders} == {status}


async def test_orders_by_id_chunks_more_than_100_ids(
    mro: MroClient, seed: Seed, sandbox: RunningSandbox
) -> None:
    # given: every seeded MRO order, unknown numeric ids and one id MRO could never have
    known = [str(o.trade_order_id) for o in seed.mro_orders]
    assert len(known) < 100
    unknown = [str(990_000 + n) for n in range(130 - len(known))]
    ids = [*unknown[:70], *known[:20], "not-a-number", *unknown[70:], *known[20:]]
    sandbox.state.reset_calls()

    # when
    orders = await mro.orders_by_id(ids)

    # then: 130 numeric ids in two batch calls, the known orders in the order they were asked for
    calls = sandbox.state.calls("mro")
    assert [(c.method, c.path) for c in calls] == [("POST", "/portal/trade-orders/batch")] * 2
    by_id = {str(o.trade_order_id): o for o in seed.mro_orders}
    assert orders == [expected_order(by_id[i]) for i in known]


async def test_contract_is_only_a_number(mro: MroClient, seed: Seed) -> None:
    # given
    with_contract = next(o for o in seed.mro_orders if o.contract_no is not None)
    without = next(o for o in seed.mro_orders if o.contract_no is None)

    # when
    signed, unsigned = await mro.orders_by_id(
        [str(with_contract.trade_order_id), str(without.trade_order_id)]
    )

    # then: amount and signing time are unknown to MRO, never invented
    assert signed.contract == Contract(
        contract_no=str(with_contract.contract_no), amount=None, signed_at=None
    )
    assert unsigned.contract is None


async def test_fulfilment_maps_types_fen_and_epoch_millis(mro: MroClient, seed: Seed) -> None:
    # given: MRO returns the whole history, not a window
    history = next(h for h in seed.mro_fulfilment if h.supplier_code == DEMO)

    # when
    found = await mro.fulfilment(DEMO)

    # then
    assert found == Fulfilment(
        supplier_code=DEMO,
        source=OrderSource.MRO,
        first_fulfilled_at=history.first_fulfilled_at,
        statements=tuple(
            Statement(s.no, OrderSource.MRO, StatementKind(s.kind), s.amount, s.completed_at)
            for s in history.statements
        ),
    )
    assert found is not None
    assert {s.kind for s in found.statements} == set(StatementKind)
    for statement, source in zip(found.statements, history.statements, strict=True):
        assert str(statement.amount) == yuan_text_of_fen(yuan_to_fen(source.amount))
        assert statement.completed_at.utcoffset() == timedelta(0)
    assert found.first_fulfilled_at is not None
    assert found.first_fulfilled_at.tzinfo is UTC


async def test_fulfilment_of_a_known_supplier_without_history(mro: MroClient) -> None:
    assert await mro.fulfilment("HN-MALL") == Fulfilment("HN-MALL", OrderSource.MRO, None, ())


@pytest.mark.parametrize("code", ["XZ-FAR", "NO-SUCH"])
async def test_fulfilment_of_an_unknown_supplier_is_none(mro: MroClient, code: str) -> None:
    # the sandbox answers {"code": 404, "data": null} inside HTTP 200
    assert await mro.fulfilment(code) is None


async def test_order_page_of_a_supplier_without_orders(mro: MroClient) -> None:
    page = await mro.order_page("HN-MALL", None, 1, 50)

    assert (page.total, page.orders) == (0, ())


async def test_error_envelope_raises_upstream_response_error(mro: MroClient) -> None:
    # pageSize above 100 is refused with a non-zero code inside an HTTP 200
    with pytest.raises(UpstreamResponseError) as raised:
        await mro.order_page(DEMO, None, 1, 1000)

    assert (raised.value.system, raised.value.status, raised.value.code) == (
        "mro",
        200,
        "UPSTREAM_UNAVAILABLE",
    )


async def test_fen_and_millis_convert_exactly(http: aiohttp.ClientSession, canned: CannedUpstream) -> None:
    # given: an MRO answer with sub-second precision and a seven-digit fen amount
    order = {
        "tradeOrderId": 7,
        "tradeOrderNo": "MRO7",
        "supplierCode": DEMO,
        "orderStatus": 40,
        "payAmount": 1234567,
        "buyerCompanyName": "中建三局集团有限公司",
        "gmtCreate": 1_700_000_000_123,
        "contractNo": None,
    }
    canned.answer(json.dumps({"code": 0, "msg": "ok", "data": [order]}))

    # when
    (record,) = await MroClient(http, canned.url).orders_by_id(["7"])

    # then
    assert (str(record.amount), record.amount) == ("12345.67", Decimal("12345.67"))
    assert record.created_at == datetime(2023, 11, 14, 22, 13, 20, 123_000, tzinfo=UTC)
    assert record.created_at.tzinfo is UTC
