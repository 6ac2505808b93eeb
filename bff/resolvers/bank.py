"""What WeBank's account pages show (manual §7–§10): accounts, 业务流水 and documents, read through the
loaders, plus the signed download links that stand in for the bank's document URLs."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bff import document_links
from bff.context import Context
from bff.domain.bank_records import BankAccounts, BankDocument, BankTransaction
from bff.errors import InvalidInputError
from bff.loaders import TransactionWindowRequest
from bff.models import Loan
from bff.resolvers.cursors import cursor_int, decode_cursor, encode_cursor, page_size
from bff.resolvers.suppliers import require_profile

TRANSACTIONS_CURSOR = "txns"
DOCUMENTS_CURSOR = "docs"
DEFAULT_TRANSACTION_DAYS = 90
MAX_TRANSACTION_DAYS = 366
DOCUMENT_KINDS = (
    "LOAN_CONTRACT",
    "LIMIT_CONTRACT",
    "REALNAME_AGREEMENT",
    "INSTALLMENT_VOUCHER",
    "INTEREST_VOUCHER",
    "SETTLEMENT_CERTIFICATE",
)


@dataclass(frozen=True, slots=True)
class TransactionEdgeRecord:
    transaction: BankTransaction
    cursor: str


@dataclass(frozen=True, slots=True)
class TransactionListPage:
    start: date
    end: date
    edges: tuple[TransactionEdgeRecord, ...]
    has_next_page: bool
    total_count: int


@dataclass(frozen=True, slots=True)
class DocumentEdgeRecord:
    document: BankDocument
    cursor: str


@dataclass(frozen=True, slots=True)
class DocumentListPage:
    edges: tuple[DocumentEdgeRecord, ...]
    has_next_page: bool
    total_count: int


async def _credit_code(context: Context, supplier_code: str) -> str:
    return (await require_profile(context, supplier_code)).credit_code


async def bank_accounts(context: Context, supplier_code: str) -> BankAccounts:
    return await context.loaders.bank_accounts.load(await _credit_code(context, supplier_code))


def transaction_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days asked for: `to` defaults to today, `from` to 90 days before `to`; at most 366 days."""
    last = end or today
    try:
        first = start or last - timedelta(days=DEFAULT_TRANSACTION_DAYS)
    except OverflowError:
        raise InvalidInputError("`to` is out of range.") from None
    if first > last:
        raise InvalidInputError("`from` must not be after `to`.")
    if (last - first).days >= MAX_TRANSACTION_DAYS:
        raise InvalidInputError(f"At most {MAX_TRANSACTION_DAYS} days of transactions at a time.")
    return first, last


async def account_transactions(
    context: Context,
    supplier_code: str,
    *,
    start: date | None,
    end: date | None,
    first: int | None,
    after: str | None,
) -> TransactionListPage:
    first_day, last_day = transaction_range(start, end, context.today())
    limit = page_size(first)
    offset = 0
    if after is not None:
        state = decode_cursor(TRANSACTIONS_CURSOR, after)
        # a cursor belongs to the range it was given out for
        if state.get("f") != first_day.isoformat() or state.get("t") != last_day.isoformat():
            raise InvalidInputError("`after` belongs to another date range.")
        offset = cursor_int(state.get("o"), maximum=10**7) + 1
    credit_code = await _credit_code(context, supplier_code)
    window = await context.loaders.transaction_windows.load(
        TransactionWindowRequest(credit_code, first_day, last_day, offset, limit)
    )
    edges = tuple(
        TransactionEdgeRecord(
            txn,
            encode_cursor(
                TRANSACTIONS_CURSOR, {"f": first_day.isoformat(), "t": last_day.isoformat(), "o": offset + i}
            ),
        )
        for i, txn in enumerate(window.transactions)
    )
    return TransactionListPage(
        start=first_day,
        end=last_day,
        edges=edges,
        has_next_page=offset + len(edges) < window.total,
        total_count=window.total,
    )


async def supplier_documents(
    context: Context,
    supplier_code: str,
    *,
    kinds: Iterable[str] | None,
    loan_no: str | None,
    first: int | None,
    after: str | None,
) -> DocumentListPage:
    """The supplier's documents as the bank lists them, filtered by kind and loan, `first` at a time."""
    limit = page_size(first)
    offset = 0
    if after is not None:
        offset = cursor_int(decode_cursor(DOCUMENTS_CURSOR, after).get("o"), maximum=10**7) + 1
    listed = await context.loaders.bank_documents.load(await _credit_code(context, supplier_code))
    wanted = set(DOCUMENT_KINDS if kinds is None else kinds)
    found = [
        doc
        for doc in listed
        if doc.kind in wanted and (loan_no is None or doc.loan_no == loan_no) and doc.kind in DOCUMENT_KINDS
    ]
    shown = found[offset : offset + limit]
    edges = tuple(
        DocumentEdgeRecord(doc, encode_cursor(DOCUMENTS_CURSOR, {"o": offset + i}))
        for i, doc in enumerate(shown)
    )
    return DocumentListPage(edges=edges, has_next_page=offset + limit < len(found), total_count=len(found))


async def loan_documents(context: Context, loan: Loan) -> list[BankDocument]:
    """The loan's documents from the bank's loan view (one batched call for a page of loans)."""
    bank = await context.loaders.bank_loans.load(loan.loan_no)
    if bank is None or bank.status == "FAILED":
        return []
    return [doc for doc in bank.documents if doc.kind in DOCUMENT_KINDS]


def file_name(doc: BankDocument) -> str:
    return f"{doc.loan_no}-{doc.title}.pdf" if doc.loan_no else f"{doc.title}.pdf"


def download_url(context: Context, supplier_code: str, doc: BankDocument) -> str:
    """A link to `/documents/{token}` on the BFF, signed for this supplier, valid BFF_DOCUMENT_URL_TTL s."""
    settings = context.services.settings
    grant = document_links.DocumentGrant(
        doc_id=doc.doc_id,
        supplier_code=supplier_code,
        expires_at=int(time.time()) + settings.document_url_ttl,
        filename=file_name(doc),
    )
    base = (settings.public_url or "").rstrip("/")
    return f"{base}/documents/{document_links.sign(settings.jwt_secret, grant)}"
