"""The sandbox bank's loan rule, plan and available shares, as plain functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bff_sandbox.data import Installment, Loan
from bff_sandbox.loan_decision import (
    REASON_AMOUNT,
    REASON_BUYER,
    available_share,
    equal_principal_plan,
    failure_reason,
)
from bff_sandbox.state import CreditLimit

CC = "91440300MA5314187G"
OTHER = "91430100MA5418916L"
APPROVED = CreditLimit(
    "APPROVED", total=Decimal("100000.00"), order_ratio=Decimal("0.4"), credit_ratio=Decimal("0.6")
)


@pytest.mark.parametrize(
    ("amount", "buyers", "reason"),
    [
        pytest.param("1000.00", ["中建三局"], None, id="an ordinary amount and buyer disburse"),
        pytest.param("1234.44", ["中建三局"], REASON_AMOUNT, id="fen part .44 fails"),
        pytest.param("44.00", [], None, id="44 yuan without fen disburses"),
        pytest.param("1234.04", [], None, id="fen part .04 disburses"),
        pytest.param(
            "1000.00", ["中建三局", "演示失败建设"], REASON_BUYER, id="a buyer containing 失败 fails"
        ),
        pytest.param("1000.44", ["演示失败建设"], REASON_AMOUNT, id="the amount is checked first"),
    ],
)
def test_failure_reason(amount: str, buyers: list[str], reason: str | None) -> None:
    assert failure_reason(Decimal(amount), buyers) == reason


def test_the_plan_is_equal_principal_with_month_end_clamped_due_dates() -> None:
    plan = equal_principal_plan(Decimal("10000.00"), Decimal("0.0720"), 3, date(2026, 1, 31))
    assert plan == (
        Installment(1, date(2026, 2, 28), Decimal("3333.33"), Decimal("60.00"), "PENDING"),
        Installment(2, date(2026, 3, 31), Decimal("3333.33"), Decimal("40.00"), "PENDING"),
        Installment(3, date(2026, 4, 30), Decimal("3333.34"), Decimal("20.00"), "PENDING"),
    )
    assert sum(i.principal for i in plan) == Decimal("10000.00")


def _loan(kind: str, status: str, outstanding: str, credit_code: str = CC) -> Loan:
    return Loan(
        "L", credit_code, kind, status, Decimal(outstanding), Decimal(outstanding), Decimal("0.07"), 3, None
    )


@pytest.mark.parametrize(
    ("limit", "loans", "kind", "available"),
    [
        pytest.param(APPROVED, [], "ORDER", "40000.00", id="order share is 40 %"),
        pytest.param(APPROVED, [], "CREDIT", "60000.00", id="credit share is 60 %"),
        pytest.param(
            APPROVED,
            [_loan("ORDER", "DISBURSED", "15000.00"), _loan("ORDER", "OVERDUE", "5000.00")],
            "ORDER",
            "20000.00",
            id="live order loans use the order share",
        ),
        pytest.param(
            APPROVED,
            [
                _loan("ORDER", "SETTLED", "0.00"),
                _loan("ORDER", "FAILED", "9000.00"),
                _loan("CREDIT", "DISBURSED", "9000.00"),
                _loan("ORDER", "DISBURSED", "9000.00", OTHER),
            ],
            "ORDER",
            "40000.00",
            id="settled, failed, credit and other suppliers' loans do not count",
        ),
        pytest.param(
            APPROVED, [_loan("CREDIT", "DISBURSED", "70000.00")], "CREDIT", "0.00", id="never negative"
        ),
        pytest.param(CreditLimit("PENDING"), [], "CREDIT", "0.00", id="no approved limit, nothing"),
    ],
)
def test_available_share(limit: CreditLimit, loans: list[Loan], kind: str, available: str) -> None:
    assert available_share(limit, loans, CC, kind) == Decimal(available)
