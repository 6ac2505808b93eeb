"""Live updates over graphql-transport-ws. The event fan-out lands with the admission and loan issues."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from bff.schema.context import Info, context_of


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Heartbeat: the server's view of who you are; proves the socket works."
    )
    async def viewer_code(self, info: Info) -> AsyncGenerator[str, None]:
        yield context_of(info).viewer.supplier_code
