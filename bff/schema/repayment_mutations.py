"""`startRepayment`: hand over to WeBank's repayment pages (trading password + SMS happen there)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from bff.resolvers.repayment import RepaymentStart, start_repayment
from bff.schema.context import Info, supplier_context
from bff.schema.described_enum import described_enum
from bff.schema.loans import PayoffQuote
from bff.schema.node import key_of
from bff.schema.user_errors import UserError, user_errors

described_enum(
    RepaymentStart,
    "What the supplier repays on WeBank's pages (还款申请).",
    {
        RepaymentStart.INSTALLMENT: "The installment due (到期还款).",
        RepaymentStart.EARLY_SETTLEMENT: "The whole loan, early (提前结清).",
    },
    name="RepaymentStartKind",
)


@strawberry.input(description="A loan to repay and how (还款申请).")
class StartRepaymentInput:
    loan_id: strawberry.ID = strawberry.field(description="A DISBURSED or OVERDUE Loan of the viewer.")
    kind: RepaymentStart = strawberry.field(
        description="INSTALLMENT (到期还款) or EARLY_SETTLEMENT (提前结清)."
    )


@strawberry.type(description="The result of startRepayment: where to hand the supplier over to.")
class StartRepaymentPayload:
    redirect_url: str | None = strawberry.field(description="WeBank's repayment page.")
    payoff_quote: PayoffQuote | None = strawberry.field(
        description="For an early settlement: what it costs today."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.type
class RepaymentMutations:
    @strawberry.mutation(description="Start repaying an installment or settling early, on WeBank's pages.")
    async def start_repayment(
        self,
        info: Info,
        input: Annotated[StartRepaymentInput, strawberry.argument(description="The loan and the kind.")],
    ) -> StartRepaymentPayload:
        context = supplier_context(info)
        loan_no = key_of(str(input.loan_id), "Loan", "`loanId` must be the id of a Loan.")
        outcome = await start_repayment(context, loan_no, input.kind)
        return StartRepaymentPayload(
            redirect_url=outcome.redirect_url,
            payoff_quote=None
            if outcome.payoff_quote is None
            else PayoffQuote.from_record(outcome.payoff_quote),
            user_errors=user_errors(outcome.refusals),
        )
