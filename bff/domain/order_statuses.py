"""Which order statuses each order system has, how the MRO shop's numeric codes map to them, and which
statuses may back an order loan (DESIGN §2, manual §4).

Mall: 待发货 PENDING_SHIPMENT and 处理中 PROCESSING are financeable; MRO: 待发货 PENDING_SHIPMENT and
待收货 PENDING_RECEIPT. Only the mall has PROCESSING, only the MRO shop has PENDING_RECEIPT.
"""

from __future__ import annotations

from bff.domain.records import OrderSource, OrderStatus

MALL_STATUSES = frozenset(
    {
        OrderStatus.PENDING_CONFIRMATION,
        OrderStatus.PENDING_SHIPMENT,
        OrderStatus.PROCESSING,
        OrderStatus.COMPLETED,
        OrderStatus.REJECTED,
        OrderStatus.CANCELLED,
    }
)

MRO_STATUS_BY_CODE = {
    10: OrderStatus.PENDING_CONFIRMATION,
    20: OrderStatus.PENDING_SHIPMENT,
    30: OrderStatus.PENDING_RECEIPT,
    40: OrderStatus.COMPLETED,
    50: OrderStatus.REJECTED,
    60: OrderStatus.CANCELLED,
}
MRO_CODE_BY_STATUS = {status: code for code, status in MRO_STATUS_BY_CODE.items()}
MRO_STATUSES = frozenset(MRO_CODE_BY_STATUS)

STATUSES_BY_SOURCE: dict[OrderSource, frozenset[OrderStatus]] = {
    OrderSource.MALL: MALL_STATUSES,
    OrderSource.MRO: MRO_STATUSES,
}

FINANCEABLE_STATUSES: dict[OrderSource, frozenset[OrderStatus]] = {
    OrderSource.MALL: frozenset({OrderStatus.PENDING_SHIPMENT, OrderStatus.PROCESSING}),
    OrderSource.MRO: frozenset({OrderStatus.PENDING_SHIPMENT, OrderStatus.PENDING_RECEIPT}),
}
