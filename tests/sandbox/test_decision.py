"""The sandbox bank's limit decision, rule by rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bff_sandbox.decision import REASON_LOW_SETTLEMENT, REASON_MANUAL, decide
from bff_sandbox.state import CreditLimit, PushedMonth
from bff_sandbox.webank_payloads import expected_months

TODAY = date(2026, 3, 15)


def months(recent: str, older: str = "0.00") -> list[PushedMonth]:
    """24 months: the older 12 settle `older` each, the latest 12 `recent` each."""
    names = expected_months(TODAY)
    return [
        PushedMonth(m, Decimal("0.00"), Decimal(older if i < 12 else recent), 0) for i, m in enumerate(names)
    ]


def approved(total: str) -> CreditLimit:
    return CreditLimit(
        "APPROVED",
        total=Decimal(total),
        order_ratio=Decimal("0.4"),
        credit_ratio=Decimal("0.6"),
        valid_until=date(2027, 3, 15),
    )


def rejected(reason: str) -> CreditLimit:
    return CreditLimit("REJECTED", reapply_after=date(2026, 6, 13), reason=reason)


@pytest.mark.parametrize(
    ("recent", "older", "name", "expected"),
    [
        pytest.param(
            "52345.67", "999999.99", "张三", approved("125000.00"), id="20% of 12 months, floored to 1000"
        ),
        pytest.param(
            "8333.34", "0.00", "张三", approved("50000.00"), id="100000.08 settled: raised to the 50000 floor"
        ),
        pytest.param(
            "8333.33", "999999.99", "张三", rejected(REASON_LOW_SETTLEMENT), id="99999.96 settled: rejected"
        ),
        pytest.param("2000000.00", "0.00", "张三", approved("3000000.00"), id="capped at 3000000"),
        pytest.param(
            "52345.67", "0.00", "拒绝", rejected(REASON_MANUAL), id="legal rep named 拒绝: rejected"
        ),
    ],
)
def test_decision(recent: str, older: str, name: str, expected: CreditLimit) -> None:
    assert decide(months(recent, older), name, TODAY) == expected


def test_an_approval_made_on_a_leap_day_is_valid_until_the_end_of_february() -> None:
    decision = decide(months("52345.67"), "张三", date(2028, 2, 29))
    assert decision.valid_until == date(2029, 2, 28)
