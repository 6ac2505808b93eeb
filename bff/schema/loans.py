"""Loans mirrored from WeBank's notifications, with the bank's live plan and documents."""

from __future__ import annotations

import asyncio
import datetime as dt
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from bff.domain.bank_records import PayoffQuote as PayoffQuoteRecord
from bff.domain.bank_records import PlanItem
from bff.domain.money import fen_to_yuan
from bff.domain.statuses import InstallmentStatus, LoanKind, LoanStatus, RepaymentKind
from bff.models import Loan as LoanRow
from bff.models import Repayment as RepaymentRow
from bff.resolvers.bank import loan_documents
from bff.resolvers.loans import (
    bank_view,
    load_loan,
    load_repayment,
    loan_of_repayment,
    orders_of_loan,
    payoff_quote,
    repayments_of_loan,
)
from bff.schema.bank import Document
from bff.schema.context import Info, context_of
from bff.schema.node import ResolvedByKeys

if TYPE_CHECKING:
    from bff.schema.orders import Order

strawberry.enum(LoanKind, description="ORDER: backed by orders (40 % share); CREDIT: 60 % share.")
strawberry.enum(LoanStatus)
strawberry.enum(InstallmentStatus)
strawberry.enum(RepaymentKind)


@strawberry.type(description="One period of the repayment plan, as WeBank schedules it.")
class Installment:
    period: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    status: InstallmentStatus

    @classmethod
    def from_record(cls, item: PlanItem) -> Installment:
        try:
            status = InstallmentStatus(item.status)
        except ValueError:
            status = InstallmentStatus.PENDING
        return cls(
            period=item.period,
            due_date=item.due_date,
            principal=item.principal,
            interest=item.interest,
            status=status,
        )


@strawberry.type(description="What settling the loan early costs on a given day.")
class PayoffQuote:
    as_of: dt.date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal

    @classmethod
    def from_record(cls, record: PayoffQuoteRecord) -> PayoffQuote:
        return cls(
            as_of=record.as_of,
            principal=record.principal,
            interest=record.interest,
            fee=record.fee,
            total=record.total,
        )


@strawberry.type(description="A repayment WeBank posted. amount = principal + interest + penalty.")
class Repayment(ResolvedByKeys, relay.Node):
    key: relay.NodeID[str]
    repayment_no: str
    row: strawberry.Private[RepaymentRow]
    kind: RepaymentKind
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    amount: Decimal
    paid_at: datetime

    @classmethod
    def from_record(cls, row: RepaymentRow) -> Repayment:
        principal = fen_to_yuan(row.principal_fen)
        interest = fen_to_yuan(row.interest_fen)
        penalty = fen_to_yuan(row.penalty_fen)
        return cls(
            key=row.repayment_no,
            repayment_no=row.repayment_no,
            row=row,
            kind=row.kind,
            principal=principal,
            interest=interest,
            penalty=penalty,
            amount=principal + interest + penalty,
            paid_at=row.paid_at,
        )

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Repayment | None]:
        context = context_of(info)
        rows = await asyncio.gather(*(load_repayment(context, key) for key in keys))
        return [None if row is None else cls.from_record(row) for row in rows]

    @strawberry.field
    async def loan(self, info: Info) -> Annotated[Loan, strawberry.lazy("bff.schema.loans")]:
        return Loan.from_record(await loan_of_repayment(context_of(info), self.row))


@strawberry.type(description="A loan: order-backed (订单贷) or credit (信用贷).")
class Loan(ResolvedByKeys, relay.Node):
    key: relay.NodeID[str]
    loan_no: str
    row: strawberry.Private[LoanRow]
    kind: LoanKind
    status: LoanStatus
    amount: Decimal
    outstanding_principal: Decimal
    annual_rate: str | None = strawberry.field(description='Decimal rate as a string, e.g. "0.072".')
    term_months: int | None
    applied_at: datetime
    disbursed_at: datetime | None
    settled_at: datetime | None
    failure_reason: str | None

    @classmethod
    def from_record(cls, row: LoanRow) -> Loan:
        return cls(
            key=row.loan_no,
            loan_no=row.loan_no,
            row=row,
            kind=row.kind,
            status=row.status,
            amount=fen_to_yuan(row.amount_fen),
            outstanding_principal=fen_to_yuan(row.outstanding_principal_fen),
            annual_rate=None if row.annual_rate is None else str(row.annual_rate.normalize()),
            term_months=row.term_months,
            applied_at=row.applied_at,
            disbursed_at=row.disbursed_at,
            settled_at=row.settled_at,
            failure_reason=row.failure_reason,
        )

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Loan | None]:
        context = context_of(info)
        rows = await asyncio.gather(*(load_loan(context, key) for key in keys))
        return [None if row is None else cls.from_record(row) for row in rows]

    @strawberry.field(description="The orders this loan finances (order loans only).")
    async def orders(self, info: Info) -> list[Annotated[Order, strawberry.lazy("bff.schema.orders")]]:
        from bff.schema.orders import Order

        return await Order.many(info, await orders_of_loan(context_of(info), self.row))

    @strawberry.field(description="The repayment plan, live from WeBank.")
    async def installments(self, info: Info) -> list[Installment]:
        bank = await bank_view(context_of(info), self.row)
        return [] if bank is None else [Installment.from_record(item) for item in bank.plan]

    @strawberry.field(
        description="Contracts, vouchers and certificates (合同与凭证) of this loan, live from WeBank; none for "
        "a FAILED loan (the bank signs none)."
    )
    async def documents(self, info: Info) -> list[Document]:
        return [
            Document.of(self.row.supplier_code, doc)
            for doc in await loan_documents(context_of(info), self.row)
        ]

    @strawberry.field(description="Repayments WeBank posted for this loan, oldest first.")
    async def repayments(self, info: Info) -> list[Repayment]:
        return [Repayment.from_record(row) for row in await repayments_of_loan(context_of(info), self.row)]

    @strawberry.field(
        description="Early-settlement quote (today unless `asOf` is given); null unless repayable."
    )
    async def payoff_quote(self, info: Info, as_of: dt.date | None = None) -> PayoffQuote | None:
        quote = await payoff_quote(context_of(info), self.row, as_of)
        return None if quote is None else PayoffQuote.from_record(quote)


@strawberry.type
class LoanEdge:
    node: Loan
    cursor: str


@strawberry.type
class LoanConnection:
    edges: list[LoanEdge]
    page_info: relay.PageInfo
    total_count: int
