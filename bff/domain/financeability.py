"""Which orders may back an order loan, and for how much (DESIGN §2, manual §4).

Mall: 待发货 PENDING_SHIPMENT and 处理中 PROCESSING; MRO: 待发货 PENDING_SHIPMENT and 待收货 PENDING_RECEIPT.
The financeable amount is the order amount × a status-dependent ratio, rounded half-up to the fen, minus
what live loans already finance on that order, never below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bff.domain.money import round_fen
from bff.domain.order_statuses import FINANCEABLE_STATUSES
from bff.domain.records import OrderRecord, OrderSource, OrderStatus

MALL_REFUSAL = "请勾选待发货、处理中的订单发起贷款申请，其他状态的订单不能发起贷款申请。"
MRO_REFUSAL = "请勾选待发货、待收货的订单发起贷款申请，其他状态的订单不能发起贷款申请。"


@dataclass(frozen=True, slots=True)
class FinancingRatios:
    pending_shipment: Decimal = Decimal("0.5")
    processing: Decimal = Decimal("0.8")
    pending_receipt: Decimal = Decimal("0.8")

    def for_status(self, status: OrderStatus) -> Decimal:
        return {
            OrderStatus.PENDING_SHIPMENT: self.pending_shipment,
            OrderStatus.PROCESSING: self.processing,
            OrderStatus.PENDING_RECEIPT: self.pending_receipt,
        }.get(status, Decimal(0))


def is_financeable(order: OrderRecord) -> bool:
    return order.status in FINANCEABLE_STATUSES[order.source]


def financeable_amount(order: OrderRecord, ratios: FinancingRatios, already_financed: Decimal) -> Decimal:
    if not is_financeable(order):
        return Decimal("0.00")
    gross = round_fen(order.amount * ratios.for_status(order.status))
    return max(gross - already_financed, Decimal("0.00"))


def refusal_message(sources: set[OrderSource]) -> str:
    """The manual's wording; an MRO-only selection names MRO's statuses (the manual repeats the mall's)."""
    return MRO_REFUSAL if sources == {OrderSource.MRO} else MALL_REFUSAL


@dataclass(frozen=True, slots=True)
class FinancingLine:
    """One selected order and what it can still back."""

    order: OrderRecord
    financed: Decimal
    financeable: Decimal


@dataclass(frozen=True, slots=True)
class FinancingQuote:
    lines: tuple[FinancingLine, ...]
    financeable_total: Decimal
    available_limit: Decimal
    ceiling: Decimal


def status_refusal(orders: list[OrderRecord]) -> str | None:
    """The manual's refusal when any selected order's status is not financeable; the whole selection fails."""
    if all(is_financeable(order) for order in orders):
        return None
    return refusal_message({order.source for order in orders})


def quote(
    orders: list[tuple[OrderRecord, Decimal]], ratios: FinancingRatios, available_limit: Decimal
) -> FinancingQuote:
    """Per-order financeable amounts and the application's ceiling: min(their sum, the available limit)."""
    lines = tuple(
        FinancingLine(order=order, financed=financed, financeable=financeable_amount(order, ratios, financed))
        for order, financed in orders
    )
    total = sum((line.financeable for line in lines), Decimal("0.00"))
    available = max(available_limit, Decimal("0.00"))
    return FinancingQuote(
        lines=lines, financeable_total=total, available_limit=available, ceiling=min(total, available)
    )
