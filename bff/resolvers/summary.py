"""`Supplier.summary`: the dashboard figures, from the platform's records, one batched bank read of the
repayable loans' plans and the supplier's financeable orders — never a call per loan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from bff.context import Context
from bff.domain.bank_records import BankLoan
from bff.domain.dashboard import Summary, SummaryLoan, summarize
from bff.domain.financeability import financeable_amount
from bff.domain.order_statuses import FINANCEABLE_STATUSES
from bff.domain.statuses import REPAYABLE_LOAN_STATUSES
from bff.errors import UpstreamError
from bff.models import Loan, OverdueEpisode
from bff.resolvers.financing import ratios
from bff.resolvers.loans import financed_by
from bff.resolvers.order_financing import financing_of_orders
from bff.resolvers.orders import list_orders

# Orders read for the financeable figures: pages of the largest size, this many at most.
MAX_ORDER_PAGES = 10
ORDER_PAGE = 100
FINANCEABLE = frozenset(status for statuses in FINANCEABLE_STATUSES.values() for status in statuses)


@dataclass(frozen=True, slots=True)
class SupplierSummary:
    figures: Summary
    loans: dict[str, Loan]  # the repayable loans, by number (for `nextDue.loan`)
    plans_error: UpstreamError | None  # the bank could not be read: `nextDue` is unknown
    orders_error: UpstreamError | None  # neither order system could be read: the order figures are unknown


async def _financeable_amounts(context: Context, supplier_code: str) -> list[Decimal]:
    amounts: list[Decimal] = []
    after: str | None = None
    for _ in range(MAX_ORDER_PAGES):
        page = await list_orders(
            context, supplier_code, source=None, statuses=FINANCEABLE, first=ORDER_PAGE, after=after
        )
        orders = [edge.order for edge in page.edges]
        financing = await financing_of_orders(context, orders)
        amounts += [
            financeable_amount(order, ratios(context), financed_by(each.loan_lines), each.status)
            for order, each in zip(orders, financing, strict=True)
        ]
        if not page.has_next_page or not page.edges:
            break
        after = page.edges[-1].cursor
    return amounts


async def supplier_summary(context: Context, supplier_code: str) -> SupplierSummary:
    loans = await Loan.filter(supplier_code=supplier_code, status__in=list(REPAYABLE_LOAN_STATUSES)).order_by(
        "id"
    )
    open_overdue: dict[int, int] = defaultdict(int)
    for episode in await OverdueEpisode.filter(loan_id__in=[loan.id for loan in loans], cleared_at=None):
        open_overdue[episode.loan_id] += episode.overdue_fen

    plans: dict[str, BankLoan] = {}
    plans_error: UpstreamError | None = None
    if loans:
        try:  # one batched `/v1/loans` read for every repayable loan
            found = await context.loaders.bank_loans.load_many([loan.loan_no for loan in loans])
            plans = {bank.loan_no: bank for bank in found if bank is not None}
        except UpstreamError as exc:
            plans_error = exc

    amounts: list[Decimal] = []
    orders_error: UpstreamError | None = None
    try:
        amounts = await _financeable_amounts(context, supplier_code)
    except UpstreamError as exc:
        orders_error = exc

    figures = summarize(
        [
            SummaryLoan(
                loan_no=loan.loan_no,
                status=loan.status,
                outstanding_principal_fen=loan.outstanding_principal_fen,
                open_overdue_fen=open_overdue[loan.id],
                plan=plans[loan.loan_no].plan if loan.loan_no in plans else None,
            )
            for loan in loans
        ],
        amounts,
        context.today(),
    )
    return SupplierSummary(
        figures=figures,
        loans={loan.loan_no: loan for loan in loans},
        plans_error=plans_error,
        orders_error=orders_error,
    )
