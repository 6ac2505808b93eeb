"""Orders from both order systems: by key (one call per system per batch) and as list windows."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from bff.domain.records import OrderKey, OrderPage, OrderRecord, OrderSource, OrderStatus
from bff.integrations.mall import MallClient
from bff.integrations.mro import MroClient
from bff.loaders.per_key import PerKeyLoader

MAX_WINDOW = 100


class OrderByKeyLoader(DataLoader[OrderKey, OrderRecord | None]):
    def __init__(self, mall: MallClient, mro: MroClient) -> None:
        super().__init__()
        self._mall = mall
        self._mro = mro

    async def batch_load_fn(self, keys: list[OrderKey]) -> list[OrderRecord | None]:
        mall_ids = [key.id for key in keys if key.source is OrderSource.MALL]
        mro_ids = [key.id for key in keys if key.source is OrderSource.MRO]
        mall_orders, mro_orders = await asyncio.gather(
            self._mall.orders_by_id(mall_ids) if mall_ids else _nothing(),
            self._mro.orders_by_id(mro_ids) if mro_ids else _nothing(),
        )
        found = {order.key: order for order in (*mall_orders, *mro_orders)}
        return [found.get(key) for key in keys]


@dataclass(frozen=True, slots=True)
class OrderWindowRequest:
    """Orders [offset, offset + limit) of one system's newest-first list for a supplier."""

    source: OrderSource
    supplier_code: str
    statuses: frozenset[OrderStatus] | None
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class OrderWindow:
    total: int
    orders: tuple[OrderRecord, ...]


class OrderWindowLoader(PerKeyLoader[OrderWindowRequest, OrderWindow]):
    """Reads list windows with page-number upstream calls; primes `OrderByKeyLoader` with what it sees.

    Each window fails on its own: with the MRO shop down, the mall's window still loads.
    """

    def __init__(self, mall: MallClient, mro: MroClient, orders: OrderByKeyLoader) -> None:
        super().__init__()
        self._mall = mall
        self._mro = mro
        self._orders = orders

    async def load_one(self, key: OrderWindowRequest) -> OrderWindow:
        window = await self._window(key)
        for order in window.orders:
            self._orders.prime(order.key, order)
        return window

    async def _window(self, request: OrderWindowRequest) -> OrderWindow:
        size = max(1, min(request.limit, MAX_WINDOW))
        first_page = request.offset // size + 1
        last_page = (request.offset + size - 1) // size + 1
        client = self._mall if request.source is OrderSource.MALL else self._mro
        pages: Sequence[OrderPage] = await asyncio.gather(
            *(
                client.order_page(request.supplier_code, request.statuses, page, size)
                for page in range(first_page, last_page + 1)
            )
        )
        rows = [order for page in pages for order in page.orders]
        skip = request.offset - (first_page - 1) * size
        return OrderWindow(total=pages[0].total, orders=tuple(rows[skip : skip + request.limit]))


async def _nothing() -> list[OrderRecord]:
    return []
