"""The supplier: profile from the mall, eligibility from both systems, and everything it owns here."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Annotated

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
from bff.resolvers.bank import account_transactions, bank_accounts, supplier_documents
from bff.resolvers.financing import check_order_financing
from bff.resolvers.loans import list_loans, repayment_record
from bff.resolvers.notices import list_notices
from bff.resolvers.orders import list_orders
from bff.resolvers.summary import supplier_summary
from bff.resolvers.suppliers import readable_supplier_code, require_profile, supplier_eligibility
from bff.schema.admission import Admission, CreditLimit
from bff.schema.bank import (
    AccountTransaction,
    AccountTransactionConnection,
    AccountTransactionEdge,
    BankAccounts,
    Document,
    DocumentConnection,
    DocumentEdge,
    DocumentKind,
)
from bff.schema.context import Info, context_of
from bff.schema.described_enum import described_enum
from bff.schema.financing import (
    FinancingApplication,
    FinancingApplicationConnection,
    FinancingApplicationEdge,
    FinancingPreview,
    order_keys,
)
from bff.schema.loans import Loan, LoanConnection, LoanEdge
from bff.schema.node import ResolvedByKeys, key_of
from bff.schema.notices import Notice, NoticeConnection, NoticeEdge
from bff.schema.orders import FINANCING_FIELDS, Order, OrderConnection, OrderEdge
from bff.schema.selection import selected_names
from bff.schema.summary import SupplierSummary

described_enum(
    ReasonCodeEnum,
    "Which admission threshold (业务准入门槛) the supplier fails, in the manual's rule order.",
    {
        ReasonCodeEnum.REGION_NOT_COVERED: "Registered outside the open regions (注册所在地不在开放地区).",
        ReasonCodeEnum.COOPERATION_UNDER_12_MONTHS: "First fulfilment less than 12 months ago (合作年限不足1年).",
        ReasonCodeEnum.NO_FULFILLMENT_IN_6_MONTHS: "No completed 结算单/产值单 in the last 6 months (近6个月无履约).",
    },
    name="EligibilityReasonCode",
)


@strawberry.type(description="A registered region (注册所在地).")
class Region:
    province: str = strawberry.field(description="Province (省).")
    city: str = strawberry.field(description="City (市).")


@strawberry.type(description="One failed admission threshold.")
class EligibilityReason:
    code: ReasonCodeEnum = strawberry.field(description="Which threshold fails.")
    message: str = strawberry.field(description="For the supplier, in Chinese.")


@strawberry.type(description="Whether the supplier meets the three admission rules (业务准入门槛).")
class Eligibility:
    eligible: bool = strawberry.field(description="True when all three thresholds pass.")
    reasons: list[EligibilityReason] = strawberry.field(description="The failed thresholds, in rule order.")
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
    on_time_count: int = strawberry.field(description="Installments repaid on time (按时还款次数).")
    overdue_count: int = strawberry.field(description="Installments repaid late or overdue (逾期次数).")
    max_overdue_days: int = strawberry.field(description="Longest overdue stretch, in days (最长逾期天数).")
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
    code: str = strawberry.field(description="Supplier code on the Yunzhu platform (供应商编码).")

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
    @strawberry.field(description="Company name (企业名称), from the mall.")
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

    @strawberry.field(description="Whether it meets the admission thresholds (业务准入门槛).")
    async def eligibility(self, info: Info) -> Eligibility | None:
        return Eligibility.from_record(await supplier_eligibility(context_of(info), self.code))

    @strawberry.field(description="The current admission; earlier ones stay in history.")
    async def admission(self, info: Info) -> Admission | None:
        row = await current_admission(context_of(info), self.code)
        return None if row is None else Admission.from_record(row)

    @strawberry.field(description="The credit limit WeBank approved (授信额度); null until approved.")
    async def credit_limit(self, info: Info) -> CreditLimit | None:
        row = await current_limit(context_of(info), self.code)
        return None if row is None else CreditLimit.from_record(row)

    @strawberry.field(description="Orders of both systems, newest first.")
    async def orders(
        self,
        info: Info,
        source: Annotated[
            OrderSourceEnum | None,
            strawberry.argument(description="Only this order system; both if omitted."),
        ] = None,
        statuses: Annotated[
            list[OrderStatusEnum] | None, strawberry.argument(description="Only orders in these statuses.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> OrderConnection:
        page = await list_orders(
            context_of(info), self.code, source=source, statuses=statuses, first=first, after=after
        )
        nodes = await Order.many(
            info,
            [edge.order for edge in page.edges],
            financing=not FINANCING_FIELDS.isdisjoint(selected_names(info, ("edges", "node"))),
        )
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
        statuses: Annotated[
            list[LoanStatusEnum] | None, strawberry.argument(description="Only loans in these statuses.")
        ] = None,
        kinds: Annotated[
            list[LoanKindEnum] | None, strawberry.argument(description="Only loans of these kinds.")
        ] = None,
        applied_from: Annotated[
            dt.date | None, strawberry.argument(description="Applied on or after this day (申请日期起).")
        ] = None,
        applied_to: Annotated[
            dt.date | None, strawberry.argument(description="Applied on or before this day (申请日期止).")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
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
        statuses: Annotated[
            list[ApplicationStatusEnum] | None,
            strawberry.argument(description="Only applications in these statuses (as they are now)."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
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
    async def financing_preview(
        self,
        info: Info,
        order_ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The selected orders (勾选订单).")
        ],
    ) -> FinancingPreview:
        context = context_of(info)
        if self.code != context.viewer.supplier_code:
            raise ForbiddenError("Only the supplier itself can preview its financing.")
        outcome = await check_order_financing(context, order_keys(order_ids))
        return await FinancingPreview.from_outcome(info, outcome)

    @strawberry.field(
        description="Dashboard figures (首页概览): outstanding principal, overdue amount, the next amount "
        "due, and the orders that can be financed now — computed together, without a call per loan."
    )
    async def summary(self, info: Info) -> SupplierSummary:
        return SupplierSummary(record=await supplier_summary(context_of(info), self.code))

    @strawberry.field(
        description="Notices (消息通知) to the supplier, newest first: due dates, overdue, failed debits, "
        "disbursements, settlements and credit decisions."
    )
    async def notices(
        self,
        info: Info,
        unread_only: Annotated[bool, strawberry.argument(description="Only the unread ones (未读).")] = False,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> NoticeConnection:
        page = await list_notices(
            context_of(info), self.code, unread_only=unread_only, first=first, after=after
        )
        edges = [NoticeEdge(node=Notice.from_record(row), cursor=cursor) for row, cursor in page.edges]
        return NoticeConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
            unread_count=page.unread_count,
        )

    @strawberry.field(description="Repayment and overdue record (还款和逾期记录).")
    async def repayment_record(self, info: Info) -> RepaymentRecord:
        record = await repayment_record(context_of(info), self.code)
        return RepaymentRecord(
            on_time_count=record.on_time_count,
            overdue_count=record.overdue_count,
            max_overdue_days=record.max_overdue_days,
            overdue_principal=record.overdue_principal,
            current_overdue_amount=record.current_overdue_amount,
        )

    @strawberry.field(
        description="Receiving (收款账户) and repayment (还款账户) accounts at WeBank, numbers masked; null "
        "(with an UPSTREAM_UNAVAILABLE error) while the bank is down."
    )
    async def bank_accounts(self, info: Info) -> BankAccounts | None:
        return BankAccounts.of(await bank_accounts(context_of(info), self.code))

    @strawberry.field(
        description="Account transactions (业务流水), newest first, between two days (both included; "
        "default: the last 90 days; at most 366 days); null while the bank is down."
    )
    async def account_transactions(
        self,
        info: Info,
        from_: Annotated[
            dt.date | None,
            strawberry.argument(
                name="from", description="First day (起始日期); default 90 days before `to`."
            ),
        ] = None,
        to: Annotated[
            dt.date | None, strawberry.argument(description="Last day (截止日期); default today.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> AccountTransactionConnection | None:
        page = await account_transactions(
            context_of(info), self.code, start=from_, end=to, first=first, after=after
        )
        edges = [
            AccountTransactionEdge(node=node, cursor=edge.cursor)
            for edge in page.edges
            if (node := AccountTransaction.of(edge.transaction)) is not None
        ]
        return AccountTransactionConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in page.edges], page.has_next_page, after),
            total_count=page.total_count,
            from_date=page.start,
            to_date=page.end,
        )

    @strawberry.field(
        description="Every document WeBank issued the supplier (合同、协议与凭证), the bank's order; "
        "null while the bank is down."
    )
    async def documents(
        self,
        info: Info,
        kinds: Annotated[
            list[DocumentKind] | None, strawberry.argument(description="Only these kinds (文件类型).")
        ] = None,
        loan_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the documents of this loan (借据).")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> DocumentConnection | None:
        loan_no = (
            None if loan_id is None else key_of(str(loan_id), "Loan", "`loanId` must be the id of a Loan.")
        )
        page = await supplier_documents(
            context_of(info),
            self.code,
            kinds=None if kinds is None else [str(kind.value) for kind in kinds],
            loan_no=loan_no,
            first=first,
            after=after,
        )
        edges = [
            DocumentEdge(node=Document.of(self.code, edge.document), cursor=edge.cursor)
            for edge in page.edges
        ]
        return DocumentConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next_page, after),
            total_count=page.total_count,
        )
