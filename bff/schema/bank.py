"""What WeBank's account pages show, in the graph (manual §7–§10): accounts, 业务流水, documents."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import strawberry
from strawberry import relay

from bff.domain.bank_records import BankAccount as BankAccountRecord
from bff.domain.bank_records import BankAccounts as BankAccountsRecord
from bff.domain.bank_records import BankDocument, BankTransaction
from bff.resolvers.bank import download_url
from bff.schema.context import Info, context_of


@strawberry.enum(description="What a bank document is (合同、协议与凭证).")
class DocumentKind(enum.Enum):
    LOAN_CONTRACT = strawberry.enum_value("LOAN_CONTRACT", description="Loan contract (借款合同).")
    LIMIT_CONTRACT = strawberry.enum_value(
        "LIMIT_CONTRACT", description="Credit-limit contract (额度合同), the enterprise's, not one loan's."
    )
    REALNAME_AGREEMENT = strawberry.enum_value(
        "REALNAME_AGREEMENT", description="Real-name verification agreement (实名协议)."
    )
    INSTALLMENT_VOUCHER = strawberry.enum_value(
        "INSTALLMENT_VOUCHER",
        description="Principal-and-interest repayment voucher of one period (本息归还凭证).",
    )
    INTEREST_VOUCHER = strawberry.enum_value(
        "INTEREST_VOUCHER", description="Interest payment voucher of one period (付息凭证)."
    )
    SETTLEMENT_CERTIFICATE = strawberry.enum_value(
        "SETTLEMENT_CERTIFICATE", description="Loan settlement certificate (贷款结清证明), once settled."
    )


@strawberry.enum(description="Kind of an account transaction (业务流水的交易类型).")
class AccountTransactionKind(enum.Enum):
    DEPOSIT = strawberry.enum_value(
        "DEPOSIT", description="Money deposited into the repayment account (存入)."
    )
    DEBIT = strawberry.enum_value("DEBIT", description="A repayment debited by the bank (扣款).")
    DISBURSEMENT = strawberry.enum_value("DISBURSEMENT", description="A loan paid out (放款).")
    FEE = strawberry.enum_value("FEE", description="A fee charged by the bank (手续费).")


@strawberry.type(
    description="A document WeBank issued (合同、协议、凭证), downloadable as a PDF through the BFF."
)
class Document:
    doc_id: strawberry.Private[str]
    supplier_code: strawberry.Private[str]
    record: strawberry.Private[BankDocument]
    kind: DocumentKind = strawberry.field(description="What the document is (文件类型).")
    title: str = strawberry.field(description="The bank's title, e.g. 第1期本息归还凭证 (文件名称).")
    loan_no: str | None = strawberry.field(
        description="The loan it belongs to (借据编号); null for the enterprise's own documents."
    )
    period: int | None = strawberry.field(description="The installment a voucher is for (期次).")
    issued_at: dt.datetime | None = strawberry.field(description="When the bank issued it (出具时间).")

    @classmethod
    def of(cls, supplier_code: str, record: BankDocument) -> Document:
        return cls(
            doc_id=record.doc_id,
            supplier_code=supplier_code,
            record=record,
            kind=DocumentKind(record.kind),
            title=record.title,
            loan_no=record.loan_no,
            period=record.period,
            issued_at=record.issued_at,
        )

    @strawberry.field(
        description="Download link (下载) on the BFF, signed for the viewer's supplier; expires after "
        "BFF_DOCUMENT_URL_TTL seconds (then 404). Serves the PDF; never a bank URL."
    )
    def download_url(self, info: Info) -> str:
        return download_url(context_of(info), self.supplier_code, self.record)


@strawberry.type(description="One bank account (账户); the number is masked to its last 4 digits.")
class BankAccount:
    bank_name: str = strawberry.field(description="Bank and branch (开户行).")
    account_name: str = strawberry.field(description="Account holder (户名).")
    account_no_masked: str = strawberry.field(description="Account number (账号), e.g. ****1234.")

    @classmethod
    def of(cls, record: BankAccountRecord | None) -> BankAccount | None:
        if record is None:
            return None
        return cls(
            bank_name=record.bank_name,
            account_name=record.account_name,
            account_no_masked=record.account_no_masked,
        )


@strawberry.type(description="The enterprise's accounts at WeBank's partner pages (账户信息).")
class BankAccounts:
    receiving: BankAccount | None = strawberry.field(
        description="Receiving account (收款账户): where loans are paid out."
    )
    repayment: BankAccount | None = strawberry.field(
        description="Repayment account (还款账户): deposit here before a due date; the bank debits it."
    )

    @classmethod
    def of(cls, record: BankAccountsRecord) -> BankAccounts:
        return cls(receiving=BankAccount.of(record.receiving), repayment=BankAccount.of(record.repayment))


@strawberry.type(description="One account transaction (业务流水).")
class AccountTransaction:
    txn_no: str = strawberry.field(description="Transaction number (流水号).")
    kind: AccountTransactionKind = strawberry.field(description="Transaction kind (交易类型).")
    amount: Decimal = strawberry.field(description="Amount in yuan, always positive (交易金额).")
    balance_after: Decimal = strawberry.field(description="Balance after the transaction (余额).")
    loan_no: str | None = strawberry.field(description="The loan it concerns, if any (借据编号).")
    occurred_at: dt.datetime = strawberry.field(description="When it happened (交易时间).")
    memo: str = strawberry.field(description="The bank's note (摘要).")

    @classmethod
    def of(cls, record: BankTransaction) -> AccountTransaction | None:
        try:
            kind = AccountTransactionKind(record.kind)
        except ValueError:
            return None
        return cls(
            txn_no=record.txn_no,
            kind=kind,
            amount=record.amount,
            balance_after=record.balance_after,
            loan_no=record.loan_no,
            occurred_at=record.occurred_at,
            memo=record.memo,
        )


@strawberry.type(description="An edge of account transactions (业务流水).")
class AccountTransactionEdge:
    node: AccountTransaction = strawberry.field(description="The transaction (流水).")
    cursor: str = strawberry.field(description="Opaque cursor for `after`.")


@strawberry.type(description="A page of account transactions (业务流水), newest first.")
class AccountTransactionConnection:
    edges: list[AccountTransactionEdge] = strawberry.field(description="The transactions of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(description="Transactions in the whole date range (笔数).")
    from_date: dt.date = strawberry.field(description="First day of the range (起始日期).")
    to_date: dt.date = strawberry.field(description="Last day of the range (截止日期).")


@strawberry.type(description="An edge of documents (合同与凭证).")
class DocumentEdge:
    node: Document = strawberry.field(description="The document.")
    cursor: str = strawberry.field(description="Opaque cursor for `after`.")


@strawberry.type(description="A page of the supplier's documents (合同与凭证).")
class DocumentConnection:
    edges: list[DocumentEdge] = strawberry.field(description="The documents of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(description="Documents matching the filters.")
