"""Reading the bodies the BFF sends to the simulated bank, refusing anything the real one would refuse."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bff_sandbox import credit_code
from bff_sandbox.data import add_months
from bff_sandbox.money import parse_yuan
from bff_sandbox.state import Handler, PushedContract, PushedMonth, PushedOrder, PushedSupplier

STATISTICS_MONTHS = 24
ORDER_SOURCES = ("MALL", "MRO")
ORDER_STATUSES = (
    "PENDING_CONFIRMATION",
    "PENDING_SHIPMENT",
    "PROCESSING",
    "PENDING_RECEIPT",
    "COMPLETED",
    "REJECTED",
    "CANCELLED",
)
MAX_ORDERS_PER_PUSH = 100


class WebankError(Exception):
    """A refusal the bank answers as `{"code", "message"}` with an HTTP status."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


def invalid(message: str, code: str = "INVALID_REQUEST") -> WebankError:
    return WebankError(400, code, message)


def json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise invalid("body must be a JSON object")
    return body


def _object(container: dict[str, Any], key: str) -> dict[str, Any]:
    value = container.get(key)
    if not isinstance(value, dict):
        raise invalid(f"{key} must be an object")
    return value


def _text(container: dict[str, Any], key: str, *, allow_empty: bool = False) -> str:
    value = container.get(key)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise invalid(f"{key} must be a non-empty string" if not allow_empty else f"{key} must be a string")
    return value


def _count(container: dict[str, Any], key: str) -> int:
    value = container.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise invalid(f"{key} must be a non-negative integer")
    return value


def _amount(container: dict[str, Any], key: str, *, nullable: bool = False) -> Decimal | None:
    value = container.get(key)
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise invalid(f"{key} must be a decimal string of yuan")
    amount = parse_yuan(value)
    if amount is None:
        raise invalid(f"{key} must be a decimal string of yuan with at most two decimals")
    if amount < 0:
        raise invalid(f"{key} must not be negative")
    return amount


def _required_amount(container: dict[str, Any], key: str) -> Decimal:
    amount = _amount(container, key)
    assert amount is not None
    return amount


def _credit_code(value: str) -> str:
    if not credit_code.is_valid(value):
        raise invalid(f"{value!r} is not a valid unified social credit code", "INVALID_CREDIT_CODE")
    return value


def expected_months(today: date) -> list[str]:
    """The 24 consecutive calendar months ending with today's, oldest first."""
    first = today.replace(day=1)
    return [f"{add_months(first, -k):%Y-%m}" for k in range(STATISTICS_MONTHS - 1, -1, -1)]


def supplier_push(body: dict[str, Any], today: date) -> tuple[PushedSupplier, tuple[PushedMonth, ...], int]:
    supplier = _object(body, "supplier")
    statistics = _object(body, "statistics")
    pushed = PushedSupplier(
        code=_text(supplier, "code"),
        name=_text(supplier, "name"),
        credit_code=_credit_code(_text(supplier, "credit_code")),
        province=_text(supplier, "province", allow_empty=True),
        city=_text(supplier, "city", allow_empty=True),
    )
    raw_months = statistics.get("months")
    if not isinstance(raw_months, list) or not all(isinstance(m, dict) for m in raw_months):
        raise invalid("statistics.months must be a list of objects")
    months = tuple(
        PushedMonth(
            month=_text(m, "month"),
            order_amount=_required_amount(m, "order_amount"),
            settled_amount=_required_amount(m, "settled_amount"),
            order_count=_count(m, "order_count"),
        )
        for m in raw_months
    )
    # Any order is accepted, but the set must be exactly the 24 months ending with the current one.
    expected = expected_months(today)
    given = [m.month for m in months]
    if len(given) != STATISTICS_MONTHS or sorted(given) != expected:
        raise invalid(
            f"statistics.months must be the {STATISTICS_MONTHS} consecutive months {expected[0]}..{expected[-1]}",
            "INVALID_STATISTICS",
        )
    return pushed, tuple(sorted(months, key=lambda m: m.month)), _count(statistics, "buyers")


def handler(body: dict[str, Any]) -> Handler:
    email = _text(body, "email")
    if "@" not in email:
        raise invalid("email must be an e-mail address")
    return Handler(name=_text(body, "name"), phone=_text(body, "phone"), email=email)


def _contract(value: object) -> PushedContract | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("contract must be an object or null")
    signed_at = value.get("signed_at")
    moment = None
    if signed_at is not None:
        try:
            moment = datetime.fromisoformat(signed_at) if isinstance(signed_at, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise invalid("contract.signed_at must be an ISO-8601 time with an offset, or null")
    return PushedContract(_text(value, "contract_no"), _amount(value, "amount", nullable=True), moment)


def _order(value: dict[str, Any]) -> PushedOrder:
    source = _text(value, "source")
    if source not in ORDER_SOURCES:
        raise invalid(f"source must be one of {', '.join(ORDER_SOURCES)}")
    status = _text(value, "status")
    if status not in ORDER_STATUSES:
        raise invalid(f"unknown order status {status!r}")
    amount = _required_amount(value, "amount")
    financeable = _required_amount(value, "financeable_amount")
    if financeable > amount:
        raise invalid("financeable_amount must not exceed amount")
    return PushedOrder(
        order_no=_text(value, "order_no"),
        source=source,
        status=status,
        amount=amount,
        financeable_amount=financeable,
        buyer_name=_text(value, "buyer_name"),
        contract=_contract(value.get("contract")),
    )


def order_push(body: dict[str, Any]) -> tuple[str, tuple[PushedOrder, ...]]:
    credit_code = _credit_code(_text(body, "credit_code"))
    orders = body.get("orders")
    if not isinstance(orders, list) or not orders or not all(isinstance(o, dict) for o in orders):
        raise invalid("orders must be a non-empty list of objects")
    if len(orders) > MAX_ORDERS_PER_PUSH:
        raise invalid(f"at most {MAX_ORDERS_PER_PUSH} orders per push")
    return credit_code, tuple(_order(o) for o in orders)
