"""Live updates over graphql-transport-ws: the current state first, then every change."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from bff.events import admission_topic
from bff.resolvers.admission import current_admission
from bff.schema.admission import Admission
from bff.schema.context import Info, context_of


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The viewer's current admission now, then again whenever it changes (e.g. a bank decision)."
    )
    async def admission_changed(self, info: Info) -> AsyncGenerator[Admission | None, None]:
        context = context_of(info)
        code = context.viewer.supplier_code
        # Listen before reading, so a change between the read and the first event is not lost.
        async with context.services.broker.subscribe(admission_topic(code)) as events:
            yield await _current(info, code)
            async for _ in events:
                yield await _current(info, code)


async def _current(info: Info, code: str) -> Admission | None:
    context = context_of(info)
    context.refresh_loaders()
    row = await current_admission(context, code)
    return None if row is None else Admission.from_record(row)
