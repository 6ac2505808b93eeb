"""Orders from the mall and the MRO shop, in one shape."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from bff.domain.financeability import OrderFinancingStatus, financeable_amount, is_financeable
from bff.domain.records import Contract as ContractRecord
from bff.domain.records import OrderKey, OrderRecord, OrderSource, OrderStatus
from bff.errors import InvalidInputError
from bff.resolvers.financing import ratios
from bff.resolvers.loans import financed_by
from bff.resolvers.order_financing import OrderFinancing, financing_of_orders
from bff.resolvers.orders import load_order
from bff.schema.context import Info, context_of
from bff.schema.node import NOT_OUR_ID, ResolvedByKeys

if TYPE_CHECKING:
    from bff.schema.loans import Loan

strawberry.enum(OrderSource, description="The order system: the 集采 mall or the MRO shop.")
strawberry.enum(OrderStatus)
strawberry.enum(
    OrderFinancingStatus,
    description="NOT_FINANCED; APPLYING: in an open financing application; "
    "FINANCED: backs a PROCESSING, DISBURSED or OVERDUE loan.",
)


@strawberry.type(description="The contract behind an order. MRO orders carry only the contract number.")
class Contract:
    contract_no: str
    amount: Decimal | None
    signed_at: datetime | None

    @classmethod
    def from_record(cls, record: ContractRecord) -> Contract:
        return cls(contract_no=record.contract_no, amount=record.amount, signed_at=record.signed_at)


def order_key(node_key: str) -> OrderKey | None:
    """The order an `Order`'s node key (`MALL:123`) names, or None if it names none."""
    source, _, order_id = node_key.partition(":")
    if source not in OrderSource.__members__ or not order_id:
        return None
    return OrderKey(OrderSource(source), order_id)


@strawberry.type(description="An order of the supplier in the mall (集采) or the MRO shop.")
class Order(ResolvedByKeys, relay.Node):
    node_key: relay.NodeID[str]
    record: strawberry.Private[OrderRecord]
    # The order's loan lines and claim, read for a whole page at once (`Order.many`): the financing fields
    # below are then plain reads, not one awaited load per order.
    financing: strawberry.Private[OrderFinancing]
    source: OrderSource
    order_no: str
    status: OrderStatus
    amount: Decimal
    buyer_name: str
    contract: Contract | None
    created_at: datetime

    @classmethod
    def from_record(cls, record: OrderRecord, financing: OrderFinancing) -> Order:
        return cls(
            node_key=f"{record.source.value}:{record.key.id}",  # read back by `order_key`
            record=record,
            financing=financing,
            source=record.source,
            order_no=record.order_no,
            status=record.status,
            amount=record.amount,
            buyer_name=record.buyer_name,
            contract=Contract.from_record(record.contract) if record.contract else None,
            created_at=record.created_at,
        )

    @classmethod
    async def many(cls, info: Info, records: list[OrderRecord]) -> list[Order]:
        financing = await financing_of_orders(context_of(info), records)
        return [cls.from_record(record, each) for record, each in zip(records, financing, strict=True)]

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Order | None]:
        order_keys = [order_key(key) for key in keys]
        if None in order_keys:
            raise InvalidInputError(NOT_OUR_ID)
        context = context_of(info)
        found = await asyncio.gather(*(load_order(context, key) for key in order_keys if key is not None))
        nodes = iter(await cls.many(info, [record for record in found if record is not None]))
        return [None if record is None else next(nodes) for record in found]

    @strawberry.field(description="Whether it is in an open financing application or a live loan now.")
    def financing_status(self) -> OrderFinancingStatus:
        return self.financing.status

    @strawberry.field(
        description="Whether it can back a new order loan: NOT_FINANCED and its status allows it "
        "(mall: 待发货/处理中; MRO: 待发货/待收货)."
    )
    def financeable(self) -> bool:
        return is_financeable(self.record, self.financing.status)

    @strawberry.field(
        description="Amount × the status's ratio, minus what live loans already finance on it; "
        "0 unless `financeable`."
    )
    def financeable_amount(self, info: Info) -> Decimal:
        return financeable_amount(
            self.record,
            ratios(context_of(info)),
            financed_by(self.financing.loan_lines),
            self.financing.status,
        )

    @strawberry.field(description="What live loans finance on this order.")
    def financed_amount(self) -> Decimal:
        return financed_by(self.financing.loan_lines)

    @strawberry.field(description="Loans this order backs or backed (融资查询).")
    def loans(self) -> list[Annotated[Loan, strawberry.lazy("bff.schema.loans")]]:
        from bff.schema.loans import Loan

        return [Loan.from_record(line.loan) for line in self.financing.loan_lines]


@strawberry.type
class OrderEdge:
    node: Order
    cursor: str


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(
        description="Orders matching the filter in the systems that answered."
    )
    unavailable_sources: list[OrderSource] = strawberry.field(
        description="Order systems that could not be reached: the list holds only the others' orders."
    )
