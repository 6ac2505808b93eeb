"""WeBank's live view of loans (plan, outstanding principal, documents), batched by loan number."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from aiodataloader import DataLoader

from bff.domain.bank_records import BankAccounts, BankDocument, BankLoan, PayoffQuote, TransactionPage
from bff.integrations.webank import WebankClient
from bff.loaders.per_key import PerKeyLoader

MAX_WINDOW = 100


class BankLoanByNoLoader(DataLoader[str, BankLoan | None]):
    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def batch_load_fn(self, loan_nos: list[str]) -> list[BankLoan | None]:
        found = {loan.loan_no: loan for loan in await self._webank.loans(loan_nos)}
        return [found.get(loan_no) for loan_no in loan_nos]


class PayoffQuoteLoader(PerKeyLoader[tuple[str, date], PayoffQuote]):
    """WeBank quotes one loan per call, for one distinct (loan, date)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: tuple[str, date]) -> PayoffQuote:
        loan_no, day = key
        return await self._webank.payoff(loan_no, day)


class CreditFinancingUrlLoader(PerKeyLoader[str, str]):
    """WeBank's credit-financing page of a supplier, by credit code (one call per distinct code)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: str) -> str:
        return await self._webank.credit_financing_url(key)


class RepaymentUrlLoader(PerKeyLoader[tuple[str, str], str]):
    """WeBank's repayment page for (loan number, INSTALLMENT | EARLY_SETTLEMENT), one call per key."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: tuple[str, str]) -> str:
        loan_no, kind = key
        return await self._webank.repayment_url(loan_no, kind)


class BankAccountsLoader(PerKeyLoader[str, BankAccounts]):
    """收款账户 and 还款账户 of an enterprise, by credit code (one call per distinct code)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: str) -> BankAccounts:
        return await self._webank.accounts(key)


@dataclass(frozen=True, slots=True)
class TransactionWindowRequest:
    """Transactions [offset, offset + limit) of an enterprise's 业务流水 between two days (newest first)."""

    credit_code: str
    start: date
    end: date
    offset: int
    limit: int


class TransactionWindowLoader(PerKeyLoader[TransactionWindowRequest, TransactionPage]):
    """A window of 业务流水 in page-number calls (one, or two when the window straddles the bank's pages)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: TransactionWindowRequest) -> TransactionPage:
        size = max(1, min(key.limit, MAX_WINDOW))
        first_page = key.offset // size + 1
        last_page = (key.offset + size - 1) // size + 1
        pages = await asyncio.gather(
            *(
                self._webank.transactions(key.credit_code, key.start, key.end, page=page, size=size)
                for page in range(first_page, last_page + 1)
            )
        )
        rows = [txn for page in pages for txn in page.transactions]
        skip = key.offset - (first_page - 1) * size
        return TransactionPage(total=pages[0].total, transactions=tuple(rows[skip : skip + key.limit]))


class BankDocumentsLoader(PerKeyLoader[str, list[BankDocument]]):
    """Every document of an enterprise, by credit code (one call per distinct code)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def load_one(self, key: str) -> list[BankDocument]:
        return await self._webank.documents(key)
