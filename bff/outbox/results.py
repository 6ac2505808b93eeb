"""What a delivered push changes: the bank's answer applied to the admission or the application.

Runs inside the transaction that marks the message DELIVERED (`OutboxDelivery`'s result handler), so
the answer is applied exactly when the message is settled, or neither happens.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain.bank_pushes import PushResult
from bff.domain.bank_records import HandlerPushResult, OrderPushResult, SupplierPushResult
from bff.domain.statuses import ApplicationStatus
from bff.models import Admission, FinancingApplication, OutboxMessage


async def apply_result(message: OutboxMessage, result: PushResult, connection: BaseDBAsyncClient) -> None:
    """Store the bank's answer to `message` on its aggregate (an admission or an application)."""
    now = datetime.now(UTC)
    aggregate_id = int(message.aggregate_id)
    if isinstance(result, SupplierPushResult):
        await (
            Admission.filter(id=aggregate_id)
            .using_db(connection)
            .update(apply_no=result.apply_no, register_url=result.register_url, updated_at=now)
        )
    elif isinstance(result, HandlerPushResult):
        await (
            Admission.filter(id=aggregate_id)
            .using_db(connection)
            .update(register_url=result.register_url, updated_at=now)
        )
    else:
        await _orders_handed_over(aggregate_id, result, now, connection)


async def _orders_handed_over(
    application_id: int, result: OrderPushResult, now: datetime, connection: BaseDBAsyncClient
) -> None:
    """WeBank took the orders: the application is handed over, with the bank's financing page.

    Only a PENDING_PUSH application changes status: one that expired or was cancelled meanwhile stays so,
    but keeps the bank's batch number, so that a loan WeBank still makes from the batch finds it.
    """
    await (
        FinancingApplication.filter(id=application_id, batch_no=None)
        .exclude(status=ApplicationStatus.PENDING_PUSH)
        .using_db(connection)
        .update(batch_no=result.batch_no, updated_at=now)
    )
    await (
        FinancingApplication.filter(id=application_id, status=ApplicationStatus.PENDING_PUSH)
        .using_db(connection)
        .update(
            batch_no=result.batch_no,
            financing_url=result.financing_url,
            status=ApplicationStatus.HANDED_OVER,
            updated_at=now,
        )
    )
