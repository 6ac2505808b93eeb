"""WeBank's live view of loans (plan, outstanding principal, documents), batched by loan number."""

from __future__ import annotations

import asyncio
from datetime import date

from aiodataloader import DataLoader

from bff.domain.bank_records import BankLoan, PayoffQuote
from bff.errors import UpstreamError
from bff.integrations.webank import WebankClient


class BankLoanByNoLoader(DataLoader[str, BankLoan | None]):
    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def batch_load_fn(self, loan_nos: list[str]) -> list[BankLoan | None]:
        found = {loan.loan_no: loan for loan in await self._webank.loans(loan_nos)}
        return [found.get(loan_no) for loan_no in loan_nos]


class PayoffQuoteLoader(DataLoader[tuple[str, date], PayoffQuote]):
    """WeBank quotes one loan per call: a batch becomes concurrent calls, one per distinct (loan, date)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    # aiodataloader rejects only the key whose value is an Exception, hence the wider return type.
    async def batch_load_fn(  # type: ignore[override]
        self, keys: list[tuple[str, date]]
    ) -> list[PayoffQuote | UpstreamError]:
        return list(await asyncio.gather(*(self._quote(loan_no, day) for loan_no, day in keys)))

    async def _quote(self, loan_no: str, day: date) -> PayoffQuote | UpstreamError:
        # Separate calls fail separately: a returned error rejects only its own key, not the batch.
        try:
            return await self._webank.payoff(loan_no, day)
        except UpstreamError as exc:
            return exc


class CreditFinancingUrlLoader(DataLoader[str, str]):
    """WeBank's credit-financing page of a supplier, by credit code (one call per distinct code)."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def batch_load_fn(self, credit_codes: list[str]) -> list[str | UpstreamError]:  # type: ignore[override]
        # Each key fails on its own: one supplier's failure must not reject the others.
        return list(await asyncio.gather(*(self._one(code) for code in credit_codes)))

    async def _one(self, credit_code: str) -> str | UpstreamError:
        try:
            return await self._webank.credit_financing_url(credit_code)
        except UpstreamError as exc:
            return exc


class RepaymentUrlLoader(DataLoader[tuple[str, str], str]):
    """WeBank's repayment page for (loan number, INSTALLMENT | EARLY_SETTLEMENT), one call per key."""

    def __init__(self, webank: WebankClient) -> None:
        super().__init__()
        self._webank = webank

    async def batch_load_fn(self, keys: list[tuple[str, str]]) -> list[str | UpstreamError]:  # type: ignore[override]
        return list(await asyncio.gather(*(self._one(loan_no, kind) for loan_no, kind in keys)))

    async def _one(self, loan_no: str, kind: str) -> str | UpstreamError:
        try:
            return await self._webank.repayment_url(loan_no, kind)
        except UpstreamError as exc:
            return exc
