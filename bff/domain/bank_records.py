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
    status: str


@dataclass(frozen=True, slots=True)
class LoanDocument:
    kind: str
    title: str
    url: str


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
    documents: tuple[LoanDocument, ...]
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
