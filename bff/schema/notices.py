"""Notices (消息通知): what the platform told a supplier, the list, marking read, live delivery."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from bff.events import RESYNC, notice_topic
from bff.models import Notice as NoticeRow
from bff.resolvers.loans import load_loan
from bff.resolvers.notices import mark_notices_read, newest_notice_id, notices_after
from bff.schema.context import Info, context_of, supplier_context
from bff.schema.loans import Loan
from bff.schema.node import ResolvedByKeys, key_of, numeric_key
from bff.schema.user_errors import UserError, user_errors


@strawberry.enum(description="What a notice (消息通知) is about.")
class NoticeKind(enum.Enum):
    DUE_SOON = strawberry.enum_value("DUE_SOON", description="An installment is due in 5 days (还款提醒).")
    OVERDUE = strawberry.enum_value("OVERDUE", description="A loan fell overdue (逾期).")
    DEBIT_FAILED = strawberry.enum_value(
        "DEBIT_FAILED", description="An installment's automatic debit failed (自动扣款失败)."
    )
    DISBURSED = strawberry.enum_value("DISBURSED", description="A loan was paid out (放款成功).")
    LOAN_FAILED = strawberry.enum_value("LOAN_FAILED", description="A loan application failed (融资失败).")
    SETTLED = strawberry.enum_value("SETTLED", description="A loan was paid off (结清).")
    LIMIT_APPROVED = strawberry.enum_value(
        "LIMIT_APPROVED", description="WeBank approved the credit limit (授信通过)."
    )
    LIMIT_REJECTED = strawberry.enum_value(
        "LIMIT_REJECTED", description="WeBank rejected the credit application (授信拒绝)."
    )


@strawberry.type(
    description="A notice (消息通知) to the supplier about one happening; also sent once to the handler "
    "(经办人) by SMS and e-mail."
)
class Notice(ResolvedByKeys, relay.Node):
    notice_id: relay.NodeID[str]
    row: strawberry.Private[NoticeRow]
    kind: NoticeKind = strawberry.field(description="What it is about (消息类型).")
    title: str = strawberry.field(description="Its title (标题), in Chinese.")
    body: str = strawberry.field(description="Its text (内容), in Chinese, with amounts and dates.")
    created_at: datetime = strawberry.field(description="When it was created (通知时间).")
    read_at: datetime | None = strawberry.field(
        description="When the supplier marked it read (已读时间); null while unread."
    )

    @classmethod
    def from_record(cls, row: NoticeRow) -> Notice:
        return cls(
            notice_id=str(row.id),
            row=row,
            kind=NoticeKind(row.kind.value),
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
        )

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Notice | None]:
        viewer = context_of(info).viewer
        ids = [numeric_key(key) for key in keys]
        rows = {row.id: row for row in await NoticeRow.filter(id__in=ids)}
        return [
            cls.from_record(row) if (row := rows.get(i)) and viewer.may_read(row.supplier_code) else None
            for i in ids
        ]

    @strawberry.field(description="The loan (借据) it is about, if one.")
    async def loan(self, info: Info) -> Loan | None:
        if self.row.loan_no is None:
            return None
        row = await load_loan(context_of(info), self.row.loan_no)
        return None if row is None else Loan.from_record(row)


@strawberry.type(description="A notice in a list of notices (消息列表).")
class NoticeEdge:
    node: Notice = strawberry.field(description="The notice (消息).")
    cursor: str = strawberry.field(description="Where this notice is in the list, for `after`.")


@strawberry.type(description="A page of the supplier's notices (消息列表), newest first.")
class NoticeConnection:
    edges: list[NoticeEdge] = strawberry.field(description="The notices of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow.")
    total_count: int = strawberry.field(description="How many notices the list holds (总数).")
    unread_count: int = strawberry.field(
        description="How many of the supplier's notices are unread (未读数)."
    )


@strawberry.input(description="Notices to mark read (标为已读).")
class MarkNoticesReadInput:
    ids: list[strawberry.ID] = strawberry.field(description="1–100 ids of the viewer's notices.")


@strawberry.type(description="What `markNoticesRead` did.")
class MarkNoticesReadPayload:
    notices: list[Notice] = strawberry.field(
        description="The notices, now read (已读), in the order asked; empty when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="NOTICE_NOT_FOUND when an id is not a notice of the viewer (nothing is marked then)."
    )


@strawberry.type
class NoticeMutations:
    @strawberry.mutation(
        description="Mark notices read (标为已读); already read ones keep their time. Suppliers only."
    )
    async def mark_notices_read(
        self,
        info: Info,
        input: Annotated[
            MarkNoticesReadInput, strawberry.argument(description="The notices to mark read (标为已读).")
        ],
    ) -> MarkNoticesReadPayload:
        context = supplier_context(info)
        ids = [
            numeric_key(key_of(str(value), "Notice", "`ids` must be ids of Notices.")) for value in input.ids
        ]
        outcome = await mark_notices_read(context, ids)
        return MarkNoticesReadPayload(
            notices=[Notice.from_record(row) for row in outcome.notices],
            user_errors=user_errors(outcome.refusals),
        )


@strawberry.type
class NoticeSubscriptions:
    @strawberry.subscription(
        description="Each new notice (新消息) of the viewer as it is created, from the moment of subscribing."
    )
    async def notice_received(self, info: Info) -> AsyncGenerator[Notice, None]:
        context = supplier_context(info)
        code = context.viewer.supplier_code
        # Where the list stands, read before listening: a notice created in between is newer than it, and
        # the next event (or resync) brings it.
        last_seen = await newest_notice_id(code)
        async with context.services.broker.subscribe(notice_topic(code)) as events:
            async for event in events:
                if event != RESYNC and event.get("kind") != "notice":
                    continue
                for row in await notices_after(code, last_seen):
                    last_seen = row.id
                    yield Notice.from_record(row)
