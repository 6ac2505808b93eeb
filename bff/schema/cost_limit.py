"""Refuse an operation before it runs when it costs too much, or when the caller's budget is spent.

Runs in `on_validate` once the document is valid (`DocumentCache` validates just before), so that a
refusal is a pre-execution error: neither a query, nor a mutation, nor a subscription's source stream
starts. Order of checks: `first` above 100 (FIRST_TOO_LARGE), too many mutations (TOO_MANY_MUTATIONS),
cost above `BFF_MAX_QUERY_COST` (QUERY_TOO_COMPLEX, with `cost` and `maxCost`), then the budget
(THROTTLED, with `retryAfter` seconds). Only an operation that passes is charged.

Every response carries `extensions.cost` in Shopify's shape:
`{requestedQueryCost, throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}`; a request
refused before it could be priced (syntax or validation error) reports cost 0 and the caller's budget as
it is. A subscription is priced and charged once, when it starts; each of its `next` payloads repeats
that `extensions.cost`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from bff.config import Settings
from bff.context import Context
from bff.errors import QueryRefusedError, QueryTooComplexError, ThrottledError
from bff.schema.cost import operation_cost
from bff.throttle import BudgetStatus

DEFAULT_SETTINGS = Settings.model_construct()  # the field defaults, without reading the environment


def budget_key(context: Context) -> str:
    """Whose budget pays: the supplier of a valid token (operators included, by their own code).

    Anonymous callers are refused at the first viewer field, but their documents are still parsed,
    validated and priced; they draw on a budget per client address so that one address cannot spend
    the server's time on hostile documents, without sharing a budget with every other anonymous caller.
    """
    viewer = context.viewer_or_error
    if not isinstance(viewer, Exception):
        return f"supplier:{viewer.supplier_code}"
    return f"anonymous:{context.client_ip or 'unknown'}"


def refusal(exc: QueryRefusedError) -> GraphQLError:
    """The error as the client sees it, code included. No `original_error`: strawberry would log each
    refusal with a traceback, and a client hammering the API would flood the log."""
    return GraphQLError(exc.message, extensions={**exc.extensions, "code": exc.code})


class CostLimit(SchemaExtension):
    _cost = 0
    _status: BudgetStatus | None = None

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        request = context.context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors == []:
            try:
                await self._admit(request if isinstance(request, Context) else None)
            except QueryRefusedError as exc:
                context.pre_execution_errors = [refusal(exc)]
            except RecursionError:
                # Pricing recurses once per nesting level, which the parser has bounded; should a document
                # still exhaust the stack, it is refused like any too complex one, never an internal error.
                too_deep = QueryTooComplexError("The query is nested too deeply to be priced.")
                context.pre_execution_errors = [refusal(too_deep)]
        yield

    async def _admit(self, request: Context | None) -> None:
        """Price the operation and charge the budget; without a BFF context (a script calling
        `schema.execute`), the default limits still apply and there is no budget to charge."""
        context = self.execution_context
        assert context.graphql_document is not None
        settings = request.settings if request is not None else DEFAULT_SETTINGS
        cost = operation_cost(
            context.schema._schema, context.graphql_document, context.operation_name, context.variables
        )
        self._cost = cost
        # A cost the budget could never hold would be THROTTLED forever: refuse it as too complex.
        max_cost = min(settings.max_query_cost, settings.cost_budget)
        if cost > max_cost:
            raise QueryTooComplexError(
                f"The query costs {cost}, more than the {max_cost} allowed; ask for fewer fields or smaller pages.",
                cost=cost,
                maxCost=max_cost,
            )
        if request is None:
            return
        status = await request.services.budget.take(budget_key(request), cost)
        self._status = status
        if not status.allowed:
            raise ThrottledError(
                f"Cost budget spent; retry in {status.retry_after:g} s.", retryAfter=status.retry_after
            )

    async def get_results(self) -> dict[str, Any]:
        request = self.execution_context.context
        if not isinstance(request, Context):
            return {}
        status = self._status
        if status is None:
            # Not priced (refused earlier, or by this extension before the budget): read the budget.
            status = await request.services.budget.take(budget_key(request), 0)
            self._status = status
        return {
            "cost": {
                "requestedQueryCost": self._cost,
                "throttleStatus": {
                    "maximumAvailable": status.capacity,
                    "currentlyAvailable": round(status.available, 2),
                    "restoreRate": status.restore_rate,
                },
            }
        }
