"""The platform records the notification tests start from: a consent, an admission, a handed-over application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import create_admission

from bff.models import (
    Admission,
    AdmissionStatus,
    ApplicationOrder,
    ApplicationStatus,
    FinancingApplication,
    OrderClaim,
    OrderSource,
    OrderStatus,
)

SUPPLIER = "GD-BOTH"
CREDIT_CODE = "91440300MA5G8XXXXX"
OPENED_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

# (source, order id, order no, financeable fen); the third is in the application but not in the loan
ORDERS = [
    (OrderSource.MALL, "m-1", "SO-1", 10_000_000),
    (OrderSource.MRO, "r-2", "MRO-2", 3_333_333),
    (OrderSource.MALL, "m-3", "SO-3", 500_000),
]


async def admission(status: AdmissionStatus) -> Admission:
    """SUPPLIER's admission in `status` (consented and opened at OPENED_AT, for CREDIT_CODE)."""
    return await create_admission(
        SUPPLIER, status=status, agreed_at=OPENED_AT, opened_at=OPENED_AT, credit_code=CREDIT_CODE
    )


async def handed_over_application() -> FinancingApplication:
    """Batch B1 handed over to the bank with all of ORDERS, each claimed by it."""
    application = await FinancingApplication.create(
        supplier_code=SUPPLIER,
        status=ApplicationStatus.HANDED_OVER,
        ceiling_fen=13_833_333,
        financeable_total_fen=13_833_333,
        batch_no="B1",
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    for source, order_id, order_no, financeable in ORDERS:
        await ApplicationOrder.create(
            application=application,
            source=source,
            order_id=order_id,
            order_no=order_no,
            status_at_application=OrderStatus.PENDING_SHIPMENT,
            amount_fen=financeable * 2,
            financeable_fen=financeable,
        )
        await OrderClaim.create(source=source, order_id=order_id, application=application)
    return application


async def platform() -> FinancingApplication:
    """An approved admission and its handed-over application."""
    await admission(AdmissionStatus.APPROVED)
    return await handed_over_application()
