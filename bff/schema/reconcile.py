"""`reconcileSupplier` (operators): compare a supplier with WeBank and apply what the BFF missed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from bff.domain.reconcile import Discrepancy, Repair
from bff.resolvers.reconcile import reconcile_as_operator
from bff.schema.context import Info, context_of
from bff.schema.user_errors import UserError, user_errors


@strawberry.input(description="The supplier to reconcile with WeBank.")
class ReconcileSupplierInput:
    code: str = strawberry.field(description="The supplier's code, e.g. GD-BOTH.")


@strawberry.type(description="One thing reconciliation changed, or found different and left alone.")
class ReconcileRepair:
    kind: str = strawberry.field(
        description="LIMIT_DECISION, LOAN_BACKFILLED, LOAN_STATUS, LOAN_OVERDUE or REPAYMENT (for a "
        "discrepancy: LIMIT, LOAN_STATUS, LOAN_AMOUNT, LOAN_UNKNOWN_TO_BANK or NOT_APPLIED)."
    )
    subject: str = strawberry.field(description="The loan number, or the credit code for the limit.")
    detail: str = strawberry.field(description="What differed or changed, in words.")

    @classmethod
    def of(cls, item: Repair | Discrepancy) -> ReconcileRepair:
        return cls(kind=item.kind.value, subject=item.subject, detail=item.detail)


@strawberry.type(description="The result of reconcileSupplier.")
class ReconcileSupplierPayload:
    repairs: list[ReconcileRepair] = strawberry.field(description="What was applied, in order.")
    discrepancies: list[ReconcileRepair] = strawberry.field(
        description="What differs from the bank but was not applied (it would move a record backwards)."
    )
    note: str | None = strawberry.field(description="Why there was nothing to compare, if so.")
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.type
class ReconcileMutations:
    @strawberry.mutation(
        description="Platform operators: compare the supplier's records with WeBank's limit and loans and "
        "apply what the platform missed (through the notification handlers, never backwards)."
    )
    async def reconcile_supplier(
        self,
        info: Info,
        input: Annotated[ReconcileSupplierInput, strawberry.argument(description="The supplier.")],
    ) -> ReconcileSupplierPayload:
        outcome = await reconcile_as_operator(context_of(info), input.code)
        return ReconcileSupplierPayload(
            repairs=[ReconcileRepair.of(r) for r in outcome.repairs],
            discrepancies=[ReconcileRepair.of(d) for d in outcome.discrepancies],
            note=outcome.note,
            user_errors=user_errors(list(outcome.refusals)),
        )
