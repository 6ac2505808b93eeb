"""Order financing (订单贷) and credit financing (信用贷): preview, application, hand-over to WeBank."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from bff.domain.financeability import FinancingQuote
from bff.domain.money import fen_to_yuan
from bff.domain.records import OrderKey, OrderSource, OrderStatus
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
from bff.schema.loans import Loan
from bff.schema.node import ResolvedByKeys, key_of, numeric_key
from bff.schema.orders import Order, order_key
from bff.schema.push_error import PushError
from bff.schema.user_errors import UserError, user_errors

strawberry.enum(ApplicationStatus, name="FinancingApplicationStatus")


@strawberry.type(description="One selected order and what it can back.")
class FinancingLine:
    order: Order
    financed_amount: Decimal = strawberry.field(description="What live loans already finance on it.")
    financeable_amount: Decimal


@strawberry.type(
    description="What an order-financing application with these orders would allow; changes nothing."
)
class FinancingPreview:
    lines: list[FinancingLine]
    financeable_total: Decimal
    available_limit: Decimal = strawberry.field(description="Available order-loan share of the credit limit.")
    ceiling: Decimal = strawberry.field(
        description="min(financeableTotal, availableLimit): the most one can borrow."
    )
    user_errors: list[UserError]

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
    source: OrderSource
    order_no: str
    status_at_application: OrderStatus
    amount: Decimal
    financeable_amount: Decimal

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
    status: ApplicationStatus
    ceiling: Decimal
    financeable_total: Decimal
    financing_url: str | None = strawberry.field(
        description="WeBank's financing page; null until WeBank has taken the orders."
    )
    created_at: datetime
    expires_at: datetime

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

    @strawberry.field
    async def orders(self) -> list[ApplicationOrder]:
        return [ApplicationOrder.from_record(row) for row in await flow.application_orders(self.row)]

    @strawberry.field(description="The loans WeBank made from this application.")
    async def loans(self) -> list[Loan]:
        return [Loan.from_record(row) for row in await loans_of_application(self.row.id)]


@strawberry.input
class ApplyForOrderFinancingInput:
    order_ids: list[strawberry.ID] = strawberry.field(description="Orders of the viewer, mall and MRO mixed.")


@strawberry.type
class ApplyForOrderFinancingPayload:
    application: FinancingApplication | None
    redirect_url: str | None = strawberry.field(
        description="WeBank's financing page to redirect to; null while the hand-over is pending."
    )
    hand_over_pending: bool
    user_errors: list[UserError]


@strawberry.type
class FinancingApplicationEdge:
    node: FinancingApplication
    cursor: str


@strawberry.type
class FinancingApplicationConnection:
    edges: list[FinancingApplicationEdge]
    page_info: relay.PageInfo
    total_count: int


@strawberry.input
class CancelFinancingApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="A FinancingApplication of the viewer.")


@strawberry.type
class CancelFinancingApplicationPayload:
    application: FinancingApplication | None = strawberry.field(
        description="The application as it is now (CANCELLED when cancelled); null if not found."
    )
    user_errors: list[UserError]


@strawberry.type
class ApplyForCreditFinancingPayload:
    redirect_url: str | None = strawberry.field(description="WeBank's credit-financing page.")
    user_errors: list[UserError]


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
        self, info: Info, input: ApplyForOrderFinancingInput
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
        self, info: Info, input: CancelFinancingApplicationInput
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
