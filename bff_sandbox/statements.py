"""What the bank's account pages show an enterprise (manual §7–§10): its accounts, 业务流水, documents.

Everything is derived from the loans and registrations the sandbox holds, so it is deterministic:

- **Accounts.** An enterprise the bank knows (a supplier push, or a loan) has a receiving account
  (收款账户, where loans are paid out; at a commercial bank) and a repayment account (还款账户, at WeBank,
  which the automatic debit takes from). Account numbers come from a hash of the credit code.
- **业务流水.** Per loan: a DISBURSEMENT (放款) when it was paid out; per repayment: the DEPOSIT (存入) the
  enterprise made into its repayment account one hour before, and the DEBIT (扣款) of the repayment.
  `balance_after` is the running balance of the enterprise's money at the bank (DISBURSEMENT and DEPOSIT
  add, DEBIT and FEE take). Newest first.
- **Documents.** The 实名协议 once the legal representative is verified (or the enterprise has a loan),
  the 额度合同 once a limit is approved (or it has a loan) — both the enterprise's, no loan number —
  and each loan's own documents (借款合同, 本息归还凭证 / 付息凭证 per period, 贷款结清证明). A FAILED loan
  has none. `doc_id` is opaque (a hash), stable across calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bff_sandbox.data import SHANGHAI, Loan
from bff_sandbox.state import STEP_APPLY, STEP_DONE, SandboxState

DEPOSIT = "DEPOSIT"
DEBIT = "DEBIT"
DISBURSEMENT = "DISBURSEMENT"
FEE = "FEE"

LIMIT_CONTRACT = "LIMIT_CONTRACT"
REALNAME_AGREEMENT = "REALNAME_AGREEMENT"
ENTERPRISE_DOCUMENTS = (LIMIT_CONTRACT, REALNAME_AGREEMENT)
TITLES = {LIMIT_CONTRACT: "额度合同", REALNAME_AGREEMENT: "实名认证协议"}

RECEIVING_BANKS = ("中国工商银行深圳分行", "中国建设银行广州分行", "招商银行上海分行", "中国银行杭州分行")
REPAYMENT_BANK = "深圳前海微众银行"

REPAYMENT_LABELS = {"SCHEDULED": "到期自动扣款", "ACTIVE": "主动还款", "EARLY_SETTLEMENT": "提前结清"}


@dataclass(frozen=True, slots=True)
class Account:
    bank_name: str
    account_name: str
    account_no: str


@dataclass(frozen=True, slots=True)
class Transaction:
    txn_no: str
    kind: str
    amount: Decimal
    balance_after: Decimal
    loan_no: str | None
    occurred_at: datetime
    memo: str


@dataclass(frozen=True, slots=True)
class DocumentRef:
    doc_id: str
    credit_code: str
    kind: str
    title: str
    loan_no: str | None
    period: int | None
    issued_at: datetime
    url: str = ""  # the bank's own page of a loan's document (relative to its base URL)


def _digits(seed: str, count: int) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return "".join(str(int(c, 16) % 10) for c in digest)[:count]


def enterprise_name(state: SandboxState, credit_code: str) -> str:
    pushes = state.supplier_pushes(credit_code)
    if pushes:
        return pushes[-1].supplier.name
    for supplier in state.seed.suppliers:
        if supplier.credit_code == credit_code:
            return supplier.name
    return credit_code


def loans_of(state: SandboxState, credit_code: str) -> list[Loan]:
    return sorted(
        (loan for loan in state.loans() if loan.credit_code == credit_code), key=lambda x: x.loan_no
    )


def known(state: SandboxState, credit_code: str) -> bool:
    return bool(state.supplier_pushes(credit_code)) or bool(loans_of(state, credit_code))


def accounts(state: SandboxState, credit_code: str) -> tuple[Account | None, Account | None]:
    """(receiving, repayment); both None for an enterprise the bank does not know."""
    if not known(state, credit_code):
        return None, None
    name = enterprise_name(state, credit_code)
    bank = RECEIVING_BANKS[int(_digits(credit_code, 1)) % len(RECEIVING_BANKS)]
    receiving = Account(bank, name, "6222" + _digits("receiving:" + credit_code, 15))
    repayment = Account(REPAYMENT_BANK, name, "6236" + _digits("repayment:" + credit_code, 15))
    return receiving, repayment


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def transactions(state: SandboxState, credit_code: str) -> list[Transaction]:
    """The enterprise's 业务流水, newest first."""
    events: list[tuple[datetime, str, str, Decimal, str | None, str]] = []
    for loan in loans_of(state, credit_code):
        if loan.disbursed_on is not None:
            at = loan.disbursed_at or _moment(loan.disbursed_on, 11)
            events.append(
                (at, f"T{loan.loan_no}D", DISBURSEMENT, loan.amount, loan.loan_no, f"放款 {loan.loan_no}")
            )
        for repayment in loan.repayments:
            label = REPAYMENT_LABELS.get(repayment.kind, repayment.kind)
            events.append(
                (
                    repayment.paid_at - timedelta(hours=1),
                    f"T{repayment.repayment_no}C",
                    DEPOSIT,
                    repayment.amount,
                    loan.loan_no,
                    "存入还款账户",
                )
            )
            events.append(
                (
                    repayment.paid_at,
                    f"T{repayment.repayment_no}D",
                    DEBIT,
                    repayment.amount,
                    loan.loan_no,
                    f"{label} {loan.loan_no} {repayment.repayment_no}",
                )
            )
    events.sort(key=lambda e: (e[0], e[1]))
    balance = Decimal("0.00")
    found = []
    for at, txn_no, kind, amount, loan_no, memo in events:
        balance = balance + amount if kind in (DISBURSEMENT, DEPOSIT) else balance - amount
        found.append(Transaction(txn_no, kind, amount, balance, loan_no, at, memo))
    found.reverse()
    return found


def doc_id(credit_code: str, kind: str, loan_no: str | None, period: int | None) -> str:
    """Opaque and stable: nothing a client could guess another enterprise's document from."""
    return (
        "D" + hashlib.sha256(f"{credit_code}|{kind}|{loan_no or ''}|{period or ''}".encode()).hexdigest()[:24]
    )


def period_of(url: str) -> int | None:
    stem = url.rsplit("/", 1)[-1].removesuffix(".pdf")
    head, _, tail = stem.rpartition("-")
    return int(tail) if head and tail.isdigit() else None


def _loan_issued_at(loan: Loan) -> datetime:
    if loan.applied_at is not None:
        return loan.applied_at
    if loan.disbursed_on is not None:
        return _moment(loan.disbursed_on, 9)
    return datetime(2026, 1, 1, tzinfo=SHANGHAI)


def loan_documents(loan: Loan) -> list[DocumentRef]:
    """A loan's own documents (its copy of the enterprise's 额度合同 included), none for a FAILED loan."""
    if loan.status == "FAILED":
        return []
    found = []
    for doc in loan.documents:
        period = period_of(doc.url)
        if doc.kind in ENTERPRISE_DOCUMENTS:
            found.append(
                DocumentRef(
                    doc_id(loan.credit_code, doc.kind, None, None),
                    loan.credit_code,
                    doc.kind,
                    doc.title,
                    None,
                    None,
                    _loan_issued_at(loan),
                    doc.url,
                )
            )
            continue
        issued = _loan_issued_at(loan)
        if period is not None:
            paid = [r.paid_at for r in loan.repayments if period in r.periods]
            issued = paid[-1] if paid else issued
        elif doc.kind == "SETTLEMENT_CERTIFICATE" and loan.repayments:
            issued = loan.repayments[-1].paid_at
        found.append(
            DocumentRef(
                doc_id(loan.credit_code, doc.kind, loan.loan_no, period),
                loan.credit_code,
                doc.kind,
                doc.title,
                loan.loan_no,
                period,
                issued,
                doc.url,
            )
        )
    return found


def documents(state: SandboxState, credit_code: str) -> list[DocumentRef]:
    """Every document of the enterprise: its own first (实名协议, 额度合同), then each loan's, by loan number."""
    loans = loans_of(state, credit_code)
    application = state.latest_application(credit_code)
    verified = application is not None and application.step in (STEP_APPLY, STEP_DONE)
    first_loan_at = min((_loan_issued_at(loan) for loan in loans), default=None)
    found: list[DocumentRef] = []
    if verified or loans:
        issued = first_loan_at or state.now()
        found.append(
            DocumentRef(
                doc_id(credit_code, REALNAME_AGREEMENT, None, None),
                credit_code,
                REALNAME_AGREEMENT,
                TITLES[REALNAME_AGREEMENT],
                None,
                None,
                issued,
            )
        )
    if state.limit(credit_code).status == "APPROVED" or loans:
        found.append(
            DocumentRef(
                doc_id(credit_code, LIMIT_CONTRACT, None, None),
                credit_code,
                LIMIT_CONTRACT,
                TITLES[LIMIT_CONTRACT],
                None,
                None,
                first_loan_at or state.now(),
            )
        )
    for loan in loans:
        found.extend(d for d in loan_documents(loan) if d.kind not in ENTERPRISE_DOCUMENTS)
    return found


def find_document(state: SandboxState, wanted: str) -> tuple[DocumentRef, Loan | None] | None:
    """A document by its id, with its loan (None for the enterprise's own documents)."""
    codes = {loan.credit_code for loan in state.loans()} | {
        p.supplier.credit_code for p in state.supplier_pushes()
    }
    for credit_code in sorted(codes):
        for doc in documents(state, credit_code):
            if doc.doc_id == wanted:
                loan = None if doc.loan_no is None else state.loan(doc.loan_no)
                return doc, loan
    return None
