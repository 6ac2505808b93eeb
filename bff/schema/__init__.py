"""The Xinrongbao graph. `schema.graphql` at the repository root is exported from `schema` here."""

from __future__ import annotations

import strawberry
from strawberry.extensions import QueryDepthLimiter, ValidationCache
from strawberry.schema.config import StrawberryConfig

from bff.schema.admission_mutations import AdmissionMutations
from bff.schema.document_cache import DOCUMENT_CACHE_SIZE, DocumentCache
from bff.schema.errors import CodedErrors
from bff.schema.financing import FinancingMutations
from bff.schema.introspection import IntrospectionGate
from bff.schema.query import Query
from bff.schema.repayment_mutations import RepaymentMutations
from bff.schema.scalars import SCALARS
from bff.schema.subscription import Subscription

MAX_QUERY_DEPTH = 12


@strawberry.type
class Mutation(AdmissionMutations, FinancingMutations, RepaymentMutations):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    # Not `sort_schema=True`: strawberry 0.341 rebuilds the sorted schema with plain GraphQLEnumTypes,
    # which then cannot serialize Python enum members ("Enum cannot represent value").
    config=StrawberryConfig(scalar_map=SCALARS),
    # A depth limit until the per-supplier cost budgets arrive: a cyclic graph (Order.loans.orders...) must
    # not let one request fan out without bound.
    extensions=[
        CodedErrors,
        lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        # Portals send the same few documents over and over: parse and validate each once.
        DocumentCache,
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        # After ValidationCache, which overwrites the validation errors this adds to.
        IntrospectionGate,
    ],
)

__all__ = ["schema"]
