"""What the simulated upstreams hold: frozen records in each system's own vocabulary, and the calendar.

Mall statuses are the mall's strings, MRO statuses its integer codes; amounts are exact `Decimal` yuan
here and become fen or decimal strings only when an API renders them. Times carry the +08:00 offset.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# Mall order statuses (the mall's own vocabulary).
PENDING_CONFIRMATION = "PENDING_CONFIRMATION"
PENDING_SHIPMENT = "PENDING_SHIPMENT"
PROCESSING = "PROCESSING"
COMPLETED = "COMPLETED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
MALL_STATUSES = (PENDING_CONFIRMATION, PENDING_SHIPMENT, PROCESSING, COMPLETED, REJECTED, CANCELLED)

# MRO orderStatus codes: 10 待确认, 20 待发货, 30 待收货, 40 已完成, 50 已拒绝, 60 已取消.
MRO_PENDING_CONFIRMATION = 10
MRO_PENDING_SHIPMENT = 20
MRO_PENDING_RECEIPT = 30
MRO_COMPLETED = 40
MRO_REJECTED = 50
MRO_CANCELLED = 60
MRO_STATUSES = (10, 20, 30, 40, 50, 60)

SETTLEMENT = "SETTLEMENT"  # 结算单
OUTPUT_VALUE = "OUTPUT_VALUE"  # 产值单


@dataclass(frozen=True, slots=True)
class SeedSupplier:
    code: str
    name: str
    credit_code: str
    province: str
    city: str
    purpose: str


@dataclass(frozen=True, slots=True)
class MallContract:
    contract_no: str
    amount: Decimal
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class MallOrder:
    id: int
    order_no: str
    supplier_code: str
    status: str
    amount: Decimal
    buyer_name: str
    created_at: datetime
    contract: MallContract | None


@dataclass(frozen=True, slots=True)
class MroOrder:
    trade_order_id: int
    trade_order_no: str
    supplier_code: str
    order_status: int
    pay_amount: Decimal
    buyer_company_name: str
    gmt_create: datetime
    contract_no: str | None


@dataclass(frozen=True, slots=True)
class SeedStatement:
    no: str
    kind: str  # SETTLEMENT or OUTPUT_VALUE
    amount: Decimal
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class FulfilmentHistory:
    """One system's whole fulfilment history of one supplier (the APIs decide how much to show)."""

    supplier_code: str
    first_fulfilled_at: datetime | None
    statements: tuple[SeedStatement, ...]


@dataclass(frozen=True, slots=True)
class Installment:
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    status: str  # PAID, PENDING, OVERDUE, or SETTLED (closed by an early settlement)
    # Set when the installment is paid (or settled early): what it took, when, and its penalty interest.
    paid_amount: Decimal | None = None
    paid_at: datetime | None = None
    penalty: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LoanDocument:
    kind: str
    title: str
    url: str  # a path starting with "/" is relative to the WeBank base URL


@dataclass(frozen=True, slots=True)
class Repayment:
    """Money the bank collected on a loan: SCHEDULED (automatic debit), ACTIVE or EARLY_SETTLEMENT."""

    repayment_no: str
    kind: str
    periods: tuple[int, ...]  # the installments it paid
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    paid_at: datetime

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest + self.penalty


@dataclass(frozen=True, slots=True)
class Loan:
    loan_no: str
    credit_code: str
    kind: str  # ORDER or CREDIT
    status: str  # PROCESSING, DISBURSED, FAILED, OVERDUE or SETTLED
    amount: Decimal
    outstanding_principal: Decimal
    annual_rate: Decimal
    term_months: int
    disbursed_on: date | None
    plan: tuple[Installment, ...] = ()
    documents: tuple[LoanDocument, ...] = ()
    failure_reason: str | None = None  # why a FAILED loan was not disbursed
    method: str = "EQUAL_INSTALLMENT"  # or INTEREST_FIRST (`bff_sandbox.loan_engine`)
    repayments: tuple[Repayment, ...] = ()
    settled_on: date | None = None
    applied_at: datetime | None = None  # when the person applied on the bank's pages
    disbursed_at: datetime | None = None  # when the money went out (`disbursed_on` is its day)


@dataclass(frozen=True, slots=True)
class Seed:
    today: date
    suppliers: tuple[SeedSupplier, ...]
    mall_orders: tuple[MallOrder, ...]
    mro_orders: tuple[MroOrder, ...]
    mall_fulfilment: tuple[FulfilmentHistory, ...]  # suppliers the mall has a fulfilment record for
    mro_fulfilment: tuple[FulfilmentHistory, ...]  # suppliers known to MRO (history may be empty)
    loans: tuple[Loan, ...]
    _by_code: dict[str, SeedSupplier] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {s.code: s for s in self.suppliers})

    def supplier(self, code: str) -> SeedSupplier | None:
        return self._by_code.get(code)


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (earlier if negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def first_month_of_window(today: date, months: int = 24) -> date:
    """The first day of the earliest of the `months` calendar months ending with today's month."""
    return add_months(today.replace(day=1), -(months - 1))
