"""The back office (运营后台): root fields for platform operators only; every read is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import relay

from bff.domain.funnel import FunnelRow
from bff.domain.statuses import AdmissionStatus, EntryPoint
from bff.resolvers.operators import funnel, list_suppliers, overdue_loans
from bff.schema.context import Info, context_of
from bff.schema.loans import Loan, LoanConnection, LoanEdge
from bff.schema.supplier import Supplier, page_info


@strawberry.type(description="A supplier in a list of suppliers (供应商列表).")
class SupplierEdge:
    node: Supplier = strawberry.field(description="The supplier (供应商).")
    cursor: str = strawberry.field(description="Where this supplier is in the list, for `after`.")


@strawberry.type(description="A page of suppliers (供应商列表), newest admission first.")
class SupplierConnection:
    edges: list[SupplierEdge] = strawberry.field(description="The suppliers of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow.")
    total_count: int = strawberry.field(description="How many suppliers match the filters (总数).")


@strawberry.type(
    description="How far the admissions that began at one entry point (入口) got: the entry-point funnel "
    "(入口分析)."
)
class EntryPointFunnelRow:
    entry_point: EntryPoint = strawberry.field(description="The entry point (入口).")
    agreed: int = strawberry.field(description="Admissions begun here by agreeing (同意授权).")
    opened: int = strawberry.field(description="Of them, those that reached 开通 (开通).")
    approved: int = strawberry.field(description="Of them, those WeBank approved (授信通过).")
    rejected: int = strawberry.field(description="Of them, those WeBank rejected (授信拒绝).")

    @classmethod
    def from_record(cls, row: FunnelRow) -> EntryPointFunnelRow:
        return cls(
            entry_point=row.entry_point,
            agreed=row.agreed,
            opened=row.opened,
            approved=row.approved,
            rejected=row.rejected,
        )


@strawberry.type
class OperatorQueries:
    @strawberry.field(
        description="Suppliers with an admission (准入), newest first, for the back office (运营后台). "
        "Platform operators only; every read is audited."
    )
    async def suppliers(
        self,
        info: Info,
        admission_statuses: Annotated[
            list[AdmissionStatus] | None,
            strawberry.argument(
                description="Only suppliers whose current admission is in one of these (准入状态)."
            ),
        ] = None,
        entry_points: Annotated[
            list[EntryPoint] | None,
            strawberry.argument(description="Only suppliers who entered at one of these (入口)."),
        ] = None,
        overdue: Annotated[
            bool | None,
            strawberry.argument(
                description="True: only suppliers with a loan overdue now (逾期); false: only those without."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> SupplierConnection:
        page = await list_suppliers(
            context_of(info),
            admission_statuses=admission_statuses,
            entry_points=entry_points,
            overdue=overdue,
            first=first,
            after=after,
        )
        edges = [SupplierEdge(node=Supplier.of(code), cursor=cursor) for code, cursor in page.edges]
        return SupplierConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
        )

    @strawberry.field(
        description="The entry-point funnel (入口分析): per entry point, the admissions agreed between two "
        "days (Shanghai time, both included) and how many were opened, approved and rejected. Platform "
        "operators only."
    )
    async def entry_point_funnel(
        self,
        info: Info,
        from_: Annotated[dt.date, strawberry.argument(name="from", description="First day (起始日期).")],
        to: Annotated[dt.date, strawberry.argument(description="Last day (截止日期).")],
    ) -> list[EntryPointFunnelRow]:
        return [EntryPointFunnelRow.from_record(row) for row in await funnel(context_of(info), from_, to)]

    @strawberry.field(
        description="Every supplier's overdue loans (逾期借据), in the order they were recorded. Platform "
        "operators only."
    )
    async def overdue_loans(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> LoanConnection:
        page = await overdue_loans(context_of(info), first=first, after=after)
        edges = [LoanEdge(node=Loan.from_record(row), cursor=cursor) for row, cursor in page.edges]
        return LoanConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
        )
