"""The supplier's dashboard figures (首页概览): what it owes, what is late, what is due next, and what
its orders can still finance — one pass over data already loaded, no upstream call of its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bff.domain.bank_records import PlanItem
from bff.domain.money import fen_to_yuan
from bff.domain.repayment_picture import amount_due
from bff.domain.statuses import REPAYABLE_LOAN_STATUSES, LoanStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class SummaryLoan:
    loan_no: str
    status: LoanStatus
    outstanding_principal_fen: int
    open_overdue_fen: int = 0  # arrears of its installments overdue now (the overdue record's episodes)
    plan: tuple[PlanItem, ...] | None = None  # the bank's plan; None when not read


@dataclass(frozen=True, slots=True)
class NextDue:
    date: date
    amount: Decimal
    loan_no: str


@dataclass(frozen=True, slots=True)
class Summary:
    outstanding_principal: Decimal
    overdue_amount: Decimal
    next_due: NextDue | None
    financeable_order_count: int
    financeable_total: Decimal


def summarize(loans: Iterable[SummaryLoan], financeable: Sequence[Decimal], today: date) -> Summary:
    """`financeable`: the financeable amount of each order (0 for an order that cannot back a loan).

    Outstanding principal counts repayable (disbursed or overdue) loans; the next due is the earliest
    amount due of any of them (arrears are due today), ties broken by loan number.
    """
    outstanding_fen = overdue_fen = 0
    next_due: NextDue | None = None
    for loan in loans:
        if loan.status not in REPAYABLE_LOAN_STATUSES:
            continue
        outstanding_fen += loan.outstanding_principal_fen
        overdue_fen += loan.open_overdue_fen
        due = None if loan.plan is None else amount_due(loan.plan, today)
        if due is None:
            continue
        candidate = NextDue(date=due.date, amount=due.total, loan_no=loan.loan_no)
        if next_due is None or (candidate.date, candidate.loan_no) < (next_due.date, next_due.loan_no):
            next_due = candidate
    positive = [amount for amount in financeable if amount > ZERO]
    return Summary(
        outstanding_principal=fen_to_yuan(outstanding_fen),
        overdue_amount=fen_to_yuan(overdue_fen),
        next_due=next_due,
        financeable_order_count=len(positive),
        financeable_total=sum(positive, ZERO),
    )
