"""`MallClient` against the sandbox mall over a real socket: every expectation is derived from the seed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import aiohttp
import pytest

from bff.domain.records import (
    Contract,
    Fulfilment,
    OrderKey,
    OrderRecord,
    OrderSource,
    OrderStatus,
    Statement,
    StatementKind,
    SupplierProfile,
)
from bff.integrations.mall import MallClient
from bff_sandbox import RunningSandbox
from bff_sandbox.data import MallOrder, Seed, first_month_of_window

DEMO = "GD-BOTH"


@pytest.fixture
def mall(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> MallClient:
    return MallClient(http, sandbox.mall_url)


@pytest.fixture
def seed(sandbox: RunningSandbox) -> Seed:
    return sandbox.state.seed


def expected_order(order: MallOrder) -> OrderRecord:
    contract = order.contract
    return OrderRecord(
        key=OrderKey(OrderSource.MALL, str(order.id)),
        order_no=order.order_no,
        supplier_code=order.supplier_code,
        status=OrderStatus(order.status),
        amount=order.amount,
        buyer_name=order.buyer_name,
        created_at=order.created_at,
        contract=None
        if contract is None
        else Contract(contract.contract_no, contract.amount, contract.signed_at),
    )


def newest_first(seed: Seed, code: str, statuses: set[str] | None = None) -> list[MallOrder]:
    return sorted(
        (
            o
            for o in seed.mall_orders
            if o.supplier_code == code and (statuses is None or o.status in statuses)
        ),
        key=lambda o: (o.created_at, o.id),
        reverse=True,
    )


def assert_exact_yuan(amount: Decimal) -> None:
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2, amount


async def test_suppliers_by_codes_leaves_unknown_codes_out(mall: MallClient, seed: Seed) -> None:
    # given
    codes = ["GD-BOTH", "NO-SUCH", "JL-CC", "HN-MALL"]

    # when
    profiles = await mall.suppliers(codes)

    # then
    expected = [seed.supplier(code) for code in ("GD-BOTH", "JL-CC", "HN-MALL")]
    assert profiles == [
        SupplierProfile(s.code, s.name, s.credit_code, s.province, s.city) for s in expected if s is not None
    ]
    assert [p.city for p in profiles] == ["深圳市", "", "长沙"]


async def test_fulfilment_maps_kinds_exact_yuan_and_aware_times(mall: MallClient, seed: Seed) -> None:
    # when
    found = await mall.fulfilment(["GD-BOTH", "NO-SUCH", "SX-MRO"])

    # then: the mall shows the statements of the 24-month window; SX-MRO has a record without history
    since = first_month_of_window(seed.today)
    history = next(h for h in seed.mall_fulfilment if h.supplier_code == DEMO)
    assert found == [
        Fulfilment(
            supplier_code=DEMO,
            source=OrderSource.MALL,
            first_fulfilled_at=history.first_fulfilled_at,
            statements=tuple(
                Statement(s.no, OrderSource.MALL, StatementKind(s.kind), s.amount, s.completed_at)
                for s in history.statements
                if s.completed_at.date() >= since
            ),
        ),
        Fulfilment("SX-MRO", OrderSource.MALL, None, ()),
    ]
    demo = found[0]
    assert len(demo.statements) == len(history.statements) - 1  # the first (36 months ago) is outside
    assert {s.kind for s in demo.statements} == set(StatementKind)
    for statement in demo.statements:
        assert_exact_yuan(statement.amount)
        assert statement.completed_at.utcoffset() == timedelta(hours=8)
    assert demo.first_fulfilled_at is not None
    assert demo.first_fulfilled_at.utcoffset() == timedelta(hours=8)


async def test_order_pages_are_newest_first_with_the_total(mall: MallClient, seed: Seed) -> None:
    # given
    expected = newest_first(seed, DEMO)

    # when
    first = await mall.order_page(DEMO, None, 1, 10)
    second = await mall.order_page(DEMO, None, 2, 10)
    last = await mall.order_page(DEMO, None, 4, 10)

    # then
    assert first.total == second.total == last.total == len(expected) == 36
    assert list(first.orders) == [expected_order(o) for o in expected[:10]]
    assert list(second.orders) == [expected_order(o) for o in expected[10:20]]
    assert list(last.orders) == [expected_order(o) for o in expected[30:]]
    # the newest two share a timestamp: the higher id comes first
    assert first.orders[0].created_at == first.orders[1].created_at
    assert int(first.orders[0].key.id) > int(first.orders[1].key.id)
    for order in first.orders:
        assert_exact_yuan(order.amount)
        assert order.created_at.tzinfo is not None


async def test_order_page_filters_by_status(mall: MallClient, seed: Seed, sandbox: RunningSandbox) -> None:
    # given
    wanted = {OrderStatus.PROCESSING, OrderStatus.PENDING_SHIPMENT}
    expected = newest_first(seed, DEMO, {s.value for s in wanted})
    sandbox.state.reset_calls()

    # when
    page = await mall.order_page(DEMO, wanted, 1, 100)

    # then
    assert page.total == len(expected) > 0
    assert list(page.orders) == [expected_order(o) for o in expected]
    (call,) = sandbox.state.calls("mall")
    assert "status=PENDING_SHIPMENT,PROCESSING" in call.query


async def test_order_page_of_a_supplier_without_orders(mall: MallClient) -> None:
    page = await mall.order_page("SX-MRO", None, 1, 50)

    assert (page.total, page.orders) == (0, ())


async def test_orders_by_id_chunks_more_than_100_ids(
    mall: MallClient, seed: Seed, sandbox: RunningSandbox
) -> None:
    # given: every seeded mall order with unknown ids mixed in, known ids on both sides of the boundary
    known = [str(o.id) for o in seed.mall_orders]
    assert len(known) < 100  # the seed is smaller than a chunk: pad with unknown ids
    unknown = [str(900_000 + n) for n in range(130 - len(known))]
    ids = [*unknown[:60], *known[:40], *unknown[60:], *known[40:]]
    assert len(ids) == 130
    sandbox.state.reset_calls()

    # when
    orders = await mall.orders_by_id(ids)

    # then: two calls of 100 and 30 ids, and the known orders in the order they were asked for
    calls = sandbox.state.calls("mall")
    assert [(c.method, c.path) for c in calls] == [("GET", "/api/orders")] * 2
    assert [len(c.query.removeprefix("ids=").split(",")) for c in calls] == [100, 30]
    by_id = {str(o.id): o for o in seed.mall_orders}
    assert orders == [expected_order(by_id[i]) for i in known]


async def test_orders_by_id_with_no_ids_calls_nothing(mall: MallClient, sandbox: RunningSandbox) -> None:
    sandbox.state.reset_calls()

    assert await mall.orders_by_id([]) == []
    assert sandbox.state.calls("mall") == ()


async def test_contracts_map_including_null(mall: MallClient, seed: Seed) -> None:
    # given
    with_contract = next(o for o in seed.mall_orders if o.contract is not None)
    without = next(o for o in seed.mall_orders if o.contract is None)

    # when
    signed, unsigned = await mall.orders_by_id([str(with_contract.id), str(without.id)])

    # then
    assert with_contract.contract is not None
    assert signed.contract == Contract(
        with_contract.contract.contract_no, with_contract.contract.amount, with_contract.contract.signed_at
    )
    assert signed.contract.amount is not None
    assert_exact_yuan(signed.contract.amount)
    assert signed.contract.signed_at is not None
    assert signed.contract.signed_at.utcoffset() == timedelta(hours=8)
    assert unsigned.contract is None
    assert unsigned.key == OrderKey(OrderSource.MALL, str(without.id))
