"""The supplier's current admission (准入) and its credit limit, with usage computed from live loans."""

from __future__ import annotations

from bff.context import Context
from bff.domain.limits import LimitSplit, split_limit
from bff.domain.money import fen_to_yuan
from bff.domain.statuses import AdmissionStatus, LoanKind, OutboxStatus
from bff.models import Admission, CreditLimit, OutboxMessage
from bff.store import ADMISSION_AGGREGATE

# The bank's pages come after the handler (经办人) form, as the manual orders the flow: 开通 pushes the
# data, the form names who registers, and only then does the supplier go to WeBank.
BANK_STEPS_IN_PROGRESS = (AdmissionStatus.REGISTERING, AdmissionStatus.VERIFIED)


async def current_admission(context: Context, supplier_code: str) -> Admission | None:
    return await context.loaders.admissions.load(supplier_code)


async def load_admission(context: Context, admission_id: int) -> Admission | None:
    admission = await Admission.get_or_none(id=admission_id)
    if admission is None or not context.viewer.may_read(admission.supplier_code):
        return None
    return admission


async def admission_limit(context: Context, admission: Admission) -> CreditLimit | None:
    if admission.status is not AdmissionStatus.APPROVED:
        return None
    return await context.loaders.credit_limits.load(admission.id)


async def current_limit(context: Context, supplier_code: str) -> CreditLimit | None:
    admission = await current_admission(context, supplier_code)
    return None if admission is None else await admission_limit(context, admission)


async def limit_split(context: Context, limit: CreditLimit) -> LimitSplit:
    """The 40/60 split of an approved limit, with `used` = outstanding principal of live loans per kind."""
    used = await context.loaders.loan_usage.load(limit.supplier_code)
    return split_limit(
        fen_to_yuan(limit.total_fen),
        order_ratio=limit.order_ratio,
        credit_ratio=limit.credit_ratio,
        order_used=fen_to_yuan(used[LoanKind.ORDER]),
        credit_used=fen_to_yuan(used[LoanKind.CREDIT]),
    )


def continue_url(admission: Admission) -> str | None:
    """WeBank's page to go on with, while the bank part of admission is in progress."""
    return admission.register_url if admission.status in BANK_STEPS_IN_PROGRESS else None


async def admission_push_pending(admission_id: int) -> bool:
    """Whether a push of this admission still waits in the outbox."""
    return await OutboxMessage.filter(
        aggregate_type=ADMISSION_AGGREGATE, aggregate_id=str(admission_id), status=OutboxStatus.PENDING
    ).exists()
