"""A supplier's order-financing applications: the list (newest first, keyset cursors) and cancelling one.

Cancelling is a conditional update (open and not past its expiry → CANCELLED) with the deletion of the
application's order claims in the same transaction, so the orders are free the moment it commits.

Cancel and WeBank's `loan.applied` for the application's batch may cross. Both take the application's row
first (the cancel by its UPDATE, `loan.applied` by `SELECT … FOR UPDATE`), so one waits for the other:
- `loan.applied` first: the application is LOAN_CREATED, the cancel is refused `APPLICATION_NOT_CANCELLABLE`.
- the cancel first: the loan is still the bank's fact, so `loan.applied` records it, re-claims its orders
  where no other application took them meanwhile, and moves the application to LOAN_CREATED (as it does for
  an application that expired meanwhile); subscribers see the application change again.

Cancelling an application that is already CANCELLED answers it again, unchanged (a client whose first
answer was lost may repeat the call); EXPIRED, FAILED and LOAN_CREATED ones are not cancellable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bff import db
from bff.context import Context
from bff.domain.financeability import effective_application_status
from bff.domain.refusals import Refusal, RefusalCode
from bff.domain.statuses import OPEN_APPLICATION_STATUSES, ApplicationStatus
from bff.errors import InvalidInputError
from bff.events import Change, tell
from bff.models import FinancingApplication, OrderClaim
from bff.resolvers.cursors import decode_cursor, encode_cursor, page_size
from bff.store import is_lost_race

logger = logging.getLogger("bff.financing")

CURSOR_KIND = "applications"
# A cancel rolled back by PostgreSQL as a deadlock is simply run again: it changes one application.
_CANCEL_ATTEMPTS = 3

NOT_FOUND_MESSAGE = "融资申请不存在。"
NOT_CANCELLABLE_MESSAGES = {
    ApplicationStatus.LOAN_CREATED: "微众银行已根据该申请发起贷款，不能撤销。",
    ApplicationStatus.EXPIRED: "该申请已过期，所选订单已释放。",
    ApplicationStatus.FAILED: "该申请未能提交至微众银行，不能撤销。",
}


@dataclass(frozen=True, slots=True)
class ApplicationEdgeRecord:
    application: FinancingApplication
    cursor: str


@dataclass(frozen=True, slots=True)
class ApplicationListPage:
    edges: tuple[ApplicationEdgeRecord, ...]
    has_next_page: bool
    total_count: int


@dataclass(slots=True)
class CancelOutcome:
    application: FinancingApplication | None = None
    refusals: list[Refusal] = field(default_factory=list)


def _cursor(application: FinancingApplication) -> str:
    return encode_cursor(CURSOR_KIND, {"t": application.created_at.isoformat(), "i": application.id})


def _status_filter(statuses: set[ApplicationStatus], now: datetime) -> Q:
    """Matches the applications whose status *now* is one of `statuses` (see `effective_application_status`)."""
    parts: list[Q] = []
    for status in statuses:
        if status in OPEN_APPLICATION_STATUSES:
            parts.append(Q(status=status, expires_at__gt=now))
        elif status is ApplicationStatus.EXPIRED:
            parts.append(Q(status=status) | Q(status__in=OPEN_APPLICATION_STATUSES, expires_at__lte=now))
        else:
            parts.append(Q(status=status))
    return Q(*parts, join_type=Q.OR)


async def list_applications(
    context: Context,
    supplier_code: str,
    *,
    statuses: Iterable[ApplicationStatus] | None,
    first: int | None,
    after: str | None,
) -> ApplicationListPage:
    limit = page_size(first)
    now = datetime.now(UTC)
    query = FinancingApplication.filter(supplier_code=supplier_code)
    if statuses is not None:
        wanted = set(statuses)
        if not wanted:
            return ApplicationListPage(edges=(), has_next_page=False, total_count=0)
        query = query.filter(_status_filter(wanted, now))
    total = await query.count()
    if after is not None:
        state = decode_cursor(CURSOR_KIND, after)
        try:
            created_at, application_id = datetime.fromisoformat(state["t"]).astimezone(UTC), int(state["i"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError("`after` is not a cursor this list gave out.") from None
        # Keyset, not offset: an application made while the client pages does not shift later pages.
        # Spelled out with Q: tortoise's `.exclude(a=…, b=…)` means NOT a AND NOT b, not NOT (a AND b).
        query = query.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=application_id))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    edges = tuple(ApplicationEdgeRecord(application=row, cursor=_cursor(row)) for row in rows[:limit])
    return ApplicationListPage(edges=edges, has_next_page=len(rows) > limit, total_count=total)


def application_status(application: FinancingApplication) -> ApplicationStatus:
    return effective_application_status(application.status, application.expires_at, datetime.now(UTC))


async def cancel_application(context: Context, application_id: int) -> CancelOutcome:
    supplier_code = context.viewer.supplier_code
    # Another supplier's application reads exactly like an unknown one.
    application = await FinancingApplication.get_or_none(id=application_id, supplier_code=supplier_code)
    if application is None:
        return CancelOutcome(refusals=[Refusal(RefusalCode.APPLICATION_NOT_FOUND, NOT_FOUND_MESSAGE)])
    cancelled = await _cancel(application.id)
    application = await FinancingApplication.get(id=application.id)
    if cancelled:
        logger.info("application %s of %s cancelled", application.id, supplier_code)
        await tell(context.services.broker, [Change.application(supplier_code, application.id)])
        return CancelOutcome(application=application)
    status = application_status(application)
    if status is ApplicationStatus.CANCELLED:
        return CancelOutcome(application=application)
    message = NOT_CANCELLABLE_MESSAGES.get(status, "该申请不能撤销。")
    return CancelOutcome(
        application=application, refusals=[Refusal(RefusalCode.APPLICATION_NOT_CANCELLABLE, message)]
    )


async def _cancel(application_id: int) -> bool:
    """Cancel the application if it still holds its orders and free them, in one transaction."""
    for attempt in range(1, _CANCEL_ATTEMPTS + 1):
        now = datetime.now(UTC)
        try:
            async with in_transaction(db.CONNECTION) as connection:
                # The row lock this UPDATE takes is what `loan.applied` for the same batch waits on.
                changed = (
                    await FinancingApplication.filter(
                        id=application_id, status__in=OPEN_APPLICATION_STATUSES, expires_at__gt=now
                    )
                    .using_db(connection)
                    .update(status=ApplicationStatus.CANCELLED, updated_at=now)
                )
                if changed:
                    await (
                        OrderClaim.filter(application_id=application_id, loan_id=None)
                        .using_db(connection)
                        .delete()
                    )
            return bool(changed)
        except Exception as exc:
            if attempt == _CANCEL_ATTEMPTS or not is_lost_race(exc):
                raise
            logger.info("cancelling application %s rolled back (%s); again", application_id, exc)
    raise AssertionError("unreachable")  # the last attempt returns or raises
