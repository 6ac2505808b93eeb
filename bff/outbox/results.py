"""What a settled push changes: the bank's answer, or the push's failure, applied to its aggregate.

Runs inside the transaction that marks the message DELIVERED or FAILED (`OutboxDelivery`'s result and
failure handlers), so the change is applied exactly when the message is settled, or neither happens.

The handler form moves the admission to REGISTERING only here, once WeBank took it: a form the bank
never got must not send the supplier on to registration. A failed admission push changes no row: the
graph reads `pushError` from the failed message itself until a new push of the aggregate is written.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain.bank_pushes import PushResult
from bff.domain.bank_records import HandlerPushResult, OrderPushResult, SupplierPushResult
from bff.domain.statuses import AdmissionStatus, ApplicationStatus
from bff.models import Admission, FinancingApplication, OrderClaim, OutboxMessage
from bff.store import APPLICATION_AGGREGATE


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
        # Forward only: a resubmitted form of an admission already further on leaves its status alone.
        await (
            Admission.filter(id=aggregate_id, status=AdmissionStatus.OPENED)
            .using_db(connection)
            .update(status=AdmissionStatus.REGISTERING, updated_at=now)
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


async def apply_failure(message: OutboxMessage, connection: BaseDBAsyncClient) -> None:
    """A push WeBank refused or never took: an application that can no longer reach the bank fails.

    Its order claims are deleted with it, so the orders are free at once rather than at the 72 h expiry.
    Only a PENDING_PUSH application changes: one cancelled or expired meanwhile already freed its orders.
    """
    if message.aggregate_type != APPLICATION_AGGREGATE:
        return
    application_id = int(message.aggregate_id)
    failed = (
        await FinancingApplication.filter(id=application_id, status=ApplicationStatus.PENDING_PUSH)
        .using_db(connection)
        .update(status=ApplicationStatus.FAILED, updated_at=datetime.now(UTC))
    )
    if failed:
        await OrderClaim.filter(application_id=application_id, loan_id=None).using_db(connection).delete()
