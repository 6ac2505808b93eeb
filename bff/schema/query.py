"""Root query fields."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from bff.auth import SUPPLIER_CODE_PATTERN
from bff.domain.regions import ADMISSION_REGIONS
from bff.errors import InvalidInputError, NotFoundError
from bff.resolvers.operators import require_operator
from bff.resolvers.quarantine import list_quarantined_events
from bff.resolvers.suppliers import require_profile
from bff.schema.admission import AdmissionRegion
from bff.schema.context import Info, context_of
from bff.schema.node import resolve_node
from bff.schema.operators import OperatorQueries
from bff.schema.quarantine import (
    QuarantinedBankEvent,
    QuarantinedBankEventConnection,
    QuarantinedBankEventEdge,
)
from bff.schema.supplier import Supplier, page_info


@strawberry.type(
    description="What clients read. Suppliers start at `viewer`; operators at the fields marked so."
)
class Query(OperatorQueries):
    @strawberry.field(description="The supplier the bearer token belongs to.")
    async def viewer(self, info: Info) -> Supplier:
        # No upstream read here: with the mall down, the viewer's own records (admission, loans) still answer.
        return Supplier.of(context_of(info).viewer.supplier_code)

    @strawberry.field(description="Any object by its global id; null if it does not exist or is not yours.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
    ) -> relay.Node | None:
        return await resolve_node(info, str(id))

    @strawberry.field(description="A supplier by code. Platform operators only.")
    async def supplier(
        self, info: Info, code: Annotated[str, strawberry.argument(description="Supplier code (供应商编码).")]
    ) -> Supplier | None:
        context = context_of(info)
        require_operator(context, "supplier", code=code)
        if not SUPPLIER_CODE_PATTERN.fullmatch(code):  # e.g. "A,B" would ask the mall for two suppliers
            raise InvalidInputError("`code` is not a supplier code.")
        try:
            await require_profile(context, code)
        except NotFoundError:
            return None
        return Supplier.of(code)

    @strawberry.field(description="Where admission is open (业务开放地区).")
    def admission_regions(self) -> list[AdmissionRegion]:
        return [AdmissionRegion.from_record(region) for region in ADMISSION_REGIONS]

    @strawberry.field(
        description="Signed bank notifications the BFF could not understand, newest first. Platform "
        "operators only."
    )
    async def quarantined_bank_events(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1–100.")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the previous page's end.")
        ] = None,
    ) -> QuarantinedBankEventConnection:
        page = await list_quarantined_events(context_of(info), first=first, after=after)
        return QuarantinedBankEventConnection(
            edges=[
                QuarantinedBankEventEdge(node=QuarantinedBankEvent.from_record(event), cursor=cursor)
                for event, cursor in page.events
            ],
            page_info=page_info([cursor for _, cursor in page.events], page.has_next_page, after),
            total_count=page.total_count,
        )
