"""The sandbox bank's loan arithmetic — plans, payoff quotes, penalty interest — exact to the fen.

Every amount is exact `Decimal` yuan; intermediate results are exact fractions (`fractions.Fraction`), and
each published amount is rounded once, half-up (0.005 → 0.01), to the fen.

Rules
-----
- **Due dates.** Period k (1 … n) is due on `disbursed_on + k months`, same day of the month, clamped to the
  month's end, always counted from the disbursement day (not from the previous due date): a loan disbursed
  on 31 Jan is due 28 Feb (29 Feb in a leap year), 31 Mar, 30 Apr, 31 May …
- **Interest (actual/360).** Period k accrues from due date k−1 (the disbursement day for k = 1) to due
  date k: `interest_k = round(principal outstanding before k × annual rate × actual days / 360)`.
- **等额本息 EQUAL_INSTALLMENT.** The fixed payment is the annuity on the monthly rate r = annual rate / 12:
  `A = round(P × r × (1+r)^n / ((1+r)^n − 1))` (A = round(P / n) when the rate is 0). Each period pays
  `principal_k = A − interest_k`; the last period pays the whole remaining principal (plus its interest),
  absorbing every rounding, so its payment differs from A by a few fen.
- **先息后本 INTEREST_FIRST.** Periods 1 … n−1 pay their interest only; period n pays the whole principal
  plus its interest.
- Either way the principal of the plan sums exactly to the loan amount.
- **Payoff (提前结清) on a date D.** `principal` = outstanding principal; `interest` = round(outstanding ×
  annual rate × days / 360) where days run from the latest due date of a PAID installment (the disbursement
  day if none) to D (0 if D is earlier); `penalty` = penalty interest of the overdue installments up to D;
  `fee` = 0.00; `total` = principal + interest + penalty + fee.
- **Penalty interest (罚息).** An installment not paid on its due date is overdue; each day after the due
  date up to and including the day it is paid costs penalty interest on its *principal* at 1.5 × the rate:
  `penalty = round(overdue principal × annual rate × 1.5 × days / 360)`, days = paid on − due date.
  Arrears paid on day D = the overdue installments' principal + interest + penalty to D.

Worked example
--------------
12,000.00 at 7.20 % over 3 months, EQUAL_INSTALLMENT, disbursed 2026-01-31; r = 0.072 / 12 = 0.006:

    A = 12,000 × 0.006 × 1.006³ / (1.006³ − 1) = 4,048.0957… → 4,048.10

    period  due date    days  outstanding  interest                              principal                    payment
    1       2026-02-28   28   12,000.00    12,000.00 × .072 × 28/360 = 67.20     4,048.10 − 67.20 = 3,980.90  4,048.10
    2       2026-03-31   31    8,019.10     8,019.10 × .072 × 31/360 = 49.7184…  4,048.10 − 49.72 = 3,998.38  4,048.10
    3       2026-04-30   30    4,020.72     4,020.72 × .072 × 30/360 = 24.1243…  the rest         = 4,020.72  4,044.84

(49.7184… → 49.72, 24.1243… → 24.12; the principal sums to 12,000.00, the last payment absorbs the
rounding.) Paying period 1 and settling early on 2026-03-15 (15 days after 28 Feb): interest
8,019.10 × .072 × 15/360 = 24.0573 → 24.06, payoff 8,019.10 + 24.06 = 8,043.16. Had period 2 gone unpaid
and been paid on 2026-04-10 (10 days after its due date): penalty 3,998.38 × .072 × 1.5 × 10/360 =
11.99514 → 12.00, arrears 3,998.38 + 49.72 + 12.00 = 4,060.10.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from bff_sandbox.data import Installment, Loan, add_months

EQUAL_INSTALLMENT = "EQUAL_INSTALLMENT"  # 等额本息
INTEREST_FIRST = "INTEREST_FIRST"  # 先息后本
METHODS = (EQUAL_INSTALLMENT, INTEREST_FIRST)
# 等额本金: only the seed's loans have it (`loan_decision.equal_principal_plan`); `schedule` does not offer it
EQUAL_PRINCIPAL = "EQUAL_PRINCIPAL"
METHOD_LABELS = {EQUAL_INSTALLMENT: "等额本息", INTEREST_FIRST: "先息后本", EQUAL_PRINCIPAL: "等额本金"}

DAY_COUNT = 360  # actual/360
PENALTY_FACTOR = Fraction(3, 2)
ZERO = Decimal("0.00")

PAID = "PAID"
PENDING = "PENDING"
OVERDUE = "OVERDUE"
SETTLED = "SETTLED"  # closed by an early settlement (提前结清) before its due date
CLOSED = (PAID, SETTLED)


def to_fen(value: Fraction) -> Decimal:
    """Round an exact amount half-up (away from zero) to the fen."""
    fen = math.floor(abs(value) * 100 + Fraction(1, 2))
    return Decimal(-fen if value < 0 else fen).scaleb(-2)


def accrued_interest(principal: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """Simple interest on `principal` for `days` days, actual/360, half-up to the fen."""
    return to_fen(Fraction(principal) * Fraction(annual_rate) * days / DAY_COUNT)


def penalty(overdue_principal: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """Penalty interest: the overdue principal at 1.5 × the rate for `days` days, actual/360, half-up."""
    rate = Fraction(annual_rate) * PENALTY_FACTOR
    return to_fen(Fraction(overdue_principal) * rate * max(days, 0) / DAY_COUNT)


def annuity_payment(principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    """The fixed 等额本息 payment on the monthly rate annual_rate / 12, half-up to the fen."""
    r = Fraction(annual_rate) / 12
    if r == 0:
        return to_fen(Fraction(principal) / term_months)
    growth = (1 + r) ** term_months
    return to_fen(Fraction(principal) * r * growth / (growth - 1))


@dataclass(frozen=True, slots=True)
class PlanRow:
    period: int
    accrues_from: date  # the previous due date, or the disbursement day
    due_date: date
    days: int
    opening_principal: Decimal  # outstanding before this period's payment
    principal: Decimal
    interest: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


def schedule(
    principal: Decimal, annual_rate: Decimal, term_months: int, disbursed_on: date, method: str
) -> tuple[PlanRow, ...]:
    """The repayment plan of a loan (see the module docstring for the rules)."""
    if principal <= 0 or term_months < 1 or annual_rate < 0:
        raise ValueError("a plan needs a positive principal, a term of at least a month, a rate ≥ 0")
    if method not in METHODS:
        raise ValueError(f"unknown repayment method {method!r}")
    payment = annuity_payment(principal, annual_rate, term_months)
    outstanding = principal
    start = disbursed_on
    rows = []
    for period in range(1, term_months + 1):
        due = add_months(disbursed_on, period)
        days = (due - start).days
        interest = accrued_interest(outstanding, annual_rate, days)
        if period == term_months:
            paid = outstanding
        elif method == INTEREST_FIRST:
            paid = ZERO
        else:
            paid = min(max(payment - interest, ZERO), outstanding)
        rows.append(PlanRow(period, start, due, days, outstanding, paid, interest))
        outstanding -= paid
        start = due
    return tuple(rows)


def installments(rows: Iterable[PlanRow]) -> tuple[Installment, ...]:
    """The plan as the bank publishes it, every installment PENDING."""
    return tuple(Installment(r.period, r.due_date, r.principal, r.interest, PENDING) for r in rows)


@dataclass(frozen=True, slots=True)
class Payoff:
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.fee


@dataclass(frozen=True, slots=True)
class Due:
    """What paying some installments costs on a given day."""

    periods: tuple[int, ...]
    principal: Decimal
    interest: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty


def installment_penalty(installment: Installment, annual_rate: Decimal, on: date) -> Decimal:
    """The penalty interest an installment owes if paid on `on` (0 unless it is overdue)."""
    if installment.status != OVERDUE:
        return ZERO
    return penalty(installment.principal, annual_rate, (on - installment.due_date).days)


def due_on(loan: Loan, installments: Iterable[Installment], on: date) -> Due:
    """Principal + interest + penalty of `installments` paid on `on`."""
    chosen = tuple(installments)
    return Due(
        periods=tuple(i.period for i in chosen),
        principal=sum((i.principal for i in chosen), ZERO),
        interest=sum((i.interest for i in chosen), ZERO),
        penalty=sum((installment_penalty(i, loan.annual_rate, on) for i in chosen), ZERO),
    )


def overdue(loan: Loan) -> tuple[Installment, ...]:
    return tuple(i for i in loan.plan if i.status == OVERDUE)


def payoff(loan: Loan, on: date) -> Payoff:
    """What settling the whole loan on `on` costs (see the module docstring)."""
    if loan.disbursed_on is None:
        raise ValueError(f"loan {loan.loan_no} is not disbursed")
    start = max((i.due_date for i in loan.plan if i.status == PAID), default=loan.disbursed_on)
    days = max((on - start).days, 0)
    return Payoff(
        principal=loan.outstanding_principal,
        interest=accrued_interest(loan.outstanding_principal, loan.annual_rate, days),
        penalty=due_on(loan, overdue(loan), on).penalty,
        fee=ZERO,
    )
