"""Credit-limit accounting: the 40 % order-loan / 60 % credit-loan split, and what is still available.

The order share is rounded half-up to the fen and the credit share is the rest, so the two shares always
add up to the approved total exactly. used = outstanding principal of live loans of that kind;
available = share − used, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bff.domain.money import round_fen

DEFAULT_ORDER_RATIO = Decimal("0.4")
DEFAULT_CREDIT_RATIO = Decimal("0.6")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LimitShare:
    ratio: Decimal
    total: Decimal
    used: Decimal

    @property
    def available(self) -> Decimal:
        return max(self.total - self.used, ZERO)


@dataclass(frozen=True, slots=True)
class LimitSplit:
    total: Decimal
    order_loan: LimitShare
    credit_loan: LimitShare


def split_limit(
    total: Decimal,
    *,
    order_ratio: Decimal = DEFAULT_ORDER_RATIO,
    credit_ratio: Decimal = DEFAULT_CREDIT_RATIO,
    order_used: Decimal = ZERO,
    credit_used: Decimal = ZERO,
) -> LimitSplit:
    order_total = round_fen(total * order_ratio)
    credit_total = total - order_total if order_ratio + credit_ratio == 1 else round_fen(total * credit_ratio)
    return LimitSplit(
        total=total,
        order_loan=LimitShare(ratio=order_ratio, total=order_total, used=order_used),
        credit_loan=LimitShare(ratio=credit_ratio, total=credit_total, used=credit_used),
    )
