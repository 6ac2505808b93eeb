"""Whether orders are in financing now (`Order.financingStatus`), for a whole page of orders at once.

The orders' loan lines and claims are read through two per-request DataLoaders, dispatched together: a page
costs one query for each, never one per order. The rule itself is `bff.domain.financeability`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from bff.context import Context
from bff.domain.financeability import ClaimFacts, OrderFinancingStatus, financing_status
from bff.domain.records import OrderRecord
from bff.models import LoanOrder, OrderClaim


@dataclass(frozen=True, slots=True)
class OrderFinancing:
    """An order's loan lines (with their loans) and whether it is in financing now."""

    loan_lines: list[LoanOrder]
    status: OrderFinancingStatus


def claim_facts(claim: OrderClaim | None) -> ClaimFacts | None:
    """The facts the rule needs from a claim read with its application and loan."""
    if claim is None:
        return None
    application = claim.application
    loan = claim.loan
    return ClaimFacts(
        application_status=None if application is None else application.status,
        application_expires_at=None if application is None else application.expires_at,
        loan_status=None if loan is None else loan.status,
    )


async def financing_of_orders(context: Context, orders: list[OrderRecord]) -> list[OrderFinancing]:
    keys = [order.key for order in orders]
    # Both loads are queued before either is awaited, so each loader dispatches one batch for the page.
    lines, claims = await asyncio.gather(
        context.loaders.loan_orders_by_order.load_many(keys),
        context.loaders.order_claims.load_many(keys),
    )
    now = datetime.now(UTC)
    return [
        OrderFinancing(
            loan_lines=list(order_lines),
            status=financing_status([line.loan.status for line in order_lines], claim_facts(claim), now),
        )
        for order_lines, claim in zip(lines, claims, strict=True)
    ]
