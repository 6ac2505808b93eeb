"""`reconcileSupplier`: an operator brings one supplier's records in line with WeBank's, now."""

from __future__ import annotations

from dataclasses import dataclass

from bff.context import Context
from bff.domain.reconcile import Discrepancy, Repair
from bff.domain.refusals import Refusal, RefusalCode
from bff.errors import NotFoundError
from bff.reconcile import reconcile_supplier
from bff.resolvers.operators import require_operator
from bff.resolvers.suppliers import require_profile


@dataclass(frozen=True, slots=True)
class ReconcileOutcome:
    repairs: tuple[Repair, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    note: str | None = None
    refusals: tuple[Refusal, ...] = ()


async def reconcile_as_operator(context: Context, supplier_code: str) -> ReconcileOutcome:
    require_operator(context, "reconcileSupplier", code=supplier_code)
    code = supplier_code.strip()
    try:
        await require_profile(context, code)
    except NotFoundError:
        refusal = Refusal(
            RefusalCode.SUPPLIER_NOT_FOUND, f"The platform does not know supplier {code}.", "code"
        )
        return ReconcileOutcome(refusals=(refusal,))
    run = await reconcile_supplier(context.services.upstreams.webank, code, broker=context.services.broker)
    return ReconcileOutcome(repairs=run.repairs, discrepancies=run.discrepancies, note=run.note)
