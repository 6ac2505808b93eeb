"""Starting a repayment: an installment or an early settlement, both completed on WeBank's pages."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bff.context import Context
from bff.domain.bank_records import PayoffQuote
from bff.domain.refusals import Refusal, RefusalCode
from bff.domain.statuses import REPAYABLE_LOAN_STATUSES
from bff.errors import UpstreamResponseError
from bff.resolvers.loans import load_loan

CONFLICT = 409


class RepaymentStart(enum.Enum):
    INSTALLMENT = "INSTALLMENT"
    EARLY_SETTLEMENT = "EARLY_SETTLEMENT"


@dataclass(slots=True)
class RepaymentOutcome:
    redirect_url: str | None = None
    payoff_quote: PayoffQuote | None = None
    refusals: list[Refusal] = field(default_factory=list)


def _refuse(code: RefusalCode, message: str) -> RepaymentOutcome:
    return RepaymentOutcome(refusals=[Refusal(code, message, "loanId")])


async def start_repayment(context: Context, loan_no: str, kind: RepaymentStart) -> RepaymentOutcome:
    loan = await load_loan(context, loan_no)
    if loan is None or loan.supplier_code != context.viewer.supplier_code:
        return _refuse(RefusalCode.LOAN_NOT_FOUND, "没有找到这笔贷款。")
    if loan.status not in REPAYABLE_LOAN_STATUSES:
        return _refuse(RefusalCode.LOAN_NOT_REPAYABLE, f"贷款{loan.loan_no}当前状态不能还款。")
    try:
        url = await context.loaders.repayment_urls.load((loan.loan_no, kind.value))
        quote = None
        if kind is RepaymentStart.EARLY_SETTLEMENT:
            quote = await context.loaders.payoff_quotes.load((loan.loan_no, context.today()))
    except UpstreamResponseError as exc:
        if exc.status == CONFLICT:  # the bank already sees it settled (our mirror is behind)
            return _refuse(RefusalCode.LOAN_NOT_REPAYABLE, f"贷款{loan.loan_no}在微众银行已不可还款。")
        raise
    return RepaymentOutcome(redirect_url=url, payoff_quote=quote)
