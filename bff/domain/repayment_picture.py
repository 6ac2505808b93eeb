"""What a loan's plan says to a person: days overdue per installment and what the next debit takes.

Plain rules over the bank's plan (`PlanItem`s); the penalty interest (罚息) itself is the bank's figure,
accrued to its today on each OVERDUE installment — the platform sums it, it never computes its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bff.domain.bank_records import PlanItem
from bff.domain.calendar import SHANGHAI

ZERO = Decimal("0.00")
OVERDUE = "OVERDUE"
PENDING = "PENDING"


@dataclass(frozen=True, slots=True)
class AmountDue:
    """What the next automatic debit takes (应还金额): on `date`, principal + interest + penalty."""

    date: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty


def overdue_days(item: PlanItem, today: date) -> int:
    """Days past the due date: to today while OVERDUE, to the payment day once paid late, else 0."""
    if item.status == OVERDUE:
        return max((today - item.due_date).days, 0)
    if item.paid_at is not None:
        return max((item.paid_at.astimezone(SHANGHAI).date() - item.due_date).days, 0)
    return 0


def amount_due(plan: Sequence[PlanItem], today: date) -> AmountDue | None:
    """All arrears, penalty included, due today when any installment is overdue (the bank debits them
    first); else the next pending installment on its due date; None when nothing is left to pay."""
    arrears = [item for item in plan if item.status == OVERDUE]
    if arrears:
        return AmountDue(
            date=today,
            principal=sum((i.principal for i in arrears), ZERO),
            interest=sum((i.interest for i in arrears), ZERO),
            penalty=sum((i.penalty for i in arrears), ZERO),
        )
    pending = sorted((item for item in plan if item.status == PENDING), key=lambda item: item.due_date)
    if not pending:
        return None
    following = pending[0]
    return AmountDue(
        date=following.due_date, principal=following.principal, interest=following.interest, penalty=ZERO
    )
