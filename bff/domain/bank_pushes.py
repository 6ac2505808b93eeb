"""The pushes to WeBank as data: what a mutation tells the bank, and how the outbox keeps it meanwhile.

A mutation creates a push and enqueues it with the state change it announces; the outbox stores its
`kind` and its `stored_fields` and, on delivery, reads it back with `stored_push` and hands it to
`WebankClient.push`. Only the client knows the bank's paths and wire bodies, so the stored form is the
push's own fields (amounts as exact yuan strings, times in ISO 8601), whatever the wire looks like.
What the bank answers are the results in `bff.domain.bank_records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from bff.domain.bank_records import HandlerPushResult, OrderPushResult, SupplierPushResult
from bff.domain.money import InvalidAmountError, format_yuan, parse_yuan
from bff.domain.records import Contract, OrderSource, OrderStatus, SupplierProfile
from bff.domain.statistics import BusinessStatistics, MonthStatistics


@dataclass(frozen=True, slots=True)
class SupplierPush:
    """开通: the supplier (region already in official spelling) and its 24-month business statistics."""

    kind: ClassVar[str] = "supplier.push"
    supplier: SupplierProfile
    statistics: BusinessStatistics


@dataclass(frozen=True, slots=True)
class HandlerPush:
    """The 经办人 form of the supplier with `credit_code`, pushed after its supplier push."""

    kind: ClassVar[str] = "supplier.handler"
    credit_code: str
    name: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class PushedOrder:
    order_no: str
    source: OrderSource
    status: OrderStatus
    amount: Decimal
    financeable_amount: Decimal
    buyer_name: str
    contract: Contract | None


@dataclass(frozen=True, slots=True)
class OrdersPush:
    """The orders of one order-financing application (订单贷), handed over to the bank."""

    kind: ClassVar[str] = "orders.push"
    credit_code: str
    orders: tuple[PushedOrder, ...]


WebankPush = SupplierPush | HandlerPush | OrdersPush
PushResult = SupplierPushResult | HandlerPushResult | OrderPushResult
PUSH_KINDS = (SupplierPush.kind, HandlerPush.kind, OrdersPush.kind)


class UnreadablePushError(Exception):
    """A stored push this code cannot read (unknown kind, missing or malformed field): it can never be sent."""


# --- storing ---------------------------------------------------------------------------------------------


def stored_fields(push: WebankPush) -> dict[str, Any]:
    """The push as JSON for the outbox; `stored_push(push.kind, stored_fields(push)) == push`."""
    if isinstance(push, SupplierPush):
        return _supplier_fields(push)
    if isinstance(push, HandlerPush):
        return {"credit_code": push.credit_code, "name": push.name, "phone": push.phone, "email": push.email}
    return {"credit_code": push.credit_code, "orders": [_order_fields(order) for order in push.orders]}


def _supplier_fields(push: SupplierPush) -> dict[str, Any]:
    supplier = push.supplier
    return {
        "supplier": {
            "code": supplier.code,
            "name": supplier.name,
            "credit_code": supplier.credit_code,
            "province": supplier.province,
            "city": supplier.city,
        },
        "statistics": {
            "months": [
                {
                    "month": month.month,
                    "order_amount": format_yuan(month.order_amount),
                    "settled_amount": format_yuan(month.settled_amount),
                    "order_count": month.order_count,
                }
                for month in push.statistics.months
            ],
            "buyers": push.statistics.buyers,
        },
    }


def _order_fields(order: PushedOrder) -> dict[str, Any]:
    contract = order.contract
    return {
        "order_no": order.order_no,
        "source": order.source.value,
        "status": order.status.value,
        "amount": format_yuan(order.amount),
        "financeable_amount": format_yuan(order.financeable_amount),
        "buyer_name": order.buyer_name,
        "contract": None
        if contract is None
        else {
            "contract_no": contract.contract_no,
            "amount": None if contract.amount is None else format_yuan(contract.amount),
            "signed_at": None if contract.signed_at is None else contract.signed_at.isoformat(),
        },
    }


# --- reading back ----------------------------------------------------------------------------------------


def stored_push(kind: str, fields: Any) -> WebankPush:
    """The push the outbox stored as `kind` and `fields`; `UnreadablePushError` when it cannot be read."""
    try:
        if kind == SupplierPush.kind:
            return _supplier_push(fields)
        if kind == HandlerPush.kind:
            return HandlerPush(
                credit_code=_text(fields["credit_code"]),
                name=_text(fields["name"]),
                phone=_text(fields["phone"]),
                email=_text(fields["email"]),
            )
        if kind == OrdersPush.kind:
            return OrdersPush(
                credit_code=_text(fields["credit_code"]),
                orders=tuple(_pushed_order(order) for order in fields["orders"]),
            )
    except (KeyError, TypeError, ValueError, InvalidAmountError) as exc:
        raise UnreadablePushError(f"unreadable {kind} push ({type(exc).__name__}: {exc})") from exc
    raise UnreadablePushError(f"unknown push kind {kind!r}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a count: {value!r}")
    return value


def _supplier_push(fields: Any) -> SupplierPush:
    supplier, statistics = fields["supplier"], fields["statistics"]
    return SupplierPush(
        supplier=SupplierProfile(
            code=_text(supplier["code"]),
            name=_text(supplier["name"]),
            credit_code=_text(supplier["credit_code"]),
            province=_text(supplier["province"]),
            city=_text(supplier["city"]),
        ),
        statistics=BusinessStatistics(
            months=tuple(
                MonthStatistics(
                    month=_text(month["month"]),
                    order_amount=parse_yuan(month["order_amount"]),
                    settled_amount=parse_yuan(month["settled_amount"]),
                    order_count=_count(month["order_count"]),
                )
                for month in statistics["months"]
            ),
            buyers=_count(statistics["buyers"]),
        ),
    )


def _pushed_order(order: Any) -> PushedOrder:
    contract = order["contract"]
    return PushedOrder(
        order_no=_text(order["order_no"]),
        source=OrderSource(order["source"]),
        status=OrderStatus(order["status"]),
        amount=parse_yuan(order["amount"]),
        financeable_amount=parse_yuan(order["financeable_amount"]),
        buyer_name=_text(order["buyer_name"]),
        contract=None
        if contract is None
        else Contract(
            contract_no=_text(contract["contract_no"]),
            amount=None if contract["amount"] is None else parse_yuan(contract["amount"]),
            signed_at=None
            if contract["signed_at"] is None
            else datetime.fromisoformat(_text(contract["signed_at"])),
        ),
    )


def result_fields(result: PushResult) -> dict[str, str]:
    """The bank's answer as the outbox records it on the delivered message."""
    if isinstance(result, SupplierPushResult):
        return {"apply_no": result.apply_no, "register_url": result.register_url}
    if isinstance(result, HandlerPushResult):
        return {"register_url": result.register_url}
    return {"batch_no": result.batch_no, "financing_url": result.financing_url}
