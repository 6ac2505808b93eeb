"""The supplier: profile from the mall, eligibility from both systems, and everything it owns here."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import strawberry
from strawberry import relay

from bff.domain.credit_code import is_valid_credit_code
from bff.domain.eligibility import Eligibility as EligibilityRecord
from bff.domain.eligibility import ReasonCode as ReasonCodeEnum
from bff.domain.records import OrderSource as OrderSourceEnum
from bff.domain.records import OrderStatus as OrderStatusEnum
from bff.domain.statuses import ApplicationStatus as ApplicationStatusEnum
from bff.domain.statuses import LoanKind as LoanKindEnum
from bff.domain.statuses import LoanStatus as LoanStatusEnum
from bff.errors import ForbiddenError
from bff.resolvers.admission import current_admission, current_limit
from bff.resolvers.applications import list_applications
from bff.resolvers.financing import check_order_financing
from bff.resolvers.loans import list_loans, repayment_record
from bff.resolvers.orders import list_orders
from bff.resolvers.suppliers import readable_supplier_code, require_profile, supplier_eligibility
from bff.schema.admission import Admission, CreditLimit
from bff.schema.context import Info, context_of
from bff.schema.financing import (
    FinancingApplication,
    FinancingApplicationConnection,
    FinancingApplicationEdge,
    FinancingPreview,
    order_keys,
)
from bff.schema.loans import Loan, LoanConnection, LoanEdge
from bff.schema.node import ResolvedByKeys
from bff.schema.orders import Order, OrderConnection, OrderEdge

strawberry.enum(ReasonCodeEnum, name="EligibilityReasonCode")


@strawberry.type
class Region:
    province: str
    city: str


@strawberry.type
class EligibilityReason:
    code: ReasonCodeEnum
    message: str


@strawberry.type(description="Whether the supplier meets the three admission rules (业务准入门槛).")
class Eligibility:
    eligible: bool
    reasons: list[EligibilityReason]
    eligible_from: dt.date | None = strawberry.field(
        description="When only the 12-month cooperation rule fails: the first day on which it passes."
    )

    @classmethod
    def from_record(cls, record: EligibilityRecord) -> Eligibility:
        return cls(
            eligible=record.eligible,
            reasons=[EligibilityReason(code=r.code, message=r.message) for r in record.reasons],
            eligible_from=record.eligible_from,
        )


@strawberry.type(
    description="The supplier's repayment and overdue record, kept for later business decisions."
)
class RepaymentRecord:
    on_time_count: int
    overdue_count: int
    max_overdue_days: int
    overdue_principal: Decimal = strawberry.field(description="Principal outstanding on loans overdue now.")
    current_overdue_amount: Decimal = strawberry.field(description="Arrears WeBank reports as overdue now.")


def page_info(cursors: list[str], has_next_page: bool, after: str | None) -> relay.PageInfo:
    """Forward-only pagination: a page after a cursor has a previous page, the first page has none."""
    return relay.PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(description="A supplier of the Yunzhu platform.")
class Supplier(ResolvedByKeys, relay.Node):
    key: relay.NodeID[str]
    code: str

    @classmethod
    def of(cls, code: str) -> Supplier:
        return cls(key=code, code=code)

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Supplier | None]:
        context = context_of(info)
        codes = await asyncio.gather(*(readable_supplier_code(context, key) for key in keys))
        return [None if code is None else cls.of(code) for code in codes]

    # Fields read from the mall or MRO are nullable: when an upstream is down, only they are null (with an
    # UPSTREAM_UNAVAILABLE error at their path) and the rest of the supplier still answers.
    @strawberry.field
    async def name(self, info: Info) -> str | None:
        return (await require_profile(context_of(info), self.code)).name

    @strawberry.field(description="统一社会信用代码, as the platform holds it.")
    async def credit_code(self, info: Info) -> str | None:
        return (await require_profile(context_of(info), self.code)).credit_code

    @strawberry.field(
        description="False when the credit code fails the GB 32100 check; it is then never pushed."
    )
    async def credit_code_valid(self, info: Info) -> bool | None:
        return is_valid_credit_code((await require_profile(context_of(info), self.code)).credit_code)

    @strawberry.field(description="The registered region, as the platform holds it.")
    async def region(self, info: Info) -> Region | None:
        profile = await require_profile(context_of(info), self.code)
        return Region(province=profile.province, city=profile.city)

    @strawberry.field
    async def eligibility(self, info: Info) -> Eligibility | None:
        return Eligibility.from_record(await supplier_eligibility(context_of(info), self.code))

    @strawberry.field(description="The current admission; earlier ones stay in history.")
    async def admission(self, info: Info) -> Admission | None:
        row = await current_admission(context_of(info), self.code)
        return None if row is None else Admission.from_record(row)

    @strawberry.field
    async def credit_limit(self, info: Info) -> CreditLimit | None:
        row = await current_limit(context_of(info), self.code)
        return None if row is None else CreditLimit.from_record(row)

    @strawberry.field(description="Orders of both systems, newest first.")
    async def orders(
        self,
        info: Info,
        source: OrderSourceEnum | None = None,
        statuses: list[OrderStatusEnum] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> OrderConnection:
        page = await list_orders(
            context_of(info), self.code, source=source, statuses=statuses, first=first, after=after
        )
        nodes = await Order.many(info, [edge.order for edge in page.edges])
        edges = [
            OrderEdge(node=node, cursor=edge.cursor) for node, edge in zip(nodes, page.edges, strict=True)
        ]
        return OrderConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
            unavailable_sources=list(page.unavailable_sources),
        )

    @strawberry.field(description="Loans, newest first (数据列表).")
    async def loans(
        self,
        info: Info,
        statuses: list[LoanStatusEnum] | None = None,
        kinds: list[LoanKindEnum] | None = None,
        applied_from: dt.date | None = None,
        applied_to: dt.date | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> LoanConnection:
        page = await list_loans(
            context_of(info),
            self.code,
            statuses=statuses,
            kinds=kinds,
            applied_from=applied_from,
            applied_to=applied_to,
            first=first,
            after=after,
        )
        edges = [LoanEdge(node=Loan.from_record(edge.loan), cursor=edge.cursor) for edge in page.edges]
        return LoanConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
        )

    @strawberry.field(
        description="Order-financing applications, newest first; `statuses` filters by what they are now."
    )
    async def financing_applications(
        self,
        info: Info,
        statuses: list[ApplicationStatusEnum] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> FinancingApplicationConnection:
        page = await list_applications(
            context_of(info), self.code, statuses=statuses, first=first, after=after
        )
        edges = [
            FinancingApplicationEdge(
                node=FinancingApplication.from_record(edge.application), cursor=edge.cursor
            )
            for edge in page.edges
        ]
        return FinancingApplicationConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
        )

    @strawberry.field(
        description="What applying with these orders would allow; checks everything, changes nothing."
    )
    async def financing_preview(self, info: Info, order_ids: list[strawberry.ID]) -> FinancingPreview:
        context = context_of(info)
        if self.code != context.viewer.supplier_code:
            raise ForbiddenError("Only the supplier itself can preview its financing.")
        outcome = await check_order_financing(context, order_keys(order_ids))
        return await FinancingPreview.from_outcome(info, outcome)

    @strawberry.field
    async def repayment_record(self, info: Info) -> RepaymentRecord:
        record = await repayment_record(context_of(info), self.code)
        return RepaymentRecord(
            on_time_count=record.on_time_count,
            overdue_count=record.overdue_count,
            max_overdue_days=record.max_overdue_days,
            overdue_principal=record.overdue_principal,
            current_overdue_amount=record.current_overdue_amount,
        )
