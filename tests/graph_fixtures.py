"""The schema tier: `schema.execute` in the test's own task, over the real sandbox upstreams and the database.

For field shapes, arguments and errors a test needs no uvicorn, no lifespan and no HTTP round trip to the
BFF: `graph.query(...)` runs the same schema (extensions, error masking and all) with a context built the
way `BffGraphQL.get_context` builds it, and answers the JSON body a client would get. Flows that involve
HTTP itself (headers, websockets, the webhook, the bank's pages) use the `bff` fixture of `app_fixtures`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from app_fixtures import settings_for

from bff.auth import Role, Viewer
from bff.config import Settings
from bff.context import Context, Services
from bff.events import InProcessBroker
from bff.integrations.http import create_session
from bff.integrations.upstreams import Upstreams
from bff.schema import schema
from bff.throttle import InProcessBudget
from bff.workers import ChangedAggregates, build_outbox
from bff_sandbox import RunningSandbox


@dataclass
class Graph:
    """The schema with the process-wide services of one BFF, queried as a given viewer."""

    services: Services
    sandbox: RunningSandbox

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_supplier: str = "GD-BOTH",
        role: Role = Role.SUPPLIER,
        extensions: bool = False,
    ) -> dict[str, Any]:
        """The response body of `query` (`data`, and `errors` when there are any), as HTTP would send it;
        with `extensions`, also the response's `extensions` (the cost every response carries)."""
        context = Context.build(self.services, Viewer(supplier_code=as_supplier, role=role))
        result = await schema.execute(query, variable_values=variables, context_value=context)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if extensions and result.extensions:
            body["extensions"] = result.extensions
        return body

    def upstream_calls(self, system: str | None = None) -> list[str]:
        """Calls the sandbox received since the test started, as "system METHOD path"."""
        return [f"{c.system} {c.method} {c.path}" for c in self.sandbox.state.calls(system)]

    def reset_upstream_calls(self) -> None:
        self.sandbox.state.reset_calls()


@pytest.fixture
async def graph(db: str, sandbox: RunningSandbox) -> AsyncIterator[Graph]:
    settings = settings_for(sandbox, db)
    session = create_session(
        connect=settings.upstream_connect_timeout,
        read=settings.upstream_read_timeout,
        total=settings.upstream_total_timeout,
    )
    try:
        upstreams = Upstreams.from_settings(session, settings)
        services = Services(
            settings=settings,
            upstreams=upstreams,
            broker=InProcessBroker(),
            outbox=build_outbox(upstreams.webank, ChangedAggregates()),
            budget=InProcessBudget(settings.cost_budget, settings.cost_restore_per_second),
        )
        sandbox.state.reset()
        yield Graph(services=services, sandbox=sandbox)
    finally:
        await session.close()
