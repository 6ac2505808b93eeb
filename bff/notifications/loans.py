"""Applying WeBank's loan and repayment notifications to the mirrored `Loan` records.

Every handler runs inside the transaction in which the inbox marks the event processed, so an error leaves
nothing half-applied. Status changes are conditional updates on the status read (`next_loan_status` decides
them), so a late or repeated event changes nothing. An event for a loan not known yet (`loan.disbursed`
before `loan.applied`), or one that needs a disbursed loan while it is still PROCESSING, raises
`NotYetApplicableError`: it stays stored and the inbox re-runs it once the loan moves.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bff.domain import notices
from bff.domain.calendar import shanghai_date
from bff.domain.loan_flow import LoanEvent, allocate, next_loan_status, waits_for_disbursement
from bff.domain.money import fen_to_yuan, yuan_to_fen
from bff.domain.repayment_record import EpisodeFacts, OverdueReport, PaymentFacts, overdue_episodes
from bff.models import (
    ApplicationOrder,
    ApplicationStatus,
    BankEvent,
    FinancingApplication,
    Loan,
    LoanKind,
    LoanOrder,
    LoanStatus,
    OrderClaim,
    OverdueEpisode,
    Repayment,
)
from bff.notices import create_notice
from bff.notifications.events import (
    EventType,
    parse_loan_applied,
    parse_loan_disbursed,
    parse_loan_failed,
    parse_loan_overdue,
    parse_loan_settled,
    parse_repayment_posted,
)
from bff.store import current_admission_by_credit_code

__all__ = [
    "LOAN_HANDLERS",
    "LoanApplicationError",
    "NotYetApplicableError",
    "apply_loan_applied",
    "apply_loan_disbursed",
    "apply_loan_failed",
    "apply_loan_overdue",
    "apply_loan_settled",
    "apply_repayment_posted",
    "loan_supplier",
    "record_found_loan",
]

logger = logging.getLogger("bff.notifications")

# A conditional update loses only to a concurrent event for the same loan, and each loss moves the loan on.
_MAX_ROUNDS = 5


class NotYetApplicableError(Exception):
    """The event concerns a loan that is not known yet, or not yet disbursed: it waits, stored unprocessed."""

    def __init__(self, loan_no: str, message: str) -> None:
        super().__init__(message)
        self.loan_no = loan_no


class LoanApplicationError(Exception):
    """A `loan.applied` that does not match the platform's records (unknown batch, foreign orders, amount)."""


Changes = Callable[[Loan, LoanStatus], dict[str, Any]]


async def _loan(loan_no: str, conn: BaseDBAsyncClient) -> Loan:
    # Locked (FOR UPDATE) before anything else of the loan is touched, so that concurrent events of one
    # loan apply one after the other. Without it two took their locks in different orders (a repayment's
    # insert takes a key-share lock on the loan, then the loan's update waits) and deadlocked on PostgreSQL.
    loan = await Loan.filter(loan_no=loan_no).using_db(conn).select_for_update().first()
    if loan is None:
        raise NotYetApplicableError(loan_no, f"loan {loan_no} is not known yet")
    return loan


async def _move(loan: Loan, event: LoanEvent, changes: Changes, conn: BaseDBAsyncClient) -> Loan | None:
    """Move `loan` by `event` if the state machine allows it; the loan as it was before, or None if not."""
    for _ in range(_MAX_ROUNDS):
        if waits_for_disbursement(loan.status, event):
            raise NotYetApplicableError(loan.loan_no, f"loan {loan.loan_no} is not disbursed yet")
        new = next_loan_status(loan.status, event)
        if new is None:
            return None
        updated = (
            await Loan.filter(id=loan.id, status=loan.status)
            .using_db(conn)
            .update(status=new, updated_at=datetime.now(UTC), **changes(loan, new))
        )
        if updated:
            return loan
        loan = await Loan.filter(id=loan.id).using_db(conn).get()
    raise RuntimeError(f"loan {loan.loan_no} kept changing under event {event}")


async def _free_orders(loan: Loan, conn: BaseDBAsyncClient) -> None:
    await OrderClaim.filter(loan_id=loan.id).using_db(conn).delete()


# --- loan.applied ---------------------------------------------------------------------------------------


async def _supplier_code(credit_code: str, conn: BaseDBAsyncClient) -> str:
    return (await current_admission_by_credit_code(credit_code, conn)).supplier_code


async def apply_loan_applied(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
    """Record a new loan (once per `loan_no`); an order loan takes over its application's order claims."""
    applied = parse_loan_applied(data)
    if await Loan.filter(loan_no=applied.loan_no).using_db(conn).exists():
        return
    supplier_code = await _supplier_code(applied.credit_code, conn)
    amount_fen = yuan_to_fen(applied.amount)

    application: FinancingApplication | None = None
    financed: list[tuple[ApplicationOrder, int]] = []
    if applied.kind is LoanKind.ORDER:
        # Locked first, as a cancel takes it first too: the two wait for each other instead of deadlocking
        # over the claims. A cancelled (or expired) application still gets its loan: the bank made it.
        application = (
            await FinancingApplication.filter(batch_no=applied.batch_no, supplier_code=supplier_code)
            .using_db(conn)
            .select_for_update()
            .first()
        )
        if application is None:
            raise LoanApplicationError(
                f"no financing application of the supplier has batch {applied.batch_no}"
            )
        orders = await ApplicationOrder.filter(application_id=application.id).using_db(conn).order_by("id")
        known = {order.order_no for order in orders}
        foreign = [no for no in applied.order_nos if no not in known]
        if foreign:
            raise LoanApplicationError(f"orders {', '.join(foreign)} are not in batch {applied.batch_no}")
        chosen = [order for order in orders if order.order_no in applied.order_nos]
        try:
            shares = allocate(amount_fen, [order.financeable_fen for order in chosen])
        except ValueError:
            raise LoanApplicationError(
                f"loan amount {applied.amount} exceeds what its orders can finance"
            ) from None
        financed = list(zip(chosen, shares, strict=True))

    loan = await Loan.create(
        using_db=conn,
        loan_no=applied.loan_no,
        supplier_code=supplier_code,
        kind=applied.kind,
        status=LoanStatus.PROCESSING,
        amount_fen=amount_fen,
        outstanding_principal_fen=0,
        application=application,
        batch_no=applied.batch_no,
        applied_at=occurred_at,
    )
    if application is None:
        return
    for order, share in financed:
        await LoanOrder.create(
            using_db=conn,
            loan=loan,
            source=order.source,
            order_id=order.order_id,
            order_no=order.order_no,
            financed_fen=share,
        )
        await _claim_for_loan(application, loan, order, conn)
    # The application's other orders were not financed: free them for new applications. Whatever the
    # application was (open, expired, cancelled), a loan was made from it: it is LOAN_CREATED now.
    await OrderClaim.filter(application_id=application.id, loan_id=None).using_db(conn).delete()
    await (
        FinancingApplication.filter(id=application.id)
        .using_db(conn)
        .update(status=ApplicationStatus.LOAN_CREATED, updated_at=datetime.now(UTC))
    )


async def _claim_for_loan(
    application: FinancingApplication, loan: Loan, order: ApplicationOrder, conn: BaseDBAsyncClient
) -> None:
    moved = (
        await OrderClaim.filter(
            application_id=application.id, source=order.source, order_id=order.order_id, loan_id=None
        )
        .using_db(conn)
        .update(loan_id=loan.id)
    )
    if moved:
        return
    # The application expired meanwhile (its claims freed), yet WeBank made the loan: claim the order again
    # unless another application holds it now — the bank's loan is recorded either way.
    if await OrderClaim.filter(source=order.source, order_id=order.order_id).using_db(conn).exists():
        logger.warning("order %s of loan %s is claimed elsewhere", order.order_no, loan.loan_no)
        return
    await OrderClaim.create(
        using_db=conn, source=order.source, order_id=order.order_id, application=application, loan=loan
    )


# --- loan.disbursed, loan.failed, loan.settled ----------------------------------------------------------


async def apply_loan_disbursed(
    occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient
) -> None:
    disbursed = parse_loan_disbursed(data)
    amount_fen = yuan_to_fen(disbursed.amount)
    loan = await _loan(disbursed.loan_no, conn)
    before = await _move(
        loan,
        LoanEvent.LOAN_DISBURSED,
        lambda _loan, _new: {
            "amount_fen": amount_fen,
            "outstanding_principal_fen": amount_fen,
            "annual_rate": disbursed.annual_rate,
            "term_months": disbursed.term_months,
            "disbursed_at": disbursed.disbursed_at or occurred_at,
        },
        conn,
    )
    if before is not None and before.amount_fen != amount_fen:
        await _reallocate(before, amount_fen, conn)
    if before is not None:
        on = shanghai_date(disbursed.disbursed_at or occurred_at)
        await create_notice(loan.supplier_code, notices.disbursed(loan.loan_no, disbursed.amount, on), conn)


async def _reallocate(loan: Loan, amount_fen: int, conn: BaseDBAsyncClient) -> None:
    """The bank disbursed another amount than applied for: split what was disbursed over the orders."""
    lines = await LoanOrder.filter(loan_id=loan.id).using_db(conn).order_by("id")
    if not lines or loan.application_id is None:
        return
    orders = await ApplicationOrder.filter(application_id=loan.application_id).using_db(conn)
    weights = {(order.source, order.order_id): order.financeable_fen for order in orders}
    try:
        shares = allocate(amount_fen, [weights.get((line.source, line.order_id), 0) for line in lines])
    except ValueError:
        raise LoanApplicationError(
            f"disbursed amount of loan {loan.loan_no} exceeds what its orders can finance"
        ) from None
    for line, share in zip(lines, shares, strict=True):
        if line.financed_fen != share:
            await LoanOrder.filter(id=line.id).using_db(conn).update(financed_fen=share)


async def apply_loan_failed(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
    failed = parse_loan_failed(data)
    loan = await _loan(failed.loan_no, conn)
    if await _move(loan, LoanEvent.LOAN_FAILED, lambda _loan, _new: {"failure_reason": failed.reason}, conn):
        await _free_orders(loan, conn)
        await create_notice(loan.supplier_code, notices.loan_failed(loan.loan_no, failed.reason), conn)


async def apply_loan_settled(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
    settled = parse_loan_settled(data)
    loan = await _loan(settled.loan_no, conn)
    # A settled loan owes nothing, so it is not overdue either: its open episodes clear at `settled_at`.
    changes = {
        "outstanding_principal_fen": 0,
        "settled_at": settled.settled_at or occurred_at,
        "overdue_since": None,
    }
    if await _move(loan, LoanEvent.LOAN_SETTLED, lambda _loan, _new: changes, conn):
        await _free_orders(loan, conn)
        on = shanghai_date(settled.settled_at or occurred_at)
        await create_notice(loan.supplier_code, notices.settled(loan.loan_no, on), conn)
    await _derive_overdue_record(await Loan.filter(id=loan.id).using_db(conn).get(), conn)  # now SETTLED


# --- loan.overdue and repayment.posted: the overdue record -----------------------------------------------


async def apply_loan_overdue(occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient) -> None:
    """Record the installment's overdue episode (once per period) and move the loan OVERDUE unless paid."""
    overdue = parse_loan_overdue(data)
    loan = await _loan(overdue.loan_no, conn)
    if waits_for_disbursement(loan.status, LoanEvent.LOAN_OVERDUE):
        raise NotYetApplicableError(loan.loan_no, f"loan {loan.loan_no} is not disbursed yet")
    # The report itself is the event being processed (marked processed in this transaction): the record
    # is derived from it together with every earlier one.
    await _derive_overdue_record(loan, conn)
    # The installment's automatic debit failed (that is what the report says) — unless it was paid or
    # the loan settled meanwhile (a report arriving late): then there is nothing to tell.
    if (
        await OverdueEpisode.filter(loan_id=loan.id, period=overdue.period, cleared_at=None)
        .using_db(conn)
        .exists()
    ):
        draft = notices.debit_failed(loan.loan_no, overdue.period, overdue.since, overdue.overdue_amount)
        await create_notice(loan.supplier_code, draft, conn)


async def apply_repayment_posted(
    occurred_at: datetime, data: Mapping[str, Any], conn: BaseDBAsyncClient
) -> None:
    """Record the repayment once; it lowers the outstanding principal and may clear the arrears."""
    posted = parse_repayment_posted(data)
    loan = await _loan(posted.loan_no, conn)
    if loan.status is LoanStatus.PROCESSING:
        # applying it before `loan.disbursed` sets the principal would lose it
        raise NotYetApplicableError(loan.loan_no, f"loan {loan.loan_no} is not disbursed yet")
    if await Repayment.filter(repayment_no=posted.repayment_no).using_db(conn).exists():
        return
    principal_fen = yuan_to_fen(posted.principal)
    await Repayment.create(
        using_db=conn,
        repayment_no=posted.repayment_no,
        loan=loan,
        kind=posted.kind,
        principal_fen=principal_fen,
        interest_fen=yuan_to_fen(posted.interest),
        penalty_fen=yuan_to_fen(posted.penalty),
        paid_at=posted.paid_at,
    )
    for _ in range(_MAX_ROUNDS):
        outstanding = loan.outstanding_principal_fen
        updated = (
            await Loan.filter(id=loan.id, outstanding_principal_fen=outstanding)
            .using_db(conn)
            .update(
                outstanding_principal_fen=max(outstanding - principal_fen, 0), updated_at=datetime.now(UTC)
            )
        )
        if updated:
            loan.outstanding_principal_fen = max(outstanding - principal_fen, 0)
            break
        loan = await Loan.filter(id=loan.id).using_db(conn).get()
    else:
        raise RuntimeError(f"loan {loan.loan_no} kept changing under repayment {posted.repayment_no}")
    await _derive_overdue_record(loan, conn)


async def _overdue_reports(loan: Loan, conn: BaseDBAsyncClient) -> list[OverdueReport]:
    events = await BankEvent.filter(
        loan_no=loan.loan_no, type=EventType.LOAN_OVERDUE.value, processed_at__isnull=False
    ).using_db(conn)
    reports = []
    for event in events:
        overdue = parse_loan_overdue(event.payload["data"])  # it was read when it was processed
        reports.append(
            OverdueReport(
                period=overdue.period,
                since=overdue.since,
                overdue_fen=yuan_to_fen(overdue.overdue_amount),
                reported_at=event.occurred_at,
            )
        )
    return reports


async def _derive_overdue_record(loan: Loan, conn: BaseDBAsyncClient) -> None:
    """Bring the loan's overdue episodes, and its OVERDUE ⇄ DISBURSED status, in line with all known facts.

    Derived afresh from every processed report, repayment and the settlement, so the outcome is the same
    whatever order the notifications came in; a repeated one finds everything in line already.

    `loan` is the row as this transaction now has it, locked by `_loan`: the lock makes concurrent events
    of one loan derive one after the other on PostgreSQL, each seeing what the one before committed
    (SQLite writes one transaction at a time anyway).
    """
    if loan.status in (LoanStatus.PROCESSING, LoanStatus.FAILED):
        return
    reports = await _overdue_reports(loan, conn)
    derived: list[EpisodeFacts] = []
    if reports:
        # Episodes come only from reports: a loan never reported overdue (most of them) has none stored and
        # none to derive, and its repayments need not be read again for every repayment.
        repayments = await Repayment.filter(loan_id=loan.id).using_db(conn)
        derived = overdue_episodes(
            loan.id,
            reports,
            [
                PaymentFacts(loan_id=loan.id, kind=row.kind, amount_fen=row.amount_fen, paid_at=row.paid_at)
                for row in repayments
            ],
            loan.settled_at if loan.status is LoanStatus.SETTLED else None,
        )
        await _store_episodes(loan, derived, conn)

    open_since = [episode.since for episode in derived if episode.cleared_at is None]
    if loan.status is LoanStatus.SETTLED:
        return
    if open_since:
        since = min(open_since)
        if loan.status is LoanStatus.DISBURSED:
            if await _move(loan, LoanEvent.LOAN_OVERDUE, lambda _loan, _new: {"overdue_since": since}, conn):
                arrears = sum(episode.overdue_fen for episode in derived if episode.cleared_at is None)
                draft = notices.overdue(loan.loan_no, since, fen_to_yuan(arrears))
                await create_notice(loan.supplier_code, draft, conn)
        elif loan.overdue_since != since:
            await (
                Loan.filter(id=loan.id)
                .using_db(conn)
                .update(overdue_since=since, updated_at=datetime.now(UTC))
            )
    elif loan.status is LoanStatus.OVERDUE:
        await _move(
            loan, LoanEvent.REPAYMENT_CLEARED_ARREARS, lambda _loan, _new: {"overdue_since": None}, conn
        )


async def _store_episodes(loan: Loan, derived: list[EpisodeFacts], conn: BaseDBAsyncClient) -> None:
    stored = {row.period: row for row in await OverdueEpisode.filter(loan_id=loan.id).using_db(conn)}
    for episode in derived:
        row = stored.pop(episode.period, None)
        values = {
            "since": episode.since,
            "overdue_fen": episode.overdue_fen,
            "cleared_at": episode.cleared_at,
        }
        if row is None:
            await OverdueEpisode.create(using_db=conn, loan_id=loan.id, period=episode.period, **values)
        elif (row.since, row.overdue_fen, row.cleared_at) != (
            episode.since,
            episode.overdue_fen,
            episode.cleared_at,
        ):
            await OverdueEpisode.filter(id=row.id).using_db(conn).update(**values)
    if stored:
        # reported only after the loan was settled (and processed before the settlement was): disregarded
        await OverdueEpisode.filter(id__in=[row.id for row in stored.values()]).using_db(conn).delete()


# --- registry and live updates --------------------------------------------------------------------------

Handler = Callable[[datetime, Mapping[str, Any], BaseDBAsyncClient], Awaitable[None]]

LOAN_HANDLERS: dict[EventType, Handler] = {
    EventType.LOAN_APPLIED: apply_loan_applied,
    EventType.LOAN_DISBURSED: apply_loan_disbursed,
    EventType.LOAN_FAILED: apply_loan_failed,
    EventType.REPAYMENT_POSTED: apply_repayment_posted,
    EventType.LOAN_OVERDUE: apply_loan_overdue,
    EventType.LOAN_SETTLED: apply_loan_settled,
}


async def loan_supplier(loan_no: str) -> str | None:
    """The supplier whose loan `loan_no` is, if the loan is known."""
    codes = await Loan.filter(loan_no=loan_no).values_list("supplier_code", flat=True)
    return str(codes[0]) if codes else None


# --- reconciliation: a loan the bank has and the platform never heard of ---------------------------------


async def record_found_loan(
    loan_no: str,
    credit_code: str,
    kind: LoanKind,
    amount_fen: int,
    applied_at: datetime,
    batch_no: str | None,
    conn: BaseDBAsyncClient,
) -> bool:
    """Record a loan WeBank lists but never notified, without an application of the platform (none has its
    batch): PROCESSING, as `loan.applied` would, so the missed events then move it the usual way. False when
    the loan is known already."""
    if await Loan.filter(loan_no=loan_no).using_db(conn).exists():
        return False
    await Loan.create(
        using_db=conn,
        loan_no=loan_no,
        supplier_code=await _supplier_code(credit_code, conn),
        kind=kind,
        status=LoanStatus.PROCESSING,
        amount_fen=amount_fen,
        outstanding_principal_fen=0,
        batch_no=batch_no,
        applied_at=applied_at,
    )
    return True
