"""The Xinrongbao graph. `schema.graphql` at the repository root is exported from `schema` here."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from bff.schema.admission_mutations import AdmissionMutations
from bff.schema.compiled_plan import PlannedExecution
from bff.schema.cost_limit import CostLimit
from bff.schema.document_cache import DocumentCache
from bff.schema.errors import CodedErrors
from bff.schema.financing import FinancingMutations
from bff.schema.introspection import IntrospectionGate
from bff.schema.notices import NoticeMutations
from bff.schema.query import Query
from bff.schema.reconcile import ReconcileMutations
from bff.schema.repayment_mutations import RepaymentMutations
from bff.schema.scalars import SCALARS
from bff.schema.subscription import Subscription


@strawberry.type(description="What clients change. Refusals come back as `userErrors`, never as errors.")
class Mutation(
    AdmissionMutations, FinancingMutations, RepaymentMutations, ReconcileMutations, NoticeMutations
):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    # Not `sort_schema=True`: strawberry 0.341 rebuilds the sorted schema with plain GraphQLEnumTypes,
    # which then cannot serialize Python enum members ("Enum cannot represent value").
    config=StrawberryConfig(scalar_map=SCALARS),
    # identical subscriptions told of one event share one executed result (errors never shared); plain
    # fields run from precomputed plans (bff.schema.compiled_plan)
    execution_context_class=PlannedExecution,
    # Extensions are classes, built per request (an instance would share state between requests).
    extensions=[
        CodedErrors,
        # Parses within the token limit and validates, each distinct text once (hooks run in list order)...
        DocumentCache,
        # ...refuses introspection where it is off (an error before pricing: nothing is charged)...
        IntrospectionGate,
        # ...then prices the valid operation and charges the caller's budget before anything runs: the
        # cost bounds fan-out (a connection costs its page size) and cyclic queries (Order.loans.orders…).
        CostLimit,
    ],
)

__all__ = ["schema"]
