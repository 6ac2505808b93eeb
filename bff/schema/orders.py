"""Orders from the mall and the MRO shop, in one shape."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from bff.domain.financeability import FinancingRatios, financeable_amount, is_financeable
from bff.domain.records import Contract as ContractRecord
from bff.domain.records import OrderRecord, OrderSource, OrderStatus
from bff.resolvers.loans import financed_amount, loans_of_order
from bff.schema import enums as _enums  # noqa: F401 - registers the domain enums
from bff.schema.context import Info, context_of

if TYPE_CHECKING:
    from bff.schema.loans import Loan


@strawberry.type(description="The contract behind an order. MRO orders carry only the contract number.")
class Contract:
    contract_no: str
    amount: Decimal | None
    signed_at: datetime | None

    @classmethod
    def from_record(cls, record: ContractRecord) -> Contract:
        return cls(contract_no=record.contract_no, amount=record.amount, signed_at=record.signed_at)


@strawberry.type(description="An order of the supplier in the mall (集采) or the MRO shop.")
class Order(relay.Node):
    node_key: relay.NodeID[str]
    record: strawberry.Private[OrderRecord]
    source: OrderSource
    order_no: str
    status: OrderStatus
    amount: Decimal
    buyer_name: str
    contract: Contract | None
    created_at: datetime

    @classmethod
    def from_record(cls, record: OrderRecord) -> Order:
        return cls(
            node_key=f"{record.source.value}:{record.key.id}",
            record=record,
            source=record.source,
            order_no=record.order_no,
            status=record.status,
            amount=record.amount,
            buyer_name=record.buyer_name,
            contract=Contract.from_record(record.contract) if record.contract else None,
            created_at=record.created_at,
        )

    @strawberry.field(
        description="Whether its status allows an order loan (mall: 待发货/处理中; MRO: 待发货/待收货)."
    )
    def financeable(self) -> bool:
        return is_financeable(self.record)

    @strawberry.field(description="Amount × the status's ratio, minus what live loans already finance on it.")
    async def financeable_amount(self, info: Info) -> Decimal:
        context = context_of(info)
        settings = context.settings
        ratios = FinancingRatios(
            pending_shipment=settings.ratio_pending_shipment,
            processing=settings.ratio_processing,
            pending_receipt=settings.ratio_pending_receipt,
        )
        financed = await financed_amount(context, self.record.key)
        return financeable_amount(self.record, ratios, financed)

    @strawberry.field(description="What live loans finance on this order.")
    async def financed_amount(self, info: Info) -> Decimal:
        amount: Decimal = await financed_amount(context_of(info), self.record.key)
        return amount

    @strawberry.field(description="Loans this order backs or backed (融资查询).")
    async def loans(self, info: Info) -> list[Annotated[Loan, strawberry.lazy("bff.schema.loans")]]:
        from bff.schema.loans import Loan

        return [Loan.from_record(row) for row in await loans_of_order(context_of(info), self.record)]


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
