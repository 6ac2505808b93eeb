"""How the sandbox bank decides a limit application — deterministic, so tests and demos can predict it.

Over the last 12 of the 24 pushed months (the current month and the 11 before it), let S be the sum of
`settled_amount`:

- REJECTED, reason `近12个月结算金额不足`, when S < 100,000.00;
- REJECTED, reason `综合评估未通过`, when the legal representative's name typed on the bank's page is
  `拒绝` (a manual switch for demos and tests; checked first);
- otherwise APPROVED with total = 20 % of S rounded DOWN to a whole 1,000 yuan, then capped at
  3,000,000.00 and raised to at least 50,000.00; order/credit ratios 0.4/0.6.

An approval is valid until today + 1 year (same day, clamped to the month's end); a rejection may be
re-applied for from today + 90 days. "Today" is the sandbox's `today`. Arithmetic is exact `Decimal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from bff_sandbox.data import add_months
from bff_sandbox.money import CENT
from bff_sandbox.state import CreditLimit, PushedMonth

MONTHS_CONSIDERED = 12
SHARE_OF_SETTLED = Decimal("0.20")
ROUNDING_STEP = Decimal(1000)
MAX_TOTAL = Decimal("3000000.00")
MIN_TOTAL = Decimal("50000.00")
MIN_SETTLED = Decimal("100000.00")
ORDER_RATIO = Decimal("0.4")
CREDIT_RATIO = Decimal("0.6")
REJECTING_NAME = "拒绝"
REASON_LOW_SETTLEMENT = "近12个月结算金额不足"
REASON_MANUAL = "综合评估未通过"
REAPPLY_AFTER_DAYS = 90
VALID_MONTHS = 12


def settled_last_12_months(months: Sequence[PushedMonth]) -> Decimal:
    latest = sorted(months, key=lambda m: m.month)[-MONTHS_CONSIDERED:]
    return sum((m.settled_amount for m in latest), Decimal("0.00"))


def approved_total(settled: Decimal) -> Decimal:
    steps = (settled * SHARE_OF_SETTLED / ROUNDING_STEP).to_integral_value(rounding=ROUND_FLOOR)
    return min(max(steps * ROUNDING_STEP, MIN_TOTAL), MAX_TOTAL).quantize(CENT)


def decide(months: Sequence[PushedMonth], legal_rep_name: str, today: date) -> CreditLimit:
    """The bank's answer to a limit application (APPROVED or REJECTED)."""
    settled = settled_last_12_months(months)
    reason = None
    if legal_rep_name.strip() == REJECTING_NAME:
        reason = REASON_MANUAL
    elif settled < MIN_SETTLED:
        reason = REASON_LOW_SETTLEMENT
    if reason is not None:
        return CreditLimit(
            "REJECTED", reapply_after=today + timedelta(days=REAPPLY_AFTER_DAYS), reason=reason
        )
    return CreditLimit(
        "APPROVED",
        total=approved_total(settled),
        order_ratio=ORDER_RATIO,
        credit_ratio=CREDIT_RATIO,
        valid_until=add_months(today, VALID_MONTHS),
    )
