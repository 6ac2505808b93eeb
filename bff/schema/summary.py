"""`Supplier.summary`: the supplier's dashboard figures (首页概览)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from bff.resolvers.summary import SupplierSummary as SupplierSummaryRecord
from bff.schema.loans import Loan


@strawberry.type(description="What the next debit takes (下期应还), across all of the supplier's loans.")
class NextDue:
    date: dt.date = strawberry.field(description="When it is due (应还日期); today for arrears.")
    amount: Decimal = strawberry.field(
        description="What it takes (应还金额): principal, interest and any penalty (罚息)."
    )
    loan: Loan = strawberry.field(description="The loan (借据) it is due on.")


@strawberry.type(
    description="The supplier's dashboard figures (首页概览), computed together from what the platform "
    "holds, one read of the bank's repayment plans and the supplier's orders."
)
class SupplierSummary:
    record: strawberry.Private[SupplierSummaryRecord]

    @strawberry.field(description="Principal still owed on disbursed and overdue loans (剩余未还本金).")
    def outstanding_principal(self) -> Decimal:
        return self.record.figures.outstanding_principal

    @strawberry.field(description="Arrears of the installments overdue now (逾期金额).")
    def overdue_amount(self) -> Decimal:
        return self.record.figures.overdue_amount

    @strawberry.field(
        description="The earliest amount due (下期应还) of any loan; null when nothing is due, or (with "
        "UPSTREAM_UNAVAILABLE) while the bank is down."
    )
    def next_due(self) -> NextDue | None:
        if self.record.plans_error is not None:
            raise self.record.plans_error
        due = self.record.figures.next_due
        if due is None:
            return None
        return NextDue(
            date=due.date, amount=due.amount, loan=Loan.from_record(self.record.loans[due.loan_no])
        )

    @strawberry.field(
        description="Orders that can back a new order loan now (可融资订单数); null while both order "
        "systems are down."
    )
    def financeable_order_count(self) -> int | None:
        if self.record.orders_error is not None:
            raise self.record.orders_error
        return self.record.figures.financeable_order_count

    @strawberry.field(
        description="What those orders can finance in total (可融资金额合计); null while both order "
        "systems are down."
    )
    def financeable_total(self) -> Decimal | None:
        if self.record.orders_error is not None:
            raise self.record.orders_error
        return self.record.figures.financeable_total
