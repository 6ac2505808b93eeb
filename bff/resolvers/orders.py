"""The supplier's order list: mall and MRO merged newest first, behind one cursor.

Both upstreams page by number and sort newest first. A cursor records how many orders of each system the
client has consumed plus the position (time, system, id) of the last one. If new orders arrive between
two pages, the offsets shift by the new orders; those (and any order at or before the cursor's position)
are skipped, so a client never sees an order twice. The page may then hold fewer than `first` orders
while `hasNextPage` stays true.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bff.context import Context
from bff.domain.order_statuses import STATUSES_BY_SOURCE
from bff.domain.records import OrderKey, OrderRecord, OrderSource, OrderStatus
from bff.errors import InvalidInputError, UpstreamError
from bff.loaders import OrderWindow, OrderWindowRequest
from bff.resolvers.cursors import (
    NOT_OUR_CURSOR,
    cursor_datetime,
    cursor_int,
    decode_cursor,
    encode_cursor,
    page_size,
)

CURSOR_KIND = "orders"
# Far beyond any supplier's order count; a larger offset in a cursor was written by hand, and would only
# send the upstreams asking for page ten billion.
MAX_OFFSET = 10_000_000


@dataclass(frozen=True, slots=True)
class OrderEdgeRecord:
    order: OrderRecord
    cursor: str


@dataclass(frozen=True, slots=True)
class OrderListPage:
    edges: tuple[OrderEdgeRecord, ...]
    has_next_page: bool
    total_count: int
    unavailable_sources: tuple[OrderSource, ...] = ()


@dataclass(frozen=True, slots=True)
class _Position:
    offsets: dict[OrderSource, int]
    last: tuple[datetime, str, str] | None


def _numeric(order_id: str) -> int:
    # ASCII digits only, and short: `"²".isdigit()` is true but `int("²")` fails, and a cursor may hold
    # a 5,000-digit "id" that `int()` refuses to convert.
    return int(order_id) if order_id.isascii() and order_id.isdigit() and len(order_id) <= 30 else 0


def _sort_key(order: OrderRecord) -> tuple[datetime, str, int, str]:
    """Newest first; ties broken by system then by id, the same way on every page."""
    return (order.created_at, order.source.value, _numeric(order.key.id), order.key.id)


def _is_after_position(order: OrderRecord, last: tuple[datetime, str, str] | None) -> bool:
    if last is None:
        return True
    created_at, source, order_id = last
    return _sort_key(order) < (created_at, source, _numeric(order_id), order_id)


def _decode_position(after: str | None) -> _Position:
    if after is None:
        return _Position(offsets={source: 0 for source in OrderSource}, last=None)
    state = decode_cursor(CURSOR_KIND, after)
    offsets_state, last_state = state.get("o"), state.get("l")
    if not isinstance(offsets_state, dict) or not isinstance(last_state, list) or len(last_state) != 3:
        raise InvalidInputError(NOT_OUR_CURSOR)
    offsets = {
        source: cursor_int(offsets_state.get(source.value), maximum=MAX_OFFSET) for source in OrderSource
    }
    # Compared with upstream times, which carry an offset: a naive time here would fail the comparison.
    created_at, source, order_id = cursor_datetime(last_state[0]), last_state[1], last_state[2]
    if source not in OrderSource.__members__ or not isinstance(order_id, str):
        raise InvalidInputError(NOT_OUR_CURSOR)
    return _Position(offsets=offsets, last=(created_at, source, order_id))


def _encode_position(offsets: dict[OrderSource, int], order: OrderRecord) -> str:
    return encode_cursor(
        CURSOR_KIND,
        {
            "o": {source.value: offset for source, offset in offsets.items()},
            "l": [order.created_at.isoformat(), order.source.value, order.key.id],
        },
    )


def _sources(source: OrderSource | None, statuses: frozenset[OrderStatus] | None) -> list[OrderSource]:
    chosen = [source] if source is not None else list(OrderSource)
    if statuses is None:
        return chosen
    return [s for s in chosen if statuses & STATUSES_BY_SOURCE[s]]


async def list_orders(
    context: Context,
    supplier_code: str,
    *,
    source: OrderSource | None,
    statuses: Iterable[OrderStatus] | None,
    first: int | None,
    after: str | None,
) -> OrderListPage:
    limit = page_size(first)
    wanted = frozenset(statuses) if statuses is not None else None
    position = _decode_position(after)
    sources = _sources(source, wanted)
    requests = [
        OrderWindowRequest(
            source=s,
            supplier_code=supplier_code,
            statuses=None if wanted is None else wanted & STATUSES_BY_SOURCE[s],
            offset=position.offsets[s],
            limit=limit,
        )
        for s in sources
    ]
    answers = await asyncio.gather(
        *(context.loaders.order_windows.load(r) for r in requests), return_exceptions=True
    )
    # One order system down still lists the other's orders, and says which system is missing.
    failed = [
        (request, answer)
        for request, answer in zip(requests, answers, strict=True)
        if isinstance(answer, BaseException)
    ]
    for _, answer in failed:
        if not isinstance(answer, UpstreamError) or len(failed) == len(requests):
            raise answer
    unavailable = tuple(request.source for request, _ in failed)
    requests = [request for request in requests if request.source not in unavailable]
    sources = [source for source in sources if source not in unavailable]
    windows: list[OrderWindow] = [answer for answer in answers if isinstance(answer, OrderWindow)]
    merged = sorted(
        (order for window in windows for order in window.orders),
        key=_sort_key,
        reverse=True,
    )
    totals = {request.source: window.total for request, window in zip(requests, windows, strict=True)}
    window_ends = {
        request.source: request.offset + len(window.orders)
        for request, window in zip(requests, windows, strict=True)
    }
    offsets = dict(position.offsets)
    edges: list[OrderEdgeRecord] = []
    for order in merged:
        if len(edges) == limit:
            break
        offsets[order.source] += 1
        if _is_after_position(order, position.last) and order.supplier_code == supplier_code:
            edges.append(OrderEdgeRecord(order=order, cursor=_encode_position(offsets, order)))
        # Past the end of one system's window, the other system's remaining orders may be older than
        # orders of the first system not read yet: stop rather than mis-order.
        if offsets[order.source] == window_ends[order.source] < totals[order.source]:
            break
    has_next = any(offsets[s] < totals[s] for s in sources)
    return OrderListPage(
        edges=tuple(edges),
        has_next_page=has_next,
        total_count=sum(totals.values()),
        unavailable_sources=unavailable,
    )


async def load_order(context: Context, key: OrderKey) -> OrderRecord | None:
    """An order by key, or None when it does not exist or the viewer may not see it."""
    order = await context.loaders.orders.load(key)
    if order is None or not context.viewer.may_read(order.supplier_code):
        return None
    return order
