"""Root query fields."""

from __future__ import annotations

import strawberry
from strawberry import relay

from bff.domain.records import OrderKey, OrderSource
from bff.domain.regions import ADMISSION_REGIONS
from bff.errors import InvalidInputError, NotFoundError
from bff.resolvers.admission import load_admission
from bff.resolvers.financing import load_application
from bff.resolvers.loans import load_loan, load_repayment
from bff.resolvers.orders import load_order
from bff.resolvers.suppliers import readable_supplier_code, require_profile
from bff.schema.admission import Admission, AdmissionRegion
from bff.schema.context import Info, context_of
from bff.schema.financing import FinancingApplication
from bff.schema.loans import Loan, Repayment
from bff.schema.node import decode_global_id
from bff.schema.orders import Order
from bff.schema.supplier import Supplier


async def resolve_node(info: Info, global_id: str) -> relay.Node | None:
    """Any object by global id — only if the viewer may read it; otherwise exactly as if it did not exist."""
    context = context_of(info)
    type_name, key = decode_global_id(global_id)
    context.viewer  # noqa: B018 - authenticate before telling anything about ids
    if type_name == "Supplier":
        code = await readable_supplier_code(context, key)
        return None if code is None else Supplier.of(code)
    if type_name == "Order":
        source, _, order_id = key.partition(":")
        if source not in OrderSource.__members__ or not order_id:
            raise InvalidInputError("That is not an id this graph gave out.")
        order = await load_order(context, OrderKey(OrderSource(source), order_id))
        return None if order is None else (await Order.many(info, [order]))[0]
    if type_name == "Loan":
        loan = await load_loan(context, key)
        return None if loan is None else Loan.from_record(loan)
    if type_name == "Repayment":
        repayment = await load_repayment(context, key)
        return None if repayment is None else Repayment.from_record(repayment)
    if type_name == "Admission":
        if not key.isdigit():
            raise InvalidInputError("That is not an id this graph gave out.")
        admission = await load_admission(context, int(key))
        return None if admission is None else Admission.from_record(admission)
    if type_name == "FinancingApplication":
        if not key.isdigit():
            raise InvalidInputError("That is not an id this graph gave out.")
        application = await load_application(context, int(key))
        return None if application is None else FinancingApplication.from_record(application)
    raise InvalidInputError("That is not an id this graph gave out.")


@strawberry.type
class Query:
    @strawberry.field(description="The supplier the bearer token belongs to.")
    async def viewer(self, info: Info) -> Supplier:
        # No upstream read here: with the mall down, the viewer's own records (admission, loans) still answer.
        return Supplier.of(context_of(info).viewer.supplier_code)

    @strawberry.field(description="Any object by its global id; null if it does not exist or is not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, str(id))

    @strawberry.field(description="A supplier by code. Platform operators only.")
    async def supplier(self, info: Info, code: str) -> Supplier | None:
        context = context_of(info)
        context.require_operator()
        try:
            await require_profile(context, code)
        except NotFoundError:
            return None
        return Supplier.of(code)

    @strawberry.field(description="Where admission is open (业务开放地区).")
    def admission_regions(self) -> list[AdmissionRegion]:
        return [AdmissionRegion.from_record(region) for region in ADMISSION_REGIONS]
