"""Which orders may back an order loan, and for how much (DESIGN §2, manual §4).

Mall: 待发货 PENDING_SHIPMENT and 处理中 PROCESSING; MRO: 待发货 PENDING_SHIPMENT and 待收货 PENDING_RECEIPT.
The financeable amount is the order amount × a status-dependent ratio, rounded half-up to the fen, minus
what live loans already finance on that order, never below zero. An order already in financing (an open
application or a live loan, DESIGN §6.2) is not financeable at all: it may back one at a time.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bff.domain.money import round_fen
from bff.domain.order_statuses import FINANCEABLE_STATUSES
from bff.domain.records import OrderRecord, OrderSource, OrderStatus
from bff.domain.statuses import LIVE_LOAN_STATUSES, OPEN_APPLICATION_STATUSES, ApplicationStatus, LoanStatus

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


class OrderFinancingStatus(enum.StrEnum):
    """Whether an order is tied up in financing now."""

    NOT_FINANCED = "NOT_FINANCED"
    APPLYING = "APPLYING"  # claimed by an open (neither expired nor cancelled) application
    FINANCED = "FINANCED"  # backs a PROCESSING, DISBURSED or OVERDUE loan


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """An order's claim row: the application holding it and whether a loan took it over."""

    application_status: ApplicationStatus | None
    application_expires_at: datetime | None
    loan_status: LoanStatus | None


def holds_orders(status: ApplicationStatus, expires_at: datetime, now: datetime) -> bool:
    """An application keeps its orders while it is open and not past its expiry."""
    return status in OPEN_APPLICATION_STATUSES and expires_at > now


def effective_application_status(
    status: ApplicationStatus, expires_at: datetime, now: datetime
) -> ApplicationStatus:
    """What an application is now: an open one past its expiry is EXPIRED before the sweep records it."""
    if status in OPEN_APPLICATION_STATUSES and expires_at <= now:
        return ApplicationStatus.EXPIRED
    return status


def financing_status(
    loan_statuses: Iterable[LoanStatus], claim: ClaimFacts | None, now: datetime
) -> OrderFinancingStatus:
    """From the order's loans and its claim.

    A live loan counts even without a claim: WeBank may make a loan from an application whose claim was
    meanwhile freed (expired, cancelled) and taken by another one; the bank's loan is the fact. A claim
    whose application lapsed but was not swept yet is free: applying sweeps it in its own transaction.
    """
    if any(status in LIVE_LOAN_STATUSES for status in loan_statuses):
        return OrderFinancingStatus.FINANCED
    if claim is None:
        return OrderFinancingStatus.NOT_FINANCED
    if claim.loan_status is not None:
        live = claim.loan_status in LIVE_LOAN_STATUSES
        return OrderFinancingStatus.FINANCED if live else OrderFinancingStatus.NOT_FINANCED
    if (
        claim.application_status is not None
        and claim.application_expires_at is not None
        and holds_orders(claim.application_status, claim.application_expires_at, now)
    ):
        return OrderFinancingStatus.APPLYING
    return OrderFinancingStatus.NOT_FINANCED


def is_financeable(
    order: OrderRecord, status: OrderFinancingStatus = OrderFinancingStatus.NOT_FINANCED
) -> bool:
    """Its status allows an order loan, and it is not in financing already."""
    return status is OrderFinancingStatus.NOT_FINANCED and order.status in FINANCEABLE_STATUSES[order.source]


def financeable_amount(
    order: OrderRecord,
    ratios: FinancingRatios,
    already_financed: Decimal,
    status: OrderFinancingStatus = OrderFinancingStatus.NOT_FINANCED,
) -> Decimal:
    if not is_financeable(order, status):
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
    if all(order.status in FINANCEABLE_STATUSES[order.source] for order in orders):
        return None
    return refusal_message({order.source for order in orders})


def quote(
    orders: list[tuple[OrderRecord, Decimal]],
    ratios: FinancingRatios,
    available_limit: Decimal,
    statuses: Iterable[OrderFinancingStatus] | None = None,
) -> FinancingQuote:
    """Per-order financeable amounts and the application's ceiling: min(their sum, the available limit).

    `statuses` (one per order, NOT_FINANCED if not given): an order in financing can back nothing.
    """
    chosen = list(statuses) if statuses is not None else [OrderFinancingStatus.NOT_FINANCED] * len(orders)
    lines = tuple(
        FinancingLine(
            order=order, financed=financed, financeable=financeable_amount(order, ratios, financed, status)
        )
        for (order, financed), status in zip(orders, chosen, strict=True)
    )
    total = sum((line.financeable for line in lines), Decimal("0.00"))
    available = max(available_limit, Decimal("0.00"))
    return FinancingQuote(
        lines=lines, financeable_total=total, available_limit=available, ceiling=min(total, available)
    )
