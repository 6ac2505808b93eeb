"""A supplier's loans (newest first, keyset cursors), and what they say about orders and repayment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tortoise.expressions import Q

from bff.context import Context
from bff.domain.bank_records import BankLoan, PayoffQuote
from bff.domain.calendar import SHANGHAI
from bff.domain.money import fen_to_yuan
from bff.domain.records import OrderKey, OrderRecord
from bff.domain.repayment_record import EpisodeFacts, LoanFacts, PaymentFacts, summarize
from bff.domain.statuses import LIVE_LOAN_STATUSES, REPAYABLE_LOAN_STATUSES, LoanKind, LoanStatus
from bff.errors import InvalidInputError, NotFoundError
from bff.models import Loan, LoanOrder, OverdueEpisode, Repayment
from bff.resolvers.cursors import cursor_datetime, cursor_int, decode_cursor, encode_cursor, page_size

CURSOR_KIND = "loans"


@dataclass(frozen=True, slots=True)
class LoanEdgeRecord:
    loan: Loan
    cursor: str


@dataclass(frozen=True, slots=True)
class LoanListPage:
    edges: tuple[LoanEdgeRecord, ...]
    has_next_page: bool
    total_count: int


@dataclass(frozen=True, slots=True)
class RepaymentRecordSummary:
    on_time_count: int
    overdue_count: int
    max_overdue_days: int
    overdue_principal: Decimal  # principal outstanding on the loans overdue now
    current_overdue_amount: Decimal  # arrears of the installments overdue now


def _cursor(loan: Loan) -> str:
    return encode_cursor(CURSOR_KIND, {"t": loan.applied_at.isoformat(), "i": loan.id})


async def list_loans(
    context: Context,
    supplier_code: str,
    *,
    statuses: Iterable[LoanStatus] | None,
    kinds: Iterable[LoanKind] | None,
    applied_from: date | None,
    applied_to: date | None,
    first: int | None,
    after: str | None,
) -> LoanListPage:
    limit = page_size(first)
    query = Loan.filter(supplier_code=supplier_code)
    if statuses is not None:
        query = query.filter(status__in=list(statuses))
    if kinds is not None:
        query = query.filter(kind__in=list(kinds))
    if applied_from is not None:
        query = query.filter(applied_at__gte=_start_of(applied_from, "appliedFrom"))
    if applied_to is not None:
        query = query.filter(applied_at__lt=_start_of(applied_to, "appliedTo", days=1))
    total = await query.count()
    if after is not None:
        state = decode_cursor(CURSOR_KIND, after)
        applied_at, loan_id = cursor_datetime(state.get("t")), cursor_int(state.get("i"))
        # Keyset, not offset: a loan created while the client pages does not shift later pages.
        # Spelled out with Q: tortoise's `.exclude(a=…, b=…)` means NOT a AND NOT b, which skipped every
        # older loan with a higher id (a loan the bank told of late, or one reconciliation backfilled).
        query = query.filter(Q(applied_at__lt=applied_at) | Q(applied_at=applied_at, id__lt=loan_id))
    rows = await query.order_by("-applied_at", "-id").limit(limit + 1)
    edges = tuple(LoanEdgeRecord(loan=row, cursor=_cursor(row)) for row in rows[:limit])
    return LoanListPage(edges=edges, has_next_page=len(rows) > limit, total_count=total)


def _start_of(day: date, argument: str, *, days: int = 0) -> datetime:
    """Midnight in Shanghai of `day` (+ `days`), in UTC: SQLite compares stored times as text, all in UTC.

    The first and last days a `date` can hold have no such midnight (0001-01-01 in Shanghai is still year 0
    in UTC; 9999-12-31 has no next day): the client's `argument` is out of range.
    """
    try:
        return datetime.combine(day + timedelta(days=days), datetime.min.time(), tzinfo=SHANGHAI).astimezone(
            UTC
        )
    except OverflowError:
        raise InvalidInputError(f"`{argument}` is out of range.") from None


async def load_loan(context: Context, loan_no: str) -> Loan | None:
    loan = await context.loaders.loans.load(loan_no)
    if loan is None or not context.viewer.may_read(loan.supplier_code):
        return None
    return loan


async def loans_of_order(context: Context, order: OrderRecord) -> list[Loan]:
    lines = await context.loaders.loan_orders_by_order.load(order.key)
    return [line.loan for line in lines]


async def financed_amount(context: Context, key: OrderKey) -> Decimal:
    """What live loans finance on this order (failed and settled loans no longer do)."""
    return financed_by(await context.loaders.loan_orders_by_order.load(key))


def financed_by(lines: list[LoanOrder]) -> Decimal:
    """What the live loans among an order's loan lines finance on it."""
    return fen_to_yuan(sum(line.financed_fen for line in lines if line.loan.status in LIVE_LOAN_STATUSES))


async def loan_lines_of_orders(context: Context, orders: list[OrderRecord]) -> list[list[LoanOrder]]:
    """Each order's loan lines (with their loans), for a whole page in one batch."""
    return list(await context.loaders.loan_orders_by_order.load_many([order.key for order in orders]))


async def orders_of_loan(context: Context, loan: Loan) -> list[OrderRecord]:
    lines = await context.loaders.loan_orders_by_loan.load(loan.id)
    found = await context.loaders.orders.load_many([OrderKey(line.source, line.order_id) for line in lines])
    return [order for order in found if order is not None]


async def bank_view(context: Context, loan: Loan) -> BankLoan | None:
    return await context.loaders.bank_loans.load(loan.loan_no)


async def annual_rate_of(context: Context, loan: Loan) -> Decimal | None:
    """The rate `loan.disbursed` told; for a loan never disbursed (FAILED), the bank's (one batched call)."""
    if loan.annual_rate is not None:
        return loan.annual_rate
    bank = await bank_view(context, loan)
    return None if bank is None else bank.annual_rate


async def term_months_of(context: Context, loan: Loan) -> int | None:
    if loan.term_months is not None:
        return loan.term_months
    bank = await bank_view(context, loan)
    return None if bank is None else bank.term_months


async def payoff_quote(context: Context, loan: Loan, as_of: date | None) -> PayoffQuote | None:
    """The bank's early-settlement quote; `asOf` before the disbursement day is INVALID_INPUT."""
    disbursed = None if loan.disbursed_at is None else loan.disbursed_at.astimezone(SHANGHAI).date()
    if as_of is not None and disbursed is not None and as_of < disbursed:
        raise InvalidInputError("`asOf` is before the loan was disbursed.")
    if loan.status not in REPAYABLE_LOAN_STATUSES:
        return None
    return await context.loaders.payoff_quotes.load((loan.loan_no, as_of or context.today()))


async def repayment_record(context: Context, supplier_code: str) -> RepaymentRecordSummary:
    """The supplier's record, from its repayments and overdue episodes (three queries, whatever its size)."""
    loans = await Loan.filter(supplier_code=supplier_code)
    repayments = await Repayment.filter(loan__supplier_code=supplier_code)
    episodes = await OverdueEpisode.filter(loan__supplier_code=supplier_code)
    figures = summarize(
        [LoanFacts(loan.id, loan.status, loan.outstanding_principal_fen) for loan in loans],
        [PaymentFacts(row.loan_id, row.kind, row.amount_fen, row.paid_at) for row in repayments],
        [
            EpisodeFacts(row.loan_id, row.period, row.since, row.overdue_fen, row.cleared_at)
            for row in episodes
        ],
        context.today(),
    )
    return RepaymentRecordSummary(
        on_time_count=figures.on_time_count,
        overdue_count=figures.overdue_count,
        max_overdue_days=figures.max_overdue_days,
        overdue_principal=fen_to_yuan(figures.overdue_principal_fen),
        current_overdue_amount=fen_to_yuan(figures.current_overdue_fen),
    )


async def repayments_of_loan(context: Context, loan: Loan) -> list[Repayment]:
    return await context.loaders.repayments_by_loan.load(loan.id)


async def loan_of_repayment(context: Context, repayment: Repayment) -> Loan:
    loan = await context.loaders.loans_by_id.load(repayment.loan_id)
    if loan is None:  # the foreign key makes this impossible short of a broken database
        raise NotFoundError(f"Repayment {repayment.repayment_no} has no loan.")
    return loan


async def load_repayment(context: Context, repayment_no: str) -> Repayment | None:
    repayment = await Repayment.get_or_none(repayment_no=repayment_no)
    if repayment is None:
        return None
    loan = await context.loaders.loans_by_id.load(repayment.loan_id)
    if loan is None or not context.viewer.may_read(loan.supplier_code):
        return None
    return repayment


async def loans_of_application(application_id: int) -> list[Loan]:
    return await Loan.filter(application_id=application_id).order_by("-applied_at", "-id")
