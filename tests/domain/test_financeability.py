"""Which orders may back an order loan and for how much (DESIGN §2), as a table."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bff.domain.financeability import (
    MALL_REFUSAL,
    MRO_REFUSAL,
    FinancingRatios,
    financeable_amount,
    is_financeable,
    quote,
    status_refusal,
)
from bff.domain.records import OrderKey, OrderRecord, OrderSource, OrderStatus

MALL, MRO = OrderSource.MALL, OrderSource.MRO
S = OrderStatus


def order(
    source: OrderSource, status: OrderStatus, amount: str = "1000.00", order_id: str = "1"
) -> OrderRecord:
    return OrderRecord(
        key=OrderKey(source, order_id),
        order_no=f"NO{order_id}",
        supplier_code="S",
        status=status,
        amount=Decimal(amount),
        buyer_name="B",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        contract=None,
    )


@pytest.mark.parametrize(
    ("source", "status", "financeable"),
    [
        pytest.param(MALL, S.PENDING_SHIPMENT, True, id="mall-pending-shipment-yes"),
        pytest.param(MALL, S.PROCESSING, True, id="mall-processing-yes"),
        pytest.param(MALL, S.PENDING_CONFIRMATION, False, id="mall-pending-confirmation-no"),
        pytest.param(MALL, S.COMPLETED, False, id="mall-completed-no"),
        pytest.param(MALL, S.REJECTED, False, id="mall-rejected-no"),
        pytest.param(MALL, S.CANCELLED, False, id="mall-cancelled-no"),
        pytest.param(MRO, S.PENDING_SHIPMENT, True, id="mro-pending-shipment-yes"),
        pytest.param(MRO, S.PENDING_RECEIPT, True, id="mro-pending-receipt-yes"),
        pytest.param(MRO, S.PENDING_CONFIRMATION, False, id="mro-pending-confirmation-no"),
        pytest.param(MRO, S.COMPLETED, False, id="mro-completed-no"),
        pytest.param(MRO, S.REJECTED, False, id="mro-rejected-no"),
        pytest.param(MRO, S.CANCELLED, False, id="mro-cancelled-no"),
        pytest.param(MRO, S.PROCESSING, False, id="processing-is-a-mall-status-only"),
        pytest.param(MALL, S.PENDING_RECEIPT, False, id="pending-receipt-is-an-mro-status-only"),
    ],
)
def test_financeable_statuses_per_system(source: OrderSource, status: OrderStatus, financeable: bool) -> None:
    assert is_financeable(order(source, status)) is financeable


@pytest.mark.parametrize(
    ("source", "status", "amount", "financed", "expected"),
    [
        pytest.param(MALL, S.PENDING_SHIPMENT, "1000.00", "0", "500.00", id="pending-shipment-50-percent"),
        pytest.param(MALL, S.PROCESSING, "1000.00", "0", "800.00", id="processing-80-percent"),
        pytest.param(MRO, S.PENDING_RECEIPT, "1000.00", "0", "800.00", id="pending-receipt-80-percent"),
        pytest.param(MALL, S.PENDING_SHIPMENT, "0.05", "0", "0.03", id="half-fen-rounds-up"),
        pytest.param(MALL, S.PROCESSING, "12345.67", "0", "9876.54", id="exact-to-the-fen"),
        pytest.param(MALL, S.PROCESSING, "1000.00", "300.00", "500.00", id="minus-already-financed"),
        pytest.param(MALL, S.PROCESSING, "1000.00", "900.00", "0.00", id="never-below-zero"),
        pytest.param(MALL, S.COMPLETED, "1000.00", "0", "0.00", id="not-financeable-is-zero"),
    ],
)
def test_financeable_amount(
    source: OrderSource, status: OrderStatus, amount: str, financed: str, expected: str
) -> None:
    assert financeable_amount(order(source, status, amount), FinancingRatios(), Decimal(financed)) == Decimal(
        expected
    )


def test_ratios_are_configurable() -> None:
    ratios = FinancingRatios(pending_shipment=Decimal("0.3"), processing=Decimal("0.9"))
    assert financeable_amount(order(MALL, S.PENDING_SHIPMENT), ratios, Decimal(0)) == Decimal("300.00")
    assert financeable_amount(order(MALL, S.PROCESSING), ratios, Decimal(0)) == Decimal("900.00")


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        pytest.param(
            [order(MALL, S.PENDING_SHIPMENT), order(MRO, S.PENDING_RECEIPT)], None, id="all-financeable"
        ),
        pytest.param(
            [order(MALL, S.PENDING_SHIPMENT), order(MALL, S.COMPLETED)], MALL_REFUSAL, id="mall-wording"
        ),
        pytest.param(
            [order(MRO, S.CANCELLED), order(MRO, S.PENDING_SHIPMENT)], MRO_REFUSAL, id="mro-only-wording"
        ),
        pytest.param(
            [order(MRO, S.CANCELLED), order(MALL, S.PROCESSING)], MALL_REFUSAL, id="mixed-uses-mall-wording"
        ),
    ],
)
def test_one_unfinanceable_order_refuses_the_whole_selection(
    orders: list[OrderRecord], message: str | None
) -> None:
    assert status_refusal(orders) == message


def test_the_manual_wording_with_its_typos_fixed() -> None:
    assert MALL_REFUSAL == "请勾选待发货、处理中的订单发起贷款申请，其他状态的订单不能发起贷款申请。"
    assert MRO_REFUSAL == "请勾选待发货、待收货的订单发起贷款申请，其他状态的订单不能发起贷款申请。"


def test_the_ceiling_is_the_smaller_of_financeable_sum_and_available_limit() -> None:
    selected = [
        (order(MALL, S.PROCESSING, "1000.00", "1"), Decimal(0)),
        (order(MRO, S.PENDING_SHIPMENT, "99.99", "2"), Decimal(0)),
    ]
    roomy = quote(selected, FinancingRatios(), Decimal("100000.00"))
    tight = quote(selected, FinancingRatios(), Decimal("123.45"))
    exhausted = quote(selected, FinancingRatios(), Decimal("-5.00"))
    assert [line.financeable for line in roomy.lines] == [Decimal("800.00"), Decimal("50.00")]
    assert (roomy.financeable_total, roomy.ceiling) == (Decimal("850.00"), Decimal("850.00"))
    assert tight.ceiling == Decimal("123.45")
    assert (exhausted.available_limit, exhausted.ceiling) == (Decimal("0.00"), Decimal("0.00"))
