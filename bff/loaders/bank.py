"""WeBank's live view of loans (plan, outstanding principal, documents), batched by loan number."""

from __future__ import annotations

import asyncio
from datetime import date

from aiodataloader import DataLoader

from bff.domain.bank_records import BankLoan, PayoffQuote
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

    async def batch_load_fn(self, keys: list[tuple[str, date]]) -> list[PayoffQuote]:
        return list(await asyncio.gather(*(self._webank.payoff(loan_no, day) for loan_no, day in keys)))
