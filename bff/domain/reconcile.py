"""Reconciliation's plan: what the BFF missed of the bank's news about one supplier, as repairs to apply.

A pure comparison of the platform's records (`Known`) with what WeBank says now (`/limit` and the supplier's
loans). Every repair is a bank event the BFF should have received — `limit.approved`, `loan.applied`,
`loan.disbursed`, `repayment.posted`, … with the data the notification would have carried — so applying it
goes through the very handlers and state machines that notifications go through; the planner uses the same
machines (`next_status`, `next_loan_status`) only to know which events can still apply. What would move a
record backwards (a loan SETTLED here that the bank calls DISBURSED) or has no event to repair it is not a
repair but a `Discrepancy`, reported and never applied. A loan the bank has but the platform does not is
replayed from its start (`loan.applied` when the platform has the order batch it names, else `LOAN_FOUND`:
the loan recorded without an application), so it counts against the limit like any other.

Limits of what can be rebuilt: past overdue episodes that were paid meanwhile leave no trace in the bank's
current plan, so only installments overdue *now* are reported (`loan.overdue`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from bff.domain.admission_flow import AdmissionEvent, next_status
from bff.domain.bank_records import BankLimit, BankLoan
from bff.domain.calendar import SHANGHAI
from bff.domain.loan_flow import LoanEvent, is_final, next_loan_status
from bff.domain.money import format_yuan
from bff.domain.statuses import AdmissionStatus, LoanStatus

__all__ = [
    "Discrepancy",
    "DiscrepancyKind",
    "Known",
    "KnownLoan",
    "Plan",
    "PlannedEvent",
    "Repair",
    "RepairKind",
    "plan_repairs",
]


class RepairKind(enum.StrEnum):
    """What a repair did; the label of `bff_reconcile_repairs_total{kind}`."""

    LIMIT_DECISION = "LIMIT_DECISION"  # a missed limit.approved / limit.rejected
    LOAN_BACKFILLED = "LOAN_BACKFILLED"  # a loan the platform never heard of
    LOAN_STATUS = "LOAN_STATUS"  # a missed loan.disbursed / loan.failed / loan.settled
    LOAN_OVERDUE = "LOAN_OVERDUE"  # a missed loan.overdue
    REPAYMENT = "REPAYMENT"  # a missed repayment.posted


class DiscrepancyKind(enum.StrEnum):
    LIMIT = "LIMIT"
    LOAN_STATUS = "LOAN_STATUS"
    LOAN_AMOUNT = "LOAN_AMOUNT"
    LOAN_UNKNOWN_TO_BANK = "LOAN_UNKNOWN_TO_BANK"
    NOT_APPLIED = "NOT_APPLIED"  # a repair whose event the handlers refused (kept for the next run)


@dataclass(frozen=True, slots=True)
class KnownLoan:
    loan_no: str
    status: LoanStatus
    outstanding_principal: Decimal
    repayment_nos: frozenset[str] = frozenset()
    overdue_periods: frozenset[int] = frozenset()  # periods with a recorded overdue episode


@dataclass(frozen=True, slots=True)
class Known:
    """The platform's records of one supplier's current admission (which has a credit code)."""

    supplier_code: str
    credit_code: str
    admission_status: AdmissionStatus
    limit_total: Decimal | None  # the approved limit's total, if any
    loans: Mapping[str, KnownLoan] = field(default_factory=dict)
    batch_nos: frozenset[str] = frozenset()  # order batches of the supplier's financing applications


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """A bank event to apply as if it had been notified; `key` names it for ever (idempotent storage)."""

    type: str
    key: str
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Repair:
    kind: RepairKind
    subject: str  # the loan number, or the credit code for the limit
    detail: str  # one operator-readable sentence
    event: PlannedEvent | None = None  # None: record `found` without an event (LOAN_FOUND)
    found: BankLoan | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyKind
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class Plan:
    repairs: tuple[Repair, ...]
    discrepancies: tuple[Discrepancy, ...]


_DISBURSED_OR_LATER = frozenset({LoanStatus.DISBURSED, LoanStatus.OVERDUE, LoanStatus.SETTLED})


def plan_repairs(known: Known, limit: BankLimit, loans: Sequence[BankLoan], now: datetime) -> Plan:
    """The repairs that bring `known` in line with the bank, in the order to apply them."""
    repairs: list[Repair] = []
    discrepancies: list[Discrepancy] = []
    _plan_limit(known, limit, now, repairs, discrepancies)
    at_bank = set()
    for loan in sorted(loans, key=lambda loan: loan.loan_no):
        if loan.credit_code != known.credit_code:
            continue  # not this enterprise's (a bank answering more than asked)
        at_bank.add(loan.loan_no)
        _plan_loan(known, known.loans.get(loan.loan_no), loan, now, repairs, discrepancies)
    for loan_no in sorted(set(known.loans) - at_bank):
        discrepancies.append(
            Discrepancy(
                DiscrepancyKind.LOAN_UNKNOWN_TO_BANK, loan_no, f"the bank does not list loan {loan_no}"
            )
        )
    return Plan(tuple(repairs), tuple(discrepancies))


# --- the limit ----------------------------------------------------------------------------------------


def _plan_limit(
    known: Known, limit: BankLimit, now: datetime, repairs: list[Repair], discrepancies: list[Discrepancy]
) -> None:
    subject = known.credit_code
    if limit.status == "APPROVED" and limit.total is not None:
        if next_status(known.admission_status, AdmissionEvent.LIMIT_APPROVED) is not None:
            data = {
                "credit_code": known.credit_code,
                "total": format_yuan(limit.total),
                "order_ratio": None if limit.order_ratio is None else str(limit.order_ratio),
                "credit_ratio": None if limit.credit_ratio is None else str(limit.credit_ratio),
                "valid_until": None if limit.valid_until is None else limit.valid_until.isoformat(),
            }
            detail = f"limit approved at the bank ({format_yuan(limit.total)}), applied"
            repairs.append(
                Repair(
                    RepairKind.LIMIT_DECISION, subject, detail, _event("limit.approved", subject, now, data)
                )
            )
        elif known.limit_total is not None and known.limit_total != limit.total:
            detail = f"the bank's limit is {format_yuan(limit.total)}, the platform's {format_yuan(known.limit_total)}"
            discrepancies.append(Discrepancy(DiscrepancyKind.LIMIT, subject, detail))
        elif known.admission_status is not AdmissionStatus.APPROVED:
            detail = f"the bank approved a limit, the platform's admission is {known.admission_status}"
            discrepancies.append(Discrepancy(DiscrepancyKind.LIMIT, subject, detail))
    elif limit.status == "REJECTED":
        if next_status(known.admission_status, AdmissionEvent.LIMIT_REJECTED) is not None:
            data = {
                "credit_code": known.credit_code,
                "reason": None,  # `/limit` does not say why
                "reapply_after": None if limit.reapply_after is None else limit.reapply_after.isoformat(),
            }
            detail = "limit rejected at the bank, applied"
            repairs.append(
                Repair(
                    RepairKind.LIMIT_DECISION, subject, detail, _event("limit.rejected", subject, now, data)
                )
            )
        elif known.admission_status is not AdmissionStatus.REJECTED:
            detail = f"the bank rejected the limit, the platform's admission is {known.admission_status}"
            discrepancies.append(Discrepancy(DiscrepancyKind.LIMIT, subject, detail))
    elif known.admission_status is AdmissionStatus.APPROVED:
        detail = f"the platform's admission is APPROVED, the bank's limit is {limit.status}"
        discrepancies.append(Discrepancy(DiscrepancyKind.LIMIT, subject, detail))


# --- one loan -----------------------------------------------------------------------------------------


def _plan_loan(
    known: Known,
    mine: KnownLoan | None,
    loan: BankLoan,
    now: datetime,
    repairs: list[Repair],
    discrepancies: list[Discrepancy],
) -> None:
    loan_no = loan.loan_no
    status = LoanStatus.PROCESSING if mine is None else mine.status
    repaid = frozenset() if mine is None else mine.repayment_nos
    overdue_periods = frozenset() if mine is None else mine.overdue_periods
    applied_at = loan.applied_at or now
    if mine is None:
        repairs.append(_backfill(known, loan, applied_at))

    bank_status = _status(loan.status)
    later: list[Repair] = []  # repayments and overdue reports, applied in time order
    if status is LoanStatus.PROCESSING and bank_status in _DISBURSED_OR_LATER:
        data = {
            "loan_no": loan_no,
            "amount": format_yuan(loan.amount),
            "annual_rate": None if loan.annual_rate is None else str(loan.annual_rate),
            "term_months": loan.term_months,
            "disbursed_at": None if loan.disbursed_at is None else loan.disbursed_at.isoformat(),
        }
        event = _event("loan.disbursed", loan_no, loan.disbursed_at or applied_at, data)
        repairs.append(Repair(RepairKind.LOAN_STATUS, loan_no, "disbursed at the bank, applied", event))
        status = _moved(status, LoanEvent.LOAN_DISBURSED)
    elif status is LoanStatus.PROCESSING and bank_status is LoanStatus.FAILED:
        data = {"loan_no": loan_no, "reason": loan.failure_reason}
        event = _event("loan.failed", loan_no, applied_at, data)
        repairs.append(Repair(RepairKind.LOAN_STATUS, loan_no, "failed at the bank, applied", event))
        status = _moved(status, LoanEvent.LOAN_FAILED)

    if status in _DISBURSED_OR_LATER:
        for repayment in loan.repayments:
            if repayment.repayment_no in repaid:
                continue
            data = {
                "loan_no": loan_no,
                "repayment_no": repayment.repayment_no,
                "kind": repayment.kind,
                "principal": format_yuan(repayment.principal),
                "interest": format_yuan(repayment.interest),
                "penalty": format_yuan(repayment.penalty),
                "paid_at": repayment.paid_at.isoformat(),
            }
            paid = format_yuan(repayment.principal + repayment.interest + repayment.penalty)
            detail = (
                f"repayment {repayment.repayment_no} of {paid} ({repayment.kind}) posted at the bank, applied"
            )
            event = _event("repayment.posted", f"{loan_no}:{repayment.repayment_no}", repayment.paid_at, data)
            later.append(Repair(RepairKind.REPAYMENT, loan_no, detail, event))
    if status is LoanStatus.DISBURSED and bank_status is LoanStatus.OVERDUE:
        arrears = [i for i in loan.plan if i.status == "OVERDUE"]
        arrears_amount = format_yuan(sum((i.principal + i.interest for i in arrears), Decimal("0")))
        for installment in arrears:
            if installment.period in overdue_periods:
                continue
            data = {
                "loan_no": loan_no,
                "period": installment.period,
                "overdue_amount": arrears_amount,
                "since": installment.due_date.isoformat(),
            }
            detail = (
                f"installment {installment.period} overdue since {installment.due_date} at the bank, applied"
            )
            event = _event(
                "loan.overdue", f"{loan_no}:{installment.period}", _start_of(installment.due_date), data
            )
            later.append(Repair(RepairKind.LOAN_OVERDUE, loan_no, detail, event))
        status = _moved(status, LoanEvent.LOAN_OVERDUE)
    repairs.extend(sorted(later, key=lambda repair: repair.event.occurred_at if repair.event else now))

    if bank_status is LoanStatus.SETTLED and next_loan_status(status, LoanEvent.LOAN_SETTLED) is not None:
        settled_at = loan.settled_at or now
        data = {"loan_no": loan_no, "settled_at": settled_at.isoformat()}
        event = _event("loan.settled", loan_no, settled_at, data)
        repairs.append(Repair(RepairKind.LOAN_STATUS, loan_no, "settled at the bank, applied", event))
        status = LoanStatus.SETTLED

    _compare(mine, loan, status, bank_status, bool(later), discrepancies)


def _compare(
    mine: KnownLoan | None,
    loan: BankLoan,
    status: LoanStatus,
    bank_status: LoanStatus,
    repaying: bool,
    discrepancies: list[Discrepancy],
) -> None:
    """What the repairs leave different: reported, never applied (it would move the loan backwards)."""
    if status is bank_status:
        if mine is not None and not repaying and mine.outstanding_principal != loan.outstanding_principal:
            detail = (
                f"outstanding principal {format_yuan(mine.outstanding_principal)} here, "
                f"{format_yuan(loan.outstanding_principal)} at the bank"
            )
            discrepancies.append(Discrepancy(DiscrepancyKind.LOAN_AMOUNT, loan.loan_no, detail))
        return
    # OVERDUE here, DISBURSED at the bank: a repayment applied above may clear the arrears; the next run tells
    if status is LoanStatus.OVERDUE and bank_status is LoanStatus.DISBURSED and repaying:
        return
    why = "final here" if is_final(status) else "no event moves it there"
    detail = f"{status} here, {bank_status} at the bank; kept ({why})"
    discrepancies.append(Discrepancy(DiscrepancyKind.LOAN_STATUS, loan.loan_no, detail))


def _backfill(known: Known, loan: BankLoan, applied_at: datetime) -> Repair:
    amount = format_yuan(loan.amount)
    if loan.kind == "ORDER" and loan.batch_no in known.batch_nos and loan.order_nos:
        data = {
            "credit_code": loan.credit_code,
            "loan_no": loan.loan_no,
            "kind": loan.kind,
            "amount": amount,
            "order_nos": list(loan.order_nos),
            "batch_no": loan.batch_no,
        }
        detail = (
            f"{loan.kind} loan of {amount} unknown here, recorded with orders {', '.join(loan.order_nos)}"
        )
        event = _event("loan.applied", loan.loan_no, applied_at, data)
        return Repair(RepairKind.LOAN_BACKFILLED, loan.loan_no, detail, event)
    detail = f"{loan.kind} loan of {amount} unknown here, recorded"
    if loan.order_nos:
        detail += (
            f" without its orders {', '.join(loan.order_nos)} (no application here has batch {loan.batch_no})"
        )
    return Repair(RepairKind.LOAN_BACKFILLED, loan.loan_no, detail, found=loan)


def _moved(status: LoanStatus, event: LoanEvent) -> LoanStatus:
    return next_loan_status(status, event) or status


def _status(value: str) -> LoanStatus:
    try:
        return LoanStatus(value)
    except ValueError:
        return LoanStatus.PROCESSING  # an unknown status tells nothing to apply


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI)


def _event(type: str, key: str, occurred_at: datetime, data: Mapping[str, Any]) -> PlannedEvent:
    return PlannedEvent(type=type, key=f"{type}:{key}", occurred_at=occurred_at, data=dict(data))
