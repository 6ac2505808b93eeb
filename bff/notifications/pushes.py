"""What WeBank answers to our pushes, applied to the admission in the transaction that marks them delivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain.statuses import ApplicationStatus
from bff.models import Admission, FinancingApplication, OutboxMessage

PUSH_SUPPLIER = "supplier.push"
PUSH_HANDLER = "supplier.handler"
PUSH_ORDERS = "orders.push"


def _text(response: dict[str, Any], key: str) -> str:
    value = response.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"WeBank's answer has no {key}")
    return value


async def supplier_pushed(
    message: OutboxMessage, response: dict[str, Any], connection: BaseDBAsyncClient
) -> None:
    await (
        Admission.filter(id=int(message.aggregate_id))
        .using_db(connection)
        .update(
            apply_no=_text(response, "apply_no"),
            register_url=_text(response, "register_url"),
            updated_at=datetime.now(UTC),
        )
    )


async def handler_pushed(
    message: OutboxMessage, response: dict[str, Any], connection: BaseDBAsyncClient
) -> None:
    await (
        Admission.filter(id=int(message.aggregate_id))
        .using_db(connection)
        .update(register_url=_text(response, "register_url"), updated_at=datetime.now(UTC))
    )


async def orders_pushed(
    message: OutboxMessage, response: dict[str, Any], connection: BaseDBAsyncClient
) -> None:
    """WeBank took the orders: the application is handed over, with the bank's financing page."""
    await (
        FinancingApplication.filter(id=int(message.aggregate_id), status=ApplicationStatus.PENDING_PUSH)
        .using_db(connection)
        .update(
            batch_no=_text(response, "batch_no"),
            financing_url=_text(response, "financing_url"),
            status=ApplicationStatus.HANDED_OVER,
            updated_at=datetime.now(UTC),
        )
    )


ResultHandler = Callable[[OutboxMessage, dict[str, Any], BaseDBAsyncClient], Any]

PUSH_RESULT_HANDLERS: dict[str, ResultHandler] = {
    PUSH_SUPPLIER: supplier_pushed,
    PUSH_HANDLER: handler_pushed,
    PUSH_ORDERS: orders_pushed,
}
