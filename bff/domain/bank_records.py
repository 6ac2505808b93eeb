"""What WeBank tells us, in the internal model (amounts `Decimal` yuan, aware times, `date`s)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PlanItem:
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    status: str  # PENDING, PAID, OVERDUE or SETTLED (closed by an early settlement)
    penalty: Decimal = Decimal("0.00")  # paid with it, or (OVERDUE) accrued to the bank's today
    paid_amount: Decimal | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BankDocument:
    """A document the bank issued; the bank serves its PDF at `GET /v1/documents/{doc_id}`."""

    doc_id: str
    kind: str
    title: str
    loan_no: str | None
    period: int | None
    issued_at: datetime | None


@dataclass(frozen=True, slots=True)
class BankAccount:
    """An account as the platform may show and log it: the number masked to its last 4 digits."""

    bank_name: str
    account_name: str
    account_no_masked: str


@dataclass(frozen=True, slots=True)
class BankAccounts:
    receiving: BankAccount | None  # 收款账户
    repayment: BankAccount | None  # 还款账户


@dataclass(frozen=True, slots=True)
class BankTransaction:
    txn_no: str
    kind: str  # DEPOSIT, DEBIT, DISBURSEMENT or FEE
    amount: Decimal
    balance_after: Decimal
    loan_no: str | None
    occurred_at: datetime
    memo: str


@dataclass(frozen=True, slots=True)
class TransactionPage:
    total: int
    transactions: tuple[BankTransaction, ...]


@dataclass(frozen=True, slots=True)
class BankRepayment:
    repayment_no: str
    kind: str
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class BankLoan:
    loan_no: str
    credit_code: str
    kind: str
    status: str
    amount: Decimal
    outstanding_principal: Decimal
    annual_rate: Decimal | None
    term_months: int | None
    plan: tuple[PlanItem, ...]
    documents: tuple[BankDocument, ...]
    # What reconciliation reads (`GET /v1/suppliers/{credit_code}/loans`); absent fields read as unknown.
    repayments: tuple[BankRepayment, ...] = ()
    repayment_method: str | None = None
    applied_at: datetime | None = None
    disbursed_at: datetime | None = None
    settled_at: datetime | None = None
    failure_reason: str | None = None
    batch_no: str | None = None
    order_nos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    as_of: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class BankLimit:
    status: str
    total: Decimal | None
    order_ratio: Decimal | None
    credit_ratio: Decimal | None
    valid_until: date | None
    reapply_after: date | None


@dataclass(frozen=True, slots=True)
class SupplierPushResult:
    apply_no: str
    register_url: str


@dataclass(frozen=True, slots=True)
class HandlerPushResult:
    register_url: str


@dataclass(frozen=True, slots=True)
class OrderPushResult:
    batch_no: str
    financing_url: str
