"""The back office (运营后台): what platform operators read across suppliers. Every read is audited.

Each function refuses suppliers (FORBIDDEN) and logs the operator's `sub` and what was read to the
`bff.audit` logger before reading anything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bff.auth import Viewer
from bff.context import Context
from bff.domain.calendar import SHANGHAI
from bff.domain.funnel import AdmissionFacts, FunnelRow, entry_point_funnel
from bff.domain.statuses import AdmissionStatus, EntryPoint, LoanStatus
from bff.errors import ForbiddenError, InvalidInputError
from bff.models import Admission, Consent, Loan
from bff.resolvers.cursors import cursor_int, decode_cursor, encode_cursor, page_size

audit_logger = logging.getLogger("bff.audit")

SUPPLIERS_CURSOR = "ops-suppliers"
OVERDUE_CURSOR = "ops-overdue"
MAX_FUNNEL_DAYS = 3660


def require_operator(context: Context, what: str, **arguments: object) -> Viewer:
    """The operator viewer, after logging the read; FORBIDDEN to suppliers (the refusal is logged too)."""
    viewer = context.viewer
    details = " ".join(f"{name}={value!r}" for name, value in arguments.items() if value is not None)
    if not viewer.is_operator:
        audit_logger.warning("refused %s to supplier %s %s", what, viewer.supplier_code, details)
        raise ForbiddenError("Only platform operators may use the back office.")
    audit_logger.info(
        "operator %s read %s %s (request %s)", viewer.supplier_code, what, details, context.request_id
    )
    return viewer


@dataclass(frozen=True, slots=True)
class SupplierPage:
    edges: tuple[tuple[str, str], ...]  # (supplier code, cursor)
    has_next_page: bool
    total_count: int


async def list_suppliers(
    context: Context,
    *,
    admission_statuses: Sequence[AdmissionStatus] | None,
    entry_points: Sequence[EntryPoint] | None,
    overdue: bool | None,
    first: int | None,
    after: str | None,
) -> SupplierPage:
    """Suppliers with a current admission, newest admission first, filtered by its status and entry point
    and by whether one of their loans is overdue now."""
    require_operator(
        context,
        "suppliers",
        admission_statuses=admission_statuses,
        entry_points=entry_points,
        overdue=overdue,
        first=first,
        after=after,
    )
    limit = page_size(first)
    query = Admission.filter(is_current=True)
    if admission_statuses is not None:
        query = query.filter(status__in=list(admission_statuses))
    if entry_points is not None:
        query = query.filter(entry_point__in=list(entry_points))
    if overdue is not None:
        overdue_codes = (
            await Loan.filter(status=LoanStatus.OVERDUE).distinct().values_list("supplier_code", flat=True)
        )
        codes = sorted({str(code) for code in overdue_codes})
        query = query.filter(supplier_code__in=codes) if overdue else query.exclude(supplier_code__in=codes)
    total = await query.count()
    if after is not None:
        query = query.filter(id__lt=cursor_int(decode_cursor(SUPPLIERS_CURSOR, after).get("i")))
    rows = await query.order_by("-id").limit(limit + 1)
    return SupplierPage(
        edges=tuple(
            (row.supplier_code, encode_cursor(SUPPLIERS_CURSOR, {"i": row.id})) for row in rows[:limit]
        ),
        has_next_page=len(rows) > limit,
        total_count=total,
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


async def funnel(context: Context, start: date, end: date) -> list[FunnelRow]:
    """The entry-point funnel of the admissions agreed between two Shanghai days (both included)."""
    require_operator(context, "entryPointFunnel", start=start.isoformat(), end=end.isoformat())
    if end < start:
        raise InvalidInputError("`to` must not be before `from`.")
    if (end - start).days > MAX_FUNNEL_DAYS:
        raise InvalidInputError(f"The funnel spans at most {MAX_FUNNEL_DAYS} days.")
    rows = await Admission.filter(
        agreed_at__gte=_start_of(start), agreed_at__lt=_start_of(end + timedelta(days=1))
    ).values_list("entry_point", "status", "opened_at")
    return entry_point_funnel(
        AdmissionFacts(EntryPoint(point), AdmissionStatus(status), opened_at)
        for point, status, opened_at in rows
    )


@dataclass(frozen=True, slots=True)
class OverduePage:
    edges: tuple[tuple[Loan, str], ...]
    has_next_page: bool
    total_count: int


async def overdue_loans(context: Context, *, first: int | None, after: str | None) -> OverduePage:
    """Every supplier's overdue loans, in the order they were recorded."""
    require_operator(context, "overdueLoans", first=first, after=after)
    limit = page_size(first)
    query = Loan.filter(status=LoanStatus.OVERDUE)
    total = await query.count()
    if after is not None:
        query = query.filter(id__gt=cursor_int(decode_cursor(OVERDUE_CURSOR, after).get("i")))
    rows = await query.order_by("id").limit(limit + 1)
    return OverduePage(
        edges=tuple((row, encode_cursor(OVERDUE_CURSOR, {"i": row.id})) for row in rows[:limit]),
        has_next_page=len(rows) > limit,
        total_count=total,
    )


async def supplier_consents(context: Context, admission: Admission) -> list[Consent]:
    """The consents (授权记录) the admission's supplier gave, newest first."""
    require_operator(context, "Admission.consents", supplier=admission.supplier_code)
    return await Consent.filter(supplier_code=admission.supplier_code).order_by("-agreed_at", "-id")
