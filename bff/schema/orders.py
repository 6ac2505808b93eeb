"""Orders from the mall and the MRO shop, in one shape."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from bff.domain.financeability import OrderFinancingStatus, financeable_amount, is_financeable
from bff.domain.records import Contract as ContractRecord
from bff.domain.records import OrderKey, OrderRecord, OrderSource, OrderStatus
from bff.domain.status_labels import order_status_label
from bff.errors import InvalidInputError
from bff.resolvers.financing import ratios
from bff.resolvers.loans import financed_by
from bff.resolvers.order_financing import OrderFinancing, financing_of_orders
from bff.resolvers.orders import load_order
from bff.schema.context import Info, context_of
from bff.schema.described_enum import described_enum
from bff.schema.node import NOT_OUR_ID, ResolvedByKeys

if TYPE_CHECKING:
    from bff.schema.loans import Loan

described_enum(
    OrderSource,
    "The order system: the 集采 mall or the MRO shop.",
    {
        OrderSource.MALL: "The 集采 mall (合同订单列表 at mall.yzw.cn).",
        OrderSource.MRO: "The MRO shop (MRO供应商后台【订单管理】).",
    },
)
described_enum(
    OrderStatus,
    "Status of an order in its order system (订单状态); `Order.statusLabel` gives the Chinese a person reads.",
    {
        OrderStatus.PENDING_CONFIRMATION: "Awaiting confirmation (待确认); not financeable.",
        OrderStatus.PENDING_SHIPMENT: "Awaiting shipment (待发货); financeable in both systems.",
        OrderStatus.PROCESSING: "Processing (处理中); financeable in the mall.",
        OrderStatus.PENDING_RECEIPT: "Shipped, awaiting receipt (待收货); financeable in the MRO shop.",
        OrderStatus.COMPLETED: "Completed (已完成); not financeable.",
        OrderStatus.REJECTED: "Rejected (已拒绝); not financeable.",
        OrderStatus.CANCELLED: "Cancelled (已取消); not financeable.",
    },
)
described_enum(
    OrderFinancingStatus,
    "Whether an order is being financed now (订单融资状态).",
    {
        OrderFinancingStatus.NOT_FINANCED: "Not financed (未融资): free to select for a new application.",
        OrderFinancingStatus.APPLYING: "In an open financing application (申请中).",
        OrderFinancingStatus.FINANCED: "Backs a PROCESSING, DISBURSED or OVERDUE loan (已融资).",
    },
)


@strawberry.type(description="The contract behind an order. MRO orders carry only the contract number.")
class Contract:
    contract_no: str = strawberry.field(description="Contract number (合同编号).")
    amount: Decimal | None = strawberry.field(description="Contract amount (合同金额); null for MRO orders.")
    signed_at: datetime | None = strawberry.field(
        description="When it was signed (签订时间); null for MRO orders."
    )

    @classmethod
    def from_record(cls, record: ContractRecord) -> Contract:
        return cls(contract_no=record.contract_no, amount=record.amount, signed_at=record.signed_at)


def order_key(node_key: str) -> OrderKey | None:
    """The order an `Order`'s node key (`MALL:123`) names, or None if it names none."""
    source, _, order_id = node_key.partition(":")
    if source not in OrderSource.__members__ or not order_id:
        return None
    return OrderKey(OrderSource(source), order_id)


# The fields that need the orders' loan lines and claims: a page that selects none of them reads neither.
FINANCING_FIELDS = frozenset(
    {"financingStatus", "financeable", "financeableAmount", "financedAmount", "loans"}
)


@dataclass(frozen=True, slots=True)
class _Financing:
    """An order's financing fields, computed once for a page of orders (`Order.many`), not per field."""

    record: OrderFinancing
    financeable: bool
    financeable_amount: Decimal
    financed_amount: Decimal


def _not_read(order_no: str) -> _Financing:
    # only reached if `selected_names` missed a selected financing field: fail loudly, never answer wrong
    raise RuntimeError(f"order {order_no}: financing fields were not read for this selection")


@strawberry.type(description="An order of the supplier in the mall (集采) or the MRO shop.")
class Order(ResolvedByKeys, relay.Node):
    node_key: relay.NodeID[str]
    record: strawberry.Private[OrderRecord]
    # The order's loan lines and claim, read for a whole page at once (`Order.many`), and the fields derived
    # from them, computed there too: the financing fields below are plain reads, and take no `info`.
    computed: strawberry.Private[_Financing | None]
    source: OrderSource = strawberry.field(description="The order system it comes from (集采 mall or MRO).")
    order_no: str = strawberry.field(description="Order number (订单编号) as its order system shows it.")
    status: OrderStatus = strawberry.field(description="Status in its order system (订单状态).")
    amount: Decimal = strawberry.field(description="Order amount (订单金额) in CNY.")
    buyer_name: str = strawberry.field(description="The buyer (采购方) of the order.")
    contract: Contract | None = strawberry.field(description="The contract behind it (合同), if any.")
    created_at: datetime = strawberry.field(description="When the order was placed (下单时间).")

    @classmethod
    def from_record(cls, record: OrderRecord, computed: _Financing | None) -> Order:
        return cls(
            node_key=f"{record.source.value}:{record.key.id}",  # read back by `order_key`
            record=record,
            computed=computed,
            source=record.source,
            order_no=record.order_no,
            status=record.status,
            amount=record.amount,
            buyer_name=record.buyer_name,
            contract=Contract.from_record(record.contract) if record.contract else None,
            created_at=record.created_at,
        )

    @classmethod
    async def many(cls, info: Info, records: list[OrderRecord], *, financing: bool = True) -> list[Order]:
        """A page of orders; `financing=False` (nothing in FINANCING_FIELDS selected) skips their reads."""
        if not financing:
            return [cls.from_record(record, None) for record in records]
        context = context_of(info)
        shares = ratios(context)
        computed = []
        for record, each in zip(records, await financing_of_orders(context, records), strict=True):
            financed = financed_by(each.loan_lines)
            computed.append(
                _Financing(
                    record=each,
                    financeable=is_financeable(record, each.status),
                    financeable_amount=financeable_amount(record, shares, financed, each.status),
                    financed_amount=financed,
                )
            )
        return [cls.from_record(record, each) for record, each in zip(records, computed, strict=True)]

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Order | None]:
        order_keys = [order_key(key) for key in keys]
        if None in order_keys:
            raise InvalidInputError(NOT_OUR_ID)
        context = context_of(info)
        found = await asyncio.gather(*(load_order(context, key) for key in order_keys if key is not None))
        nodes = iter(await cls.many(info, [record for record in found if record is not None]))
        return [None if record is None else next(nodes) for record in found]

    @strawberry.field(
        description="The status as a person reads it, in the manual's Chinese (待发货, 处理中, 待收货 …)."
    )
    def status_label(self) -> str:
        return order_status_label(self.status)

    def _financing(self) -> _Financing:
        return self.computed if self.computed is not None else _not_read(self.order_no)

    @strawberry.field(description="Whether it is in an open financing application or a live loan now.")
    def financing_status(self) -> OrderFinancingStatus:
        return self._financing().record.status

    @strawberry.field(
        description="Whether it can back a new order loan: NOT_FINANCED and its status allows it "
        "(mall: 待发货/处理中; MRO: 待发货/待收货)."
    )
    def financeable(self) -> bool:
        return self._financing().financeable

    @strawberry.field(
        description="Amount × the status's ratio, minus what live loans already finance on it; "
        "0 unless `financeable`."
    )
    def financeable_amount(self) -> Decimal:
        return self._financing().financeable_amount

    @strawberry.field(description="What live loans finance on this order.")
    def financed_amount(self) -> Decimal:
        return self._financing().financed_amount

    @strawberry.field(description="Loans this order backs or backed (融资查询).")
    def loans(self) -> list[Annotated[Loan, strawberry.lazy("bff.schema.loans")]]:
        from bff.schema.loans import Loan

        return [Loan.from_record(line.loan) for line in self._financing().record.loan_lines]


@strawberry.type(description="An order in a page of orders.")
class OrderEdge:
    node: Order = strawberry.field(description="The order.")
    cursor: str = strawberry.field(description="Pass as `after` to read the orders after this one.")


@strawberry.type(description="A page of the supplier's orders (订单列表).")
class OrderConnection:
    edges: list[OrderEdge] = strawberry.field(description="The orders of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow, and their cursors.")
    total_count: int = strawberry.field(
        description="Orders matching the filter in the systems that answered."
    )
    unavailable_sources: list[OrderSource] = strawberry.field(
        description="Order systems that could not be reached: the list holds only the others' orders."
    )
