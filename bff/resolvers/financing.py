"""Order financing (订单贷) and credit financing (信用贷): checks, the application, the hand-over to WeBank.

An order is in at most one open application or live loan: winning an order means inserting its
`OrderClaim` row (UNIQUE per order) in the application's transaction, so of two concurrent applications
sharing an order exactly one commits. Claims are inserted in one global order, sorted by (source, order id),
so two applications holding the same orders in opposite order wait for each other instead of deadlocking;
a deadlock or serialization failure that PostgreSQL still reports (e.g. between the sweeps of expired
applications) is a lost race like the unique violation, answered `ORDER_ALREADY_IN_FINANCING`. Claims of
applications WeBank never turned into a loan are freed when the application expires or is cancelled.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from bff import db
from bff.context import Context
from bff.domain.bank_pushes import OrdersPush, PushedOrder
from bff.domain.financeability import (
    FinancingQuote,
    FinancingRatios,
    OrderFinancingStatus,
    quote,
    status_refusal,
)
from bff.domain.limits import LimitSplit
from bff.domain.money import yuan_to_fen
from bff.domain.records import OrderKey, OrderRecord
from bff.domain.refusals import Refusal, RefusalCode
from bff.domain.statuses import AdmissionStatus, ApplicationStatus
from bff.models import Admission, ApplicationOrder, FinancingApplication, OrderClaim
from bff.resolvers.admission import admission_limit, limit_split
from bff.resolvers.loans import financed_by
from bff.resolvers.order_financing import financing_of_orders
from bff.store import APPLICATION_AGGREGATE, OPEN_APPLICATION_STATUSES, expire_applications, is_lost_race

logger = logging.getLogger("bff.financing")
MAX_ORDERS = 100


@dataclass(slots=True)
class FinancingOutcome:
    quote: FinancingQuote | None = None
    application: FinancingApplication | None = None
    redirect_url: str | None = None
    refusals: list[Refusal] = field(default_factory=list)


def ratios(context: Context) -> FinancingRatios:
    settings = context.settings
    return FinancingRatios(
        pending_shipment=settings.ratio_pending_shipment,
        processing=settings.ratio_processing,
        pending_receipt=settings.ratio_pending_receipt,
    )


def _refuse(code: RefusalCode, message: str, field_name: str | None = "orderIds") -> FinancingOutcome:
    return FinancingOutcome(refusals=[Refusal(code, message, field_name)])


async def _approved_limit(context: Context) -> tuple[Admission, LimitSplit] | None:
    admission = await context.loaders.admissions.load(context.viewer.supplier_code)
    if admission is None or admission.status is not AdmissionStatus.APPROVED:
        return None
    limit = await admission_limit(context, admission)
    if limit is None:
        return None
    return admission, await limit_split(context, limit)


async def _selected_orders(
    context: Context, order_keys: list[OrderKey]
) -> list[OrderRecord] | FinancingOutcome:
    if not order_keys:
        return _refuse(RefusalCode.INVALID_INPUT, "请至少勾选一笔订单。")
    if len(order_keys) > MAX_ORDERS:
        return _refuse(RefusalCode.INVALID_INPUT, f"一次最多勾选{MAX_ORDERS}笔订单。")
    repeated = [key for key, count in Counter(order_keys).items() if count > 1]
    if repeated:
        return _refuse(RefusalCode.INVALID_INPUT, "同一笔订单被重复勾选。")
    found = await context.loaders.orders.load_many(order_keys)
    viewer = context.viewer.supplier_code
    # Another supplier's order reads exactly like an unknown one.
    missing = sum(1 for order in found if order is None or order.supplier_code != viewer)
    if missing:
        return _refuse(RefusalCode.ORDER_NOT_FOUND, f"有{missing}笔订单不存在或不属于本企业。")
    return [order for order in found if order is not None]


async def check_order_financing(context: Context, order_keys: list[OrderKey]) -> FinancingOutcome:
    """Everything `applyForOrderFinancing` checks, without changing anything (`financingPreview`)."""
    orders = await _selected_orders(context, order_keys)
    if isinstance(orders, FinancingOutcome):
        return orders
    message = status_refusal(orders)
    if message is not None:
        return _refuse(RefusalCode.ORDER_STATUS_NOT_FINANCEABLE, message)
    approved = await _approved_limit(context)
    if approved is None:
        return _refuse(RefusalCode.NO_CREDIT_LIMIT, "尚未获得微众银行授信额度，请先完成业务准入。", None)
    _, split = approved
    # The same reads and rule as `Order.financingStatus`, so the preview and the order list agree.
    financing = await financing_of_orders(context, orders)
    result = quote(
        [(order, financed_by(each.loan_lines)) for order, each in zip(orders, financing, strict=True)],
        ratios(context),
        split.order_loan.available,
        [each.status for each in financing],
    )
    if result.available_limit <= 0:
        return FinancingOutcome(
            quote=result,
            refusals=[Refusal(RefusalCode.LIMIT_EXHAUSTED, "订单贷可用额度已用完。", None)],
        )
    busy = [
        order.order_no
        for order, each in zip(orders, financing, strict=True)
        if each.status is not OrderFinancingStatus.NOT_FINANCED
    ]
    if busy:
        return FinancingOutcome(quote=result, refusals=[_already_in_financing(busy)])
    return FinancingOutcome(quote=result)


def _already_in_financing(order_nos: list[str]) -> Refusal:
    names = "、".join(order_nos) or "所选订单"
    return Refusal(
        RefusalCode.ORDER_ALREADY_IN_FINANCING, f"订单{names}已在融资申请或贷款中，不能重复融资。", "orderIds"
    )


async def _orders_in_financing(orders: list[OrderRecord]) -> list[str]:
    """Read afresh (not through the request's loaders) after losing a race: which orders someone holds."""
    claims = await OrderClaim.filter(order_id__in=[o.key.id for o in orders]).prefetch_related("application")
    live = {(claim.source, claim.order_id) for claim in claims if not _expired_claim(claim)}
    return [order.order_no for order in orders if (order.source, order.key.id) in live]


def _expired_claim(claim: OrderClaim) -> bool:
    application = claim.application
    return (
        claim.loan_id is None
        and application is not None
        and application.status in OPEN_APPLICATION_STATUSES
        and application.expires_at <= datetime.now(UTC)
    )


async def apply_for_order_financing(context: Context, order_keys: list[OrderKey]) -> FinancingOutcome:
    checked = await check_order_financing(context, order_keys)
    if checked.refusals or checked.quote is None:
        return checked
    approved = await _approved_limit(context)
    assert approved is not None  # checked above
    admission, _ = approved
    result = checked.quote
    now = datetime.now(UTC)
    try:
        async with in_transaction(db.CONNECTION) as connection:
            await expire_applications(now, connection=connection)
            application = await FinancingApplication.create(
                using_db=connection,
                supplier_code=context.viewer.supplier_code,
                status=ApplicationStatus.PENDING_PUSH,
                ceiling_fen=yuan_to_fen(result.ceiling),
                financeable_total_fen=yuan_to_fen(result.financeable_total),
                expires_at=now + timedelta(hours=context.settings.application_ttl_hours),
            )
            # The claims are the guarantee: a concurrent application holding one of these orders makes this
            # one fail. Taken first and in one global order, so that contenders queue up on the first order
            # they share instead of each holding one the other waits for (a deadlock).
            for key in sorted((line.order.key for line in result.lines), key=_claim_order):
                await OrderClaim.create(
                    using_db=connection, source=key.source, order_id=key.id, application=application
                )
            for line in result.lines:
                await ApplicationOrder.create(
                    using_db=connection,
                    application=application,
                    source=line.order.source,
                    order_id=line.order.key.id,
                    order_no=line.order.order_no,
                    status_at_application=line.order.status,
                    amount_fen=yuan_to_fen(line.order.amount),
                    financeable_fen=yuan_to_fen(line.financeable),
                )
            pushed = await context.services.outbox.enqueue_claimed(
                orders_push(admission.credit_code or "", result),
                aggregate_type=APPLICATION_AGGREGATE,
                aggregate_id=str(application.id),
                connection=connection,
            )
    except Exception as exc:
        if not is_lost_race(exc):
            raise
        logger.info(
            "application of %s lost an order claim to a concurrent one (%s)",
            context.viewer.supplier_code,
            type(exc).__name__,
        )
        busy = await _orders_in_financing([line.order for line in result.lines])
        return FinancingOutcome(quote=result, refusals=[_already_in_financing(busy)])
    await context.services.outbox.deliver_claimed(pushed.id)
    application = await FinancingApplication.get(id=application.id)
    return FinancingOutcome(quote=result, application=application, redirect_url=application.financing_url)


def _claim_order(key: OrderKey) -> tuple[str, str]:
    """The one order in which every application takes its claims."""
    return (key.source.value, key.id)


def orders_push(credit_code: str, result: FinancingQuote) -> OrdersPush:
    return OrdersPush(
        credit_code=credit_code,
        orders=tuple(
            PushedOrder(
                order_no=line.order.order_no,
                source=line.order.source,
                status=line.order.status,
                amount=line.order.amount,
                financeable_amount=line.financeable,
                buyer_name=line.order.buyer_name,
                contract=line.order.contract,
            )
            for line in result.lines
        ),
    )


async def apply_for_credit_financing(context: Context) -> FinancingOutcome:
    approved = await _approved_limit(context)
    if approved is None:
        return _refuse(RefusalCode.NO_CREDIT_LIMIT, "尚未获得微众银行授信额度，请先完成业务准入。", None)
    admission, split = approved
    if split.credit_loan.available <= 0:
        return _refuse(RefusalCode.LIMIT_EXHAUSTED, "信用贷可用额度已用完。", None)
    url = await context.loaders.credit_financing_urls.load(admission.credit_code or "")
    return FinancingOutcome(redirect_url=url)


async def load_application(context: Context, application_id: int) -> FinancingApplication | None:
    application = await FinancingApplication.get_or_none(id=application_id)
    if application is None or not context.viewer.may_read(application.supplier_code):
        return None
    return application


async def application_orders(application: FinancingApplication) -> list[ApplicationOrder]:
    return await ApplicationOrder.filter(application_id=application.id).order_by("id")
