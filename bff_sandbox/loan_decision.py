"""How the sandbox bank books and decides a loan — deterministic, so tests and demos can predict it.

A financing request on the bank's pages (`bff_sandbox.financing_pages`) is first checked against what
the supplier may still borrow:

- order loans: min(sum of the ticked orders' `financeable_amount`, the available order-loan share);
- credit loans: the available credit-loan share;

where a share is the APPROVED limit total split by its ratios, 40/60 unless the limit says otherwise
(order share rounded half-up to the fen; the credit share the rest when the ratios add up to 1, else
rounded the same way) minus the outstanding principal of the
supplier's live loans of that kind in the sandbox (PROCESSING, DISBURSED, OVERDUE); never negative.

The bank then books the loan (PROCESSING, annual rate 7.20 %) and decides at once:

- FAILED, reason `放款审批未通过`, when the amount's fen part is `.44` (e.g. 12,345.44);
- FAILED, reason `订单买方核验未通过`, when any ticked order's buyer name contains `失败`;
- otherwise DISBURSED today (the sandbox's `today`) with outstanding principal = amount.

The plan is `bff_sandbox.loan_engine.schedule` for the repayment method picked on the page
(EQUAL_INSTALLMENT 等额本息 by default, or INTEREST_FIRST 先息后本); a failed loan has no plan.
`equal_principal_plan` is the older, simpler plan the seed's loans (WBL0001, WBL0002) keep.
Arithmetic is exact `Decimal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bff_sandbox import loan_engine
from bff_sandbox.data import Installment, Loan, LoanDocument, add_months
from bff_sandbox.money import round_fen
from bff_sandbox.state import CreditLimit

ORDER = "ORDER"
CREDIT = "CREDIT"
PROCESSING = "PROCESSING"
DISBURSED = "DISBURSED"
FAILED = "FAILED"
LIVE_STATUSES = (PROCESSING, DISBURSED, "OVERDUE")

DEFAULT_ORDER_RATIO = Decimal("0.4")
DEFAULT_CREDIT_RATIO = Decimal("0.6")
ANNUAL_RATE = Decimal("0.0720")
TERMS = (3, 6, 12)
FAILING_FEN = Decimal("0.44")
FAILING_BUYER_MARK = "失败"
REASON_AMOUNT = "放款审批未通过"
REASON_BUYER = "订单买方核验未通过"
ZERO = Decimal("0.00")


def available_share(limit: CreditLimit, loans: Iterable[Loan], credit_code: str, kind: str) -> Decimal:
    """What the supplier may still borrow as loans of `kind`; 0 without an approved limit."""
    if limit.status != "APPROVED" or limit.total is None:
        return ZERO
    order_ratio = limit.order_ratio if limit.order_ratio is not None else DEFAULT_ORDER_RATIO
    credit_ratio = limit.credit_ratio if limit.credit_ratio is not None else DEFAULT_CREDIT_RATIO
    order_share = round_fen(limit.total * order_ratio)
    if kind == ORDER:
        share = order_share
    elif order_ratio + credit_ratio == 1:
        # the rest, so the two shares always add up to the approved total to the fen
        share = limit.total - order_share
    else:
        share = round_fen(limit.total * credit_ratio)
    return max(share - _used(loans, credit_code, kind), ZERO)


def _used(loans: Iterable[Loan], credit_code: str, kind: str) -> Decimal:
    return sum(
        (
            loan.outstanding_principal
            for loan in loans
            if loan.credit_code == credit_code and loan.kind == kind and loan.status in LIVE_STATUSES
        ),
        ZERO,
    )


def failure_reason(amount: Decimal, buyer_names: Iterable[str]) -> str | None:
    """Why the bank refuses to disburse, or None when it disburses."""
    if amount % 1 == FAILING_FEN:
        return REASON_AMOUNT
    if any(FAILING_BUYER_MARK in name for name in buyer_names):
        return REASON_BUYER
    return None


def equal_principal_plan(
    amount: Decimal, annual_rate: Decimal, months: int, disbursed_on: date, paid: int = 0
) -> tuple[Installment, ...]:
    """The seed loans' monthly equal-principal plan (interest = outstanding × rate / 12); the first `paid`
    periods are PAID, the rest PENDING."""
    share = round_fen(amount / months)
    outstanding = amount
    plan = []
    for period in range(1, months + 1):
        principal = share if period < months else outstanding
        interest = round_fen(outstanding * annual_rate / 12)
        status = "PAID" if period <= paid else "PENDING"
        plan.append(Installment(period, add_months(disbursed_on, period), principal, interest, status))
        outstanding -= principal
    return tuple(plan)


def document(loan_no: str, kind: str, title: str, suffix: str = "") -> LoanDocument:
    """A loan document, its URL relative to the bank's base URL."""
    return LoanDocument(kind, title, f"/pages/documents/{loan_no}/{kind.lower()}{suffix}.pdf")


@dataclass(frozen=True, slots=True)
class LoanRequest:
    """What a person submitted on a financing page."""

    credit_code: str
    kind: str  # ORDER or CREDIT
    amount: Decimal
    term_months: int
    method: str = loan_engine.EQUAL_INSTALLMENT


def applied_loan(loan_no: str, request: LoanRequest) -> Loan:
    """The loan as booked, before the decision: PROCESSING, nothing outstanding, no plan yet."""
    return Loan(
        loan_no=loan_no,
        credit_code=request.credit_code,
        kind=request.kind,
        status=PROCESSING,
        amount=request.amount,
        outstanding_principal=ZERO,
        annual_rate=ANNUAL_RATE,
        term_months=request.term_months,
        disbursed_on=None,
        documents=(
            document(loan_no, "LOAN_CONTRACT", "借款合同"),
            document(loan_no, "LIMIT_CONTRACT", "额度合同"),
        ),
        method=request.method,
    )


def decided_loan(loan: Loan, failure: str | None, today: date) -> Loan:
    """The booked loan after the decision: FAILED, or DISBURSED today with its plan."""
    if failure is not None:
        # the bank signs no contract for a loan it refused: its page shows none
        return replace(loan, status=FAILED, failure_reason=failure, documents=())
    plan = loan_engine.installments(
        loan_engine.schedule(loan.amount, loan.annual_rate, loan.term_months, today, loan.method)
    )
    return replace(loan, status=DISBURSED, outstanding_principal=loan.amount, disbursed_on=today, plan=plan)
