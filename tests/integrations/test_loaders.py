"""The upstream DataLoaders batch for real: counted as calls the sandbox received.

aiodataloader binds the running loop when a loader is built, so every loader here is built inside its
test, as `get_context` builds them inside a request.
"""

from __future__ import annotations

import asyncio
from datetime import date

import aiohttp
import pytest
from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET
from upstream_doubles import closed_port_url

from bff.domain.records import OrderKey, OrderSource, OrderStatus, SupplierProfile
from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.integrations.mall import MallClient
from bff.integrations.mro import MroClient
from bff.integrations.webank import WebankClient
from bff.loaders.bank import BankLoanByNoLoader, PayoffQuoteLoader
from bff.loaders.orders import OrderByKeyLoader, OrderWindowLoader, OrderWindowRequest
from bff.loaders.suppliers import MallFulfilmentByCodeLoader, MroFulfilmentByCodeLoader, SupplierByCodeLoader
from bff_sandbox import RunningSandbox

DEMO = "GD-BOTH"


@pytest.fixture
def mall(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> MallClient:
    return MallClient(http, sandbox.mall_url)


@pytest.fixture
def mro(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> MroClient:
    return MroClient(http, sandbox.mro_url)


@pytest.fixture
def webank(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> WebankClient:
    return WebankClient(http, sandbox.webank_url, app_id=WEBANK_APP_ID, secret=WEBANK_SECRET)


def call_counts(sandbox: RunningSandbox) -> dict[str, int]:
    calls = sandbox.state.calls()
    return {system: sum(1 for c in calls if c.system == system) for system in ("mall", "mro", "webank")}


async def test_fifty_order_loads_in_one_tick_cost_one_call_per_system(
    mall: MallClient, mro: MroClient, sandbox: RunningSandbox
) -> None:
    # given: 25 mall and 25 MRO keys, known and unknown, and ids that exist only in the other system
    seed = sandbox.state.seed
    mall_ids = [str(o.id) for o in seed.mall_orders[:20]]
    mro_ids = [str(o.trade_order_id) for o in seed.mro_orders[:20]]
    keys = [
        *(OrderKey(OrderSource.MALL, i) for i in mall_ids),
        *(OrderKey(OrderSource.MRO, i) for i in mro_ids),
        *(OrderKey(OrderSource.MALL, i) for i in mro_ids[:3]),
        *(OrderKey(OrderSource.MRO, i) for i in mall_ids[:3]),
        *(OrderKey(OrderSource.MALL, str(900_000 + n)) for n in range(2)),
        *(OrderKey(OrderSource.MRO, str(990_000 + n)) for n in range(2)),
    ]
    assert len(keys) == len(set(keys)) == 50
    loader = OrderByKeyLoader(mall, mro)
    sandbox.state.reset_calls()

    # when
    records = await asyncio.gather(*(loader.load(key) for key in keys))

    # then: one call per system, and every key's own record (or None) in key order
    assert call_counts(sandbox) == {"mall": 1, "mro": 1, "webank": 0}
    order_nos = {OrderKey(OrderSource.MALL, str(o.id)): o.order_no for o in seed.mall_orders} | {
        OrderKey(OrderSource.MRO, str(o.trade_order_id)): o.trade_order_no for o in seed.mro_orders
    }
    assert [(r.key, r.order_no) if r else None for r in records] == [
        (key, order_nos[key]) if key in order_nos else None for key in keys
    ]
    assert records.count(None) == 10


async def test_loading_keys_again_costs_nothing(
    mall: MallClient, mro: MroClient, sandbox: RunningSandbox
) -> None:
    loader = OrderByKeyLoader(mall, mro)
    key = OrderKey(OrderSource.MALL, str(sandbox.state.seed.mall_orders[0].id))
    first = await loader.load(key)
    sandbox.state.reset_calls()

    again = await loader.load(key)

    assert again is first
    assert sandbox.state.calls() == ()


async def test_suppliers_for_five_codes_cost_one_call(mall: MallClient, sandbox: RunningSandbox) -> None:
    # given
    codes = ["GD-BOTH", "HN-MALL", "SX-MRO", "NO-SUCH", "BAD-CREDIT"]
    loader = SupplierByCodeLoader(mall)
    sandbox.state.reset_calls()

    # when
    profiles = await asyncio.gather(*(loader.load(code) for code in codes))

    # then
    (call,) = sandbox.state.calls()
    assert (call.system, call.path) == ("mall", "/api/suppliers")
    seeded = [sandbox.state.seed.supplier(code) for code in codes]
    assert profiles == [
        None if s is None else SupplierProfile(s.code, s.name, s.credit_code, s.province, s.city)
        for s in seeded
    ]
    assert profiles[3] is None


async def test_fulfilment_loaders_one_mall_call_and_one_mro_call_per_code(
    mall: MallClient, mro: MroClient, sandbox: RunningSandbox
) -> None:
    # MRO has no batch endpoint for fulfilment: its loader fans out, all at once
    codes = ["GD-BOTH", "HN-MALL", "XZ-FAR"]
    mall_loader = MallFulfilmentByCodeLoader(mall)
    mro_loader = MroFulfilmentByCodeLoader(mro)
    sandbox.state.reset_calls()

    mall_found, mro_found = await asyncio.gather(
        asyncio.gather(*(mall_loader.load(c) for c in codes)),
        asyncio.gather(*(mro_loader.load(c) for c in codes)),
    )

    assert call_counts(sandbox) == {"mall": 1, "mro": 3, "webank": 0}
    assert [f.supplier_code if f else None for f in mall_found] == codes
    assert [f.supplier_code if f else None for f in mro_found] == ["GD-BOTH", "HN-MALL", None]


async def test_order_windows_read_pages_and_prime_the_order_loader(
    mall: MallClient, mro: MroClient, sandbox: RunningSandbox
) -> None:
    # given: a mall window that straddles two pages and an MRO window filtered by status
    seed = sandbox.state.seed
    orders = OrderByKeyLoader(mall, mro)
    windows = OrderWindowLoader(mall, mro, orders)
    mall_newest = sorted(
        (o for o in seed.mall_orders if o.supplier_code == DEMO),
        key=lambda o: (o.created_at, o.id),
        reverse=True,
    )
    mro_shipping = sorted(
        (o for o in seed.mro_orders if o.supplier_code == DEMO and o.order_status == 20),
        key=lambda o: (o.gmt_create, o.trade_order_id),
        reverse=True,
    )
    sandbox.state.reset_calls()

    # when
    mall_window, mro_window = await asyncio.gather(
        windows.load(OrderWindowRequest(OrderSource.MALL, DEMO, None, offset=5, limit=10)),
        windows.load(
            OrderWindowRequest(OrderSource.MRO, DEMO, frozenset({OrderStatus.PENDING_SHIPMENT}), 0, 50)
        ),
    )

    # then
    assert mall_window.total == len(mall_newest)
    assert [o.key.id for o in mall_window.orders] == [str(o.id) for o in mall_newest[5:15]]
    assert mro_window.total == len(mro_shipping)
    assert [o.key.id for o in mro_window.orders] == [str(o.trade_order_id) for o in mro_shipping]
    assert call_counts(sandbox) == {"mall": 2, "mro": 1, "webank": 0}  # mall pages 1 and 2 of size 10

    # and the orders seen are primed: loading them by key costs nothing
    sandbox.state.reset_calls()
    primed = await asyncio.gather(*(orders.load(o.key) for o in (*mall_window.orders, *mro_window.orders)))
    assert primed == [*mall_window.orders, *mro_window.orders]
    assert sandbox.state.calls() == ()


async def test_a_window_past_the_end_is_short(
    mall: MallClient, mro: MroClient, sandbox: RunningSandbox
) -> None:
    total = sum(1 for o in sandbox.state.seed.mall_orders if o.supplier_code == DEMO)
    windows = OrderWindowLoader(mall, mro, OrderByKeyLoader(mall, mro))

    window = await windows.load(OrderWindowRequest(OrderSource.MALL, DEMO, None, offset=total - 6, limit=10))

    assert (window.total, len(window.orders)) == (total, 6)


async def test_an_upstream_failure_rejects_every_future_of_the_batch(
    http: aiohttp.ClientSession, mro: MroClient, sandbox: RunningSandbox
) -> None:
    # given: the mall is unreachable, the MRO shop is fine
    loader = OrderByKeyLoader(MallClient(http, closed_port_url()), mro)
    keys = [
        OrderKey(OrderSource.MALL, "100001"),
        OrderKey(OrderSource.MRO, "500001"),
        OrderKey(OrderSource.MALL, "1"),
    ]

    # when
    results = await asyncio.gather(*(loader.load(key) for key in keys), return_exceptions=True)

    # then: the batch failed as a whole, with the upstream's error
    assert all(isinstance(r, UpstreamUnavailableError) for r in results), results
    assert {r.system for r in results if isinstance(r, UpstreamUnavailableError)} == {"mall"}


async def test_a_failed_batch_is_not_cached(webank: WebankClient, sandbox: RunningSandbox) -> None:
    # given
    loader = BankLoanByNoLoader(webank)
    sandbox.state.set_webank_down(True)
    try:
        # when the bank is down
        results = await asyncio.gather(loader.load("WBL0001"), loader.load("WBL0002"), return_exceptions=True)
    finally:
        sandbox.state.set_webank_down(False)

    # then both keys failed, and once it is back the same loader asks again
    assert [type(r) for r in results] == [UpstreamUnavailableError, UpstreamUnavailableError]
    sandbox.state.reset_calls()
    loans = await asyncio.gather(loader.load("WBL0001"), loader.load("WBL0002"))
    assert [loan.loan_no if loan else None for loan in loans] == ["WBL0001", "WBL0002"]
    assert len(sandbox.state.calls("webank")) == 1


async def test_payoff_quotes_fan_out_one_call_per_distinct_key(
    webank: WebankClient, sandbox: RunningSandbox
) -> None:
    # WeBank quotes one loan per call: a batch becomes concurrent calls, one per distinct (loan, date)
    loader = PayoffQuoteLoader(webank)
    sandbox.state.reset_calls()

    quotes = await asyncio.gather(
        loader.load(("WBL0001", date(2026, 1, 1))),
        loader.load(("WBL0001", date(2026, 1, 1))),
        loader.load(("WBL0001", date(2026, 1, 2))),
    )

    assert [(c.method, c.path) for c in sandbox.state.calls("webank")] == [
        ("GET", "/v1/loans/WBL0001/payoff")
    ] * 2
    assert quotes[0] is quotes[1]
    assert [q.as_of for q in quotes] == [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2)]


async def test_a_refused_payoff_quote_fails_only_its_own_key(webank: WebankClient) -> None:
    # given: WBL0002 is settled, so the bank refuses to quote it (409)
    loader = PayoffQuoteLoader(webank)

    # when
    disbursed, settled = await asyncio.gather(
        loader.load(("WBL0001", date(2026, 1, 1))),
        loader.load(("WBL0002", date(2026, 1, 1))),
        return_exceptions=True,
    )

    # then: separate calls fail separately
    assert isinstance(settled, UpstreamResponseError)
    assert (settled.system, settled.status) == ("webank", 409)
    assert not isinstance(disbursed, BaseException)
    assert disbursed.as_of == date(2026, 1, 1)


async def test_a_failed_mro_fulfilment_fails_only_its_own_code(mro: MroClient) -> None:
    # given: a code the MRO shop answers with a plain-text 404 page
    loader = MroFulfilmentByCodeLoader(mro)

    # when
    found, broken = await asyncio.gather(
        loader.load(DEMO), loader.load("no/such/route"), return_exceptions=True
    )

    # then
    assert isinstance(broken, UpstreamResponseError)
    assert (broken.system, broken.status) == ("mro", 404)
    assert not isinstance(found, BaseException)
    assert found is not None
    assert found.supplier_code == DEMO
