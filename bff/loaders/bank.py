"""WeBank's live view of loans (plan, outstanding principal, documents), batched by loan number."""

from __future__ import annotations

from datetime import date

from aiodataloader import DataLoader

from bff.domain.bank_records import BankLoan, PayoffQuote
from bff.integrations.webank import WebankClient
from bff.loaders.per_key import PerKeyLoader


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
