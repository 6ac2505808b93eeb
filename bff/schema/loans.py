"""Loans mirrored from WeBank's notifications, with the bank's live plan and documents."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from bff.domain.bank_records import PayoffQuote as PayoffQuoteRecord
from bff.domain.bank_records import PlanItem
from bff.domain.money import fen_to_yuan
from bff.domain.repayment_picture import AmountDue as AmountDueRecord
from bff.domain.repayment_picture import amount_due, overdue_days
from bff.domain.status_labels import loan_status_label
from bff.domain.statuses import InstallmentStatus, LoanKind, LoanStatus, RepaymentKind
from bff.domain.statuses import RepaymentMethod as RepaymentMethodEnum
from bff.models import Loan as LoanRow
from bff.models import Repayment as RepaymentRow
from bff.resolvers.bank import loan_documents
from bff.resolvers.loans import (
    annual_rate_of,
    bank_view,
    load_loan,
    load_repayment,
    loan_of_repayment,
    orders_of_loan,
    payoff_quote,
    repayments_of_loan,
    term_months_of,
)
from bff.schema.bank import Document
from bff.schema.context import Info, context_of
from bff.schema.described_enum import described_enum
from bff.schema.node import ResolvedByKeys
from bff.schema.selection import selected_names

if TYPE_CHECKING:
    from bff.schema.orders import Order

described_enum(
    LoanKind,
    "Kind of loan (贷款模式).",
    {
        LoanKind.ORDER: "Order loan (订单贷): backed by orders, drawn on the 40 % share.",
        LoanKind.CREDIT: "Credit loan (信用贷): on the supplier's credit, drawn on the 60 % share.",
    },
)
described_enum(
    LoanStatus,
    "Status of a loan (融资状态); `Loan.statusLabel` gives the Chinese a person reads.",
    {
        LoanStatus.PROCESSING: "Applied for, awaiting WeBank's decision (处理中).",
        LoanStatus.DISBURSED: "Paid out, being repaid (已放款).",
        LoanStatus.FAILED: "WeBank declined or the payout failed (融资失败).",
        LoanStatus.OVERDUE: "An installment is past due (已逾期).",
        LoanStatus.SETTLED: "Fully repaid (已结清).",
    },
)
described_enum(
    RepaymentKind,
    "How a repayment came about (还款方式).",
    {
        RepaymentKind.SCHEDULED: "Debited by WeBank on the due date (到期自动扣款).",
        RepaymentKind.ACTIVE: "Repaid by the supplier on the due date (到期还款, 主动还款).",
        RepaymentKind.EARLY_SETTLEMENT: "The loan settled early (提前结清).",
    },
)


@strawberry.enum(name="InstallmentStatus", description="Where an installment of the plan stands (还款状态).")
class InstallmentStatusValue(enum.Enum):
    PENDING = strawberry.enum_value(InstallmentStatus.PENDING.value, description="Not yet due (待还).")
    PAID = strawberry.enum_value(InstallmentStatus.PAID.value, description="Paid (已还).")
    OVERDUE = strawberry.enum_value(
        InstallmentStatus.OVERDUE.value, description="Past its due date and unpaid (已逾期); penalty accrues."
    )
    SETTLED = strawberry.enum_value(
        InstallmentStatus.SETTLED.value,
        description="Closed by an early settlement (提前结清) before its due date; kept in the plan.",
    )


@strawberry.enum(description="How the loan is repaid (还款方式).")
class RepaymentMethod(enum.Enum):
    EQUAL_INSTALLMENT = strawberry.enum_value(
        RepaymentMethodEnum.EQUAL_INSTALLMENT.value,
        description="Equal installments of principal and interest (等额本息).",
    )
    INTEREST_FIRST = strawberry.enum_value(
        RepaymentMethodEnum.INTEREST_FIRST.value,
        description="Interest each period, the principal with the last (先息后本).",
    )
    EQUAL_PRINCIPAL = strawberry.enum_value(
        RepaymentMethodEnum.EQUAL_PRINCIPAL.value, description="Equal principal each period (等额本金)."
    )


@strawberry.type(description="One period of the repayment plan, as WeBank schedules it.")
class Installment:
    period: int = strawberry.field(description="Period number (期数), from 1.")
    due_date: dt.date = strawberry.field(description="Due date (还款日).")
    principal: Decimal = strawberry.field(description="Principal due this period (应还本金).")
    interest: Decimal = strawberry.field(description="Interest due this period (应还利息).")
    status: InstallmentStatusValue = strawberry.field(description="Pending, paid, overdue or settled.")
    penalty: Decimal = strawberry.field(
        description="Penalty interest (罚息): what was paid with it, or, while overdue, accrued to today."
    )
    paid_amount: Decimal | None = strawberry.field(
        description="What paying it took (实还金额): principal + interest + penalty; null until paid or settled."
    )
    paid_at: datetime | None = strawberry.field(description="When it was paid or settled (还款时间).")
    overdue_days: int = strawberry.field(
        description="Days past the due date (逾期天数): to today while overdue, to the payment once paid late."
    )

    @classmethod
    def from_record(cls, item: PlanItem, today: dt.date) -> Installment:
        try:
            status = InstallmentStatusValue(item.status)
        except ValueError:
            status = InstallmentStatusValue.PENDING
        return cls(
            period=item.period,
            due_date=item.due_date,
            principal=item.principal,
            interest=item.interest,
            status=status,
            penalty=item.penalty,
            paid_amount=item.paid_amount,
            paid_at=item.paid_at,
            overdue_days=overdue_days(item, today),
        )


@strawberry.type(description="What the next debit takes (应还金额), penalty included.")
class AmountDue:
    date: dt.date = strawberry.field(
        description="When the bank debits it (扣款日): today while in arrears, else the next due date."
    )
    principal: Decimal = strawberry.field(description="Principal (本金).")
    interest: Decimal = strawberry.field(description="Interest (利息).")
    penalty: Decimal = strawberry.field(description="Penalty interest (罚息) accrued to today.")
    total: Decimal = strawberry.field(description="principal + interest + penalty (合计).")

    @classmethod
    def from_record(cls, record: AmountDueRecord) -> AmountDue:
        return cls(
            date=record.date,
            principal=record.principal,
            interest=record.interest,
            penalty=record.penalty,
            total=record.total,
        )


@strawberry.type(description="What settling the loan early costs on a given day.")
class PayoffQuote:
    as_of: dt.date = strawberry.field(description="The day the quote is for.")
    principal: Decimal = strawberry.field(description="Outstanding principal (剩余本金).")
    interest: Decimal = strawberry.field(description="Interest up to that day (利息).")
    fee: Decimal = strawberry.field(description="Early-settlement fee (提前结清手续费).")
    total: Decimal = strawberry.field(
        description="principal + interest + fee: what settling costs (结清金额)."
    )

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
    repayment_no: str = strawberry.field(description="WeBank's repayment number (还款流水号).")
    row: strawberry.Private[RepaymentRow]
    kind: RepaymentKind = strawberry.field(
        description="Scheduled debit, active repayment or early settlement."
    )
    principal: Decimal = strawberry.field(description="Principal repaid (还款本金).")
    interest: Decimal = strawberry.field(description="Interest repaid (还款利息).")
    penalty: Decimal = strawberry.field(description="Penalty interest repaid (罚息).")
    amount: Decimal = strawberry.field(description="principal + interest + penalty (还款金额).")
    paid_at: datetime = strawberry.field(description="When WeBank posted it (还款时间).")

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

    @strawberry.field(description="The loan this repayment belongs to.")
    async def loan(self, info: Info) -> Annotated[Loan, strawberry.lazy("bff.schema.loans")]:
        return Loan.from_record(await loan_of_repayment(context_of(info), self.row))


@strawberry.type(description="A loan: order-backed (订单贷) or credit (信用贷).")
class Loan(ResolvedByKeys, relay.Node):
    key: relay.NodeID[str]
    loan_no: str = strawberry.field(description="WeBank's loan number (借据号).")
    row: strawberry.Private[LoanRow]
    kind: LoanKind = strawberry.field(description="Order loan (订单贷) or credit loan (信用贷).")
    status: LoanStatus = strawberry.field(description="Status of the loan (融资状态).")
    amount: Decimal = strawberry.field(description="Amount applied for / paid out (融资金额), in CNY.")
    outstanding_principal: Decimal = strawberry.field(description="Principal still owed (剩余本金).")
    applied_at: datetime = strawberry.field(description="When it was applied for at WeBank (申请时间).")
    disbursed_at: datetime | None = strawberry.field(
        description="When it was paid out (放款时间), if it was."
    )
    settled_at: datetime | None = strawberry.field(
        description="When it was fully repaid (结清时间), if it was."
    )
    failure_reason: str | None = strawberry.field(description="Why it failed (失败原因), for a FAILED loan.")

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

    @strawberry.field(
        description='Annual rate (年化利率) as a decimal string, e.g. "0.072"; for a loan that was never '
        "disbursed (a FAILED one), the rate the bank quoted."
    )
    async def annual_rate(self, info: Info) -> str | None:
        rate = await annual_rate_of(context_of(info), self.row)
        return None if rate is None else str(rate.normalize())

    @strawberry.field(description="Term in months (借款期限); for a FAILED loan, the term the bank shows.")
    async def term_months(self, info: Info) -> int | None:
        return await term_months_of(context_of(info), self.row)

    @strawberry.field(description="How the loan is repaid (还款方式), as WeBank shows it; null if unknown.")
    async def repayment_method(self, info: Info) -> RepaymentMethod | None:
        bank = await bank_view(context_of(info), self.row)
        try:
            return (
                None
                if bank is None or bank.repayment_method is None
                else RepaymentMethod(bank.repayment_method)
            )
        except ValueError:
            return None

    @strawberry.field(
        description="What the next debit takes (应还金额), penalty included: all arrears today when overdue, "
        "else the next installment on its due date; null when nothing is left to pay."
    )
    async def amount_due(self, info: Info) -> AmountDue | None:
        context = context_of(info)
        bank = await bank_view(context, self.row)
        due = None if bank is None else amount_due(bank.plan, context.today())
        return None if due is None else AmountDue.from_record(due)

    @strawberry.field(
        description="The status as a person reads it, in the manual's Chinese (处理中, 已放款, 融资失败 …)."
    )
    def status_label(self) -> str:
        return loan_status_label(self.status)

    @strawberry.field(description="The orders this loan finances (order loans only).")
    async def orders(self, info: Info) -> list[Annotated[Order, strawberry.lazy("bff.schema.orders")]]:
        from bff.schema.orders import FINANCING_FIELDS, Order

        records = await orders_of_loan(context_of(info), self.row)
        return await Order.many(
            info, records, financing=not FINANCING_FIELDS.isdisjoint(selected_names(info))
        )

    @strawberry.field(description="The repayment plan, live from WeBank.")
    async def installments(self, info: Info) -> list[Installment]:
        context = context_of(info)
        bank = await bank_view(context, self.row)
        return [] if bank is None else [Installment.from_record(item, context.today()) for item in bank.plan]

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
    async def payoff_quote(
        self,
        info: Info,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The settlement day; today (Shanghai) if omitted."),
        ] = None,
    ) -> PayoffQuote | None:
        quote = await payoff_quote(context_of(info), self.row, as_of)
        return None if quote is None else PayoffQuote.from_record(quote)


@strawberry.type(description="A loan in a page of loans.")
class LoanEdge:
    node: Loan = strawberry.field(description="The loan.")
    cursor: str = strawberry.field(description="Pass as `after` to read the loans after this one.")


@strawberry.type(description="A page of the supplier's loans (数据列表).")
class LoanConnection:
    edges: list[LoanEdge] = strawberry.field(description="The loans of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow, and their cursors.")
    total_count: int = strawberry.field(description="Loans matching the filter, over all pages.")
