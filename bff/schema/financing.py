"""Order financing (订单贷) and credit financing (信用贷): preview, application, hand-over to WeBank."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import relay

from bff.domain.financeability import FinancingQuote
from bff.domain.money import fen_to_yuan
from bff.domain.records import OrderKey, OrderSource, OrderStatus
from bff.domain.status_labels import application_status_label
from bff.domain.statuses import ApplicationStatus
from bff.errors import InvalidInputError
from bff.models import ApplicationOrder as ApplicationOrderRow
from bff.models import FinancingApplication as ApplicationRow
from bff.resolvers import financing as flow
from bff.resolvers.applications import application_status, cancel_application
from bff.resolvers.loans import loans_of_application
from bff.resolvers.orders import load_order
from bff.resolvers.push_errors import application_push_error
from bff.schema.context import Info, context_of, supplier_context
from bff.schema.described_enum import described_enum
from bff.schema.loans import Loan
from bff.schema.node import ResolvedByKeys, key_of, numeric_key
from bff.schema.orders import Order, order_key
from bff.schema.push_error import PushError
from bff.schema.user_errors import UserError, user_errors

described_enum(
    ApplicationStatus,
    "Where an order-financing application (融资申请) stands; `FinancingApplication.statusLabel` gives the "
    "Chinese a person reads.",
    {
        ApplicationStatus.PENDING_PUSH: "Orders reserved, waiting to be pushed to WeBank (待推送).",
        ApplicationStatus.HANDED_OVER: "Orders pushed; the supplier continues on WeBank's financing page (已提交微众).",
        ApplicationStatus.LOAN_CREATED: "WeBank made a loan from it (已生成贷款).",
        ApplicationStatus.EXPIRED: "Abandoned past `expiresAt`; its orders are free again (已过期).",
        ApplicationStatus.FAILED: "WeBank refused the orders push; its orders are free again (推送失败).",
        ApplicationStatus.CANCELLED: "Withdrawn by the supplier; its orders are free again (已撤销).",
    },
    name="FinancingApplicationStatus",
)


@strawberry.type(description="One selected order and what it can back.")
class FinancingLine:
    order: Order = strawberry.field(description="The selected order.")
    financed_amount: Decimal = strawberry.field(description="What live loans already finance on it.")
    financeable_amount: Decimal = strawberry.field(description="What it can back now (可融资金额).")


@strawberry.type(
    description="What an order-financing application with these orders would allow; changes nothing."
)
class FinancingPreview:
    lines: list[FinancingLine] = strawberry.field(description="One line per selected order.")
    financeable_total: Decimal = strawberry.field(description="Sum of the lines' financeable amounts.")
    available_limit: Decimal = strawberry.field(description="Available order-loan share of the credit limit.")
    ceiling: Decimal = strawberry.field(
        description="min(financeableTotal, availableLimit): the most one can borrow."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )

    @classmethod
    async def from_outcome(cls, info: Info, outcome: flow.FinancingOutcome) -> FinancingPreview:
        result = outcome.quote
        zero = Decimal("0.00")
        return cls(
            lines=[] if result is None else await _lines(info, result),
            financeable_total=zero if result is None else result.financeable_total,
            available_limit=zero if result is None else result.available_limit,
            ceiling=zero if result is None else result.ceiling,
            user_errors=user_errors(outcome.refusals),
        )


async def _lines(info: Info, result: FinancingQuote) -> list[FinancingLine]:
    orders = await Order.many(info, [line.order for line in result.lines])
    return [
        FinancingLine(order=order, financed_amount=line.financed, financeable_amount=line.financeable)
        for order, line in zip(orders, result.lines, strict=True)
    ]


@strawberry.type(description="An order as it was when the application was made.")
class ApplicationOrder:
    row: strawberry.Private[ApplicationOrderRow]
    source: OrderSource = strawberry.field(description="The order system (集采 mall or MRO).")
    order_no: str = strawberry.field(description="Order number (订单编号).")
    status_at_application: OrderStatus = strawberry.field(
        description="Its status when the application was made."
    )
    amount: Decimal = strawberry.field(description="Order amount then (订单金额).")
    financeable_amount: Decimal = strawberry.field(description="What it could back then (可融资金额).")

    @classmethod
    def from_record(cls, row: ApplicationOrderRow) -> ApplicationOrder:
        return cls(
            row=row,
            source=row.source,
            order_no=row.order_no,
            status_at_application=row.status_at_application,
            amount=fen_to_yuan(row.amount_fen),
            financeable_amount=fen_to_yuan(row.financeable_fen),
        )

    @strawberry.field(description="The order as it is now; null if the order system no longer has it.")
    async def order(self, info: Info) -> Order | None:
        record = await load_order(context_of(info), OrderKey(self.row.source, self.row.order_id))
        return None if record is None else (await Order.many(info, [record]))[0]


@strawberry.type(
    description="An order-financing application handed to WeBank. `status` is what it is now: an open one "
    "past `expiresAt` reads EXPIRED."
)
class FinancingApplication(ResolvedByKeys, relay.Node):
    key: relay.NodeID[str]
    row: strawberry.Private[ApplicationRow]
    status: ApplicationStatus = strawberry.field(description="Where the application stands now.")
    ceiling: Decimal = strawberry.field(description="The most one could borrow on it (可融资上限).")
    financeable_total: Decimal = strawberry.field(description="Sum of its orders' financeable amounts.")
    financing_url: str | None = strawberry.field(
        description="WeBank's financing page; null until WeBank has taken the orders."
    )
    created_at: datetime = strawberry.field(description="When it was made (申请时间).")
    expires_at: datetime = strawberry.field(description="When an open one lapses and frees its orders.")

    @classmethod
    def from_record(cls, row: ApplicationRow) -> FinancingApplication:
        return cls(
            key=str(row.id),
            row=row,
            status=application_status(row),
            ceiling=fen_to_yuan(row.ceiling_fen),
            financeable_total=fen_to_yuan(row.financeable_total_fen),
            financing_url=row.financing_url,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[FinancingApplication | None]:
        context = context_of(info)
        ids = [numeric_key(key) for key in keys]
        rows = await asyncio.gather(
            *(flow.load_application(context, application_id) for application_id in ids)
        )
        return [None if row is None else cls.from_record(row) for row in rows]

    @strawberry.field(
        description="The status as a person reads it, in the manual's Chinese (待微众银行确认, 已生成融资, 已撤销 …)."
    )
    def status_label(self) -> str:
        return application_status_label(self.status)

    @strawberry.field(
        description="True while the orders wait to be pushed to WeBank (retried automatically)."
    )
    def hand_over_pending(self) -> bool:
        return self.row.status is ApplicationStatus.PENDING_PUSH

    @strawberry.field(
        description="Why the orders never reached WeBank (refused, or retries gave up); null otherwise. "
        "Such an application is FAILED and its orders are free again."
    )
    async def push_error(self) -> PushError | None:
        return PushError.from_record(await application_push_error(self.row.id))

    @strawberry.field(description="The orders it was made with, as they were then.")
    async def orders(self) -> list[ApplicationOrder]:
        return [ApplicationOrder.from_record(row) for row in await flow.application_orders(self.row)]

    @strawberry.field(description="The loans WeBank made from this application.")
    async def loans(self) -> list[Loan]:
        return [Loan.from_record(row) for row in await loans_of_application(self.row.id)]


@strawberry.input(description="Orders to apply for an order loan with (勾选订单).")
class ApplyForOrderFinancingInput:
    order_ids: list[strawberry.ID] = strawberry.field(description="Orders of the viewer, mall and MRO mixed.")


@strawberry.type(description="The result of applyForOrderFinancing.")
class ApplyForOrderFinancingPayload:
    application: FinancingApplication | None = strawberry.field(
        description="The new application; null if refused."
    )
    redirect_url: str | None = strawberry.field(
        description="WeBank's financing page to redirect to; null while the hand-over is pending."
    )
    hand_over_pending: bool = strawberry.field(
        description="True while the orders wait to be pushed to WeBank."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.type(description="An application in a page of applications.")
class FinancingApplicationEdge:
    node: FinancingApplication = strawberry.field(description="The application.")
    cursor: str = strawberry.field(description="Pass as `after` to read the applications after this one.")


@strawberry.type(description="A page of the supplier's financing applications.")
class FinancingApplicationConnection:
    edges: list[FinancingApplicationEdge] = strawberry.field(description="The applications of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow, and their cursors.")
    total_count: int = strawberry.field(description="Applications matching the filter, over all pages.")


@strawberry.input(description="The application to withdraw.")
class CancelFinancingApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="A FinancingApplication of the viewer.")


@strawberry.type(description="The result of cancelFinancingApplication.")
class CancelFinancingApplicationPayload:
    application: FinancingApplication | None = strawberry.field(
        description="The application as it is now (CANCELLED when cancelled); null if not found."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.type(description="The result of applyForCreditFinancing.")
class ApplyForCreditFinancingPayload:
    redirect_url: str | None = strawberry.field(description="WeBank's credit-financing page.")
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


ORDER_IDS_REFUSAL = "`orderIds` must hold ids of orders from this graph."


def _order_key(order_id: strawberry.ID) -> OrderKey:
    key = order_key(key_of(str(order_id), "Order", ORDER_IDS_REFUSAL))
    if key is None:
        raise InvalidInputError(ORDER_IDS_REFUSAL)
    return key


def order_keys(order_ids: list[strawberry.ID]) -> list[OrderKey]:
    return [_order_key(order_id) for order_id in order_ids]


@strawberry.type
class FinancingMutations:
    @strawberry.mutation(
        description="Apply for an order loan backed by the selected orders (mall and MRO mixed)."
    )
    async def apply_for_order_financing(
        self,
        info: Info,
        input: Annotated[
            ApplyForOrderFinancingInput, strawberry.argument(description="The selected orders.")
        ],
    ) -> ApplyForOrderFinancingPayload:
        outcome = await flow.apply_for_order_financing(supplier_context(info), order_keys(input.order_ids))
        application = outcome.application
        return ApplyForOrderFinancingPayload(
            application=None if application is None else FinancingApplication.from_record(application),
            redirect_url=outcome.redirect_url,
            hand_over_pending=application is not None
            and application.status is ApplicationStatus.PENDING_PUSH,
            user_errors=user_errors(outcome.refusals),
        )

    @strawberry.mutation(
        description="Withdraw an open order-financing application: it becomes CANCELLED and its orders are "
        "free at once. Refused with APPLICATION_NOT_CANCELLABLE once WeBank made a loan from it or it "
        "expired; cancelling a CANCELLED one again answers it unchanged."
    )
    async def cancel_financing_application(
        self,
        info: Info,
        input: Annotated[
            CancelFinancingApplicationInput, strawberry.argument(description="The application.")
        ],
    ) -> CancelFinancingApplicationPayload:
        context = supplier_context(info)
        key = numeric_key(
            key_of(
                str(input.application_id),
                "FinancingApplication",
                "`applicationId` must be the id of a FinancingApplication.",
            )
        )
        outcome = await cancel_application(context, key)
        application = outcome.application
        return CancelFinancingApplicationPayload(
            application=None if application is None else FinancingApplication.from_record(application),
            user_errors=user_errors(outcome.refusals),
        )

    @strawberry.mutation(description="Start a credit loan (信用贷) on WeBank's pages.")
    async def apply_for_credit_financing(self, info: Info) -> ApplyForCreditFinancingPayload:
        outcome = await flow.apply_for_credit_financing(supplier_context(info))
        return ApplyForCreditFinancingPayload(
            redirect_url=outcome.redirect_url, user_errors=user_errors(outcome.refusals)
        )
