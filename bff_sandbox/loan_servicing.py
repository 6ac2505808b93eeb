"""The sandbox bank servicing its loans: automatic debits as the clock moves, repayments from its pages.

Each new day of the sandbox clock (`SandboxState.advance` / `set_today`), for every DISBURSED or OVERDUE
loan in loan-number order:

1. arrears first: if the loan has OVERDUE installments and its account has funds, the bank debits them
   all (principal + interest + penalty to that day) as one SCHEDULED repayment;
2. then each installment due that day: with funds, a SCHEDULED repayment of its principal + interest;
   without, the installment and the loan become OVERDUE and the bank notifies
   `loan.overdue {loan_no, period, overdue_amount, since}` — `overdue_amount` is the principal + interest of
   all the loan's overdue installments (penalty excluded, it grows daily), `since` the due date.

**Insufficient funds** (the sandbox's documented switch): a loan whose amount's fen part is `.33`
(e.g. 3,000.33) has an empty repayment account, so every debit fails until funds come back;
`state.set_insufficient_funds(loan_no, True|False)` (control `POST /_sandbox/webank/funds`) overrides that
rule for one loan either way. Repayments on the bank's pages always succeed (the person pays as they go).

On the pages (`bff_sandbox.repayment_pages`) a person pays the installment now (ACTIVE: the overdue
arrears with penalty if any, else the next pending installment) or settles early (EARLY_SETTLEMENT: the
`loan_engine.payoff` quote of the day; the unpaid installments are replaced in the plan by one PAID row
due that day holding the outstanding principal and the accrued interest, so the plan still sums to the
amount).

Every repayment marks its installments PAID, lowers the outstanding principal, adds a voucher per
installment (本息归还凭证 INSTALLMENT_VOUCHER, or 付息凭证 INTEREST_VOUCHER for an interest-only one) and
notifies `repayment.posted {loan_no, repayment_no, kind, principal, interest, penalty, paid_at}`; a loan
with no overdue installment left is DISBURSED again; once every installment is paid the loan is SETTLED,
gets its 贷款结清证明 (SETTLEMENT_CERTIFICATE) and the bank notifies `loan.settled {loan_no, settled_at}`.
A loan's notifications are chained (`after=` the previous one), so the platform hears them in order; their
`occurred_at` and the `paid_at`/`settled_at` are the sandbox clock's day at the wall clock's time of day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bff_sandbox import loan_engine as engine
from bff_sandbox.data import Installment, Loan, LoanDocument, Repayment
from bff_sandbox.loan_decision import document
from bff_sandbox.money import format_yuan
from bff_sandbox.notifier import Notifier
from bff_sandbox.state import SandboxState

SCHEDULED = "SCHEDULED"
ACTIVE = "ACTIVE"
EARLY_SETTLEMENT = "EARLY_SETTLEMENT"
INSTALLMENT = "INSTALLMENT"
REPAYABLE_STATUSES = ("DISBURSED", "OVERDUE")
SHORT_OF_FUNDS_FEN = Decimal("0.33")


class RepaymentRefused(Exception):
    """A repayment the bank will not take; `code` is LOAN_NOT_FOUND, LOAN_NOT_REPAYABLE or AMOUNT_CHANGED."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def short_of_funds(loan: Loan, switch: bool | None) -> bool:
    """Whether the automatic debit fails: the loan's switch if set, else an amount ending in .33."""
    return switch if switch is not None else loan.amount % 1 == SHORT_OF_FUNDS_FEN


def installment_due(loan: Loan, on: date) -> engine.Due | None:
    """What an INSTALLMENT repayment pays on `on`: all arrears if any, else the next pending installment."""
    arrears = engine.overdue(loan)
    if arrears:
        return engine.due_on(loan, arrears, on)
    pending = [i for i in loan.plan if i.status == engine.PENDING]
    return engine.due_on(loan, pending[:1], on) if pending else None


def amount_due(loan: Loan, kind: str, on: date) -> Decimal | None:
    """The amount a repayment of `kind` (INSTALLMENT or EARLY_SETTLEMENT) takes on `on`."""
    if kind == EARLY_SETTLEMENT:
        return engine.payoff(loan, on).total
    due = installment_due(loan, on)
    return None if due is None else due.total


def _voucher(loan_no: str, installment: Installment) -> LoanDocument:
    if installment.principal > 0:
        kind, title = "INSTALLMENT_VOUCHER", f"第{installment.period}期本息归还凭证"
    else:
        kind, title = "INTEREST_VOUCHER", f"第{installment.period}期付息凭证"
    return document(loan_no, kind, title, f"-{installment.period}")


class LoanServicing:
    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

    # --- the clock ---

    def run_day(self, day: date) -> None:
        """The automatic debits of `day` (the state calls this for each new day)."""
        with self.state.banking():
            for loan in sorted(self.state.loans(), key=lambda loan: loan.loan_no):
                if loan.status in REPAYABLE_STATUSES and loan.disbursed_on is not None:
                    self._service(loan, day)

    def _service(self, loan: Loan, day: date) -> None:
        short = short_of_funds(loan, self.state.funds_short(loan.loan_no))
        arrears = engine.overdue(loan)
        if arrears and not short:
            loan = self._pay(loan, arrears, SCHEDULED, day)
        for installment in loan.plan:
            if installment.due_date != day or installment.status != engine.PENDING:
                continue
            if short:
                loan = self._fall_overdue(loan, installment, day)
            else:
                loan = self._pay(loan, [installment], SCHEDULED, day)

    def _fall_overdue(self, loan: Loan, installment: Installment, day: date) -> Loan:
        plan = tuple(
            replace(i, status=engine.OVERDUE) if i.period == installment.period else i for i in loan.plan
        )
        loan = replace(loan, status="OVERDUE", plan=plan)
        self.state.add_loan(loan)
        arrears = engine.overdue(loan)
        self._notify(
            loan.loan_no,
            "loan.overdue",
            {
                "loan_no": loan.loan_no,
                "period": installment.period,
                "overdue_amount": format_yuan(sum((i.principal + i.interest for i in arrears), engine.ZERO)),
                "since": installment.due_date.isoformat(),
            },
        )
        return loan

    # --- the pages ---

    def repay(
        self, loan_no: str, kind: str, token: str, expected: Decimal | None = None
    ) -> tuple[Loan, Repayment]:
        """Pay an installment (INSTALLMENT → ACTIVE) or settle early (EARLY_SETTLEMENT) today.

        A token already used returns the repayment it made; `expected` (the amount the page showed) must
        still be what is due, else AMOUNT_CHANGED.
        """
        with self.state.banking():
            done = self.state.repayment_of_token(token)
            if done is not None:
                loan = self.state.loan(done[0])
                assert loan is not None
                return loan, next(r for r in loan.repayments if r.repayment_no == done[1])
            loan = self.state.loan(loan_no)
            if loan is None:
                raise RepaymentRefused("LOAN_NOT_FOUND", f"no loan {loan_no}")
            if loan.status not in REPAYABLE_STATUSES:
                raise RepaymentRefused("LOAN_NOT_REPAYABLE", f"loan {loan_no} is {loan.status}")
            today = self.state.today
            due = amount_due(loan, kind, today)
            if due is None:
                raise RepaymentRefused("LOAN_NOT_REPAYABLE", f"loan {loan_no} has nothing due")
            if expected is not None and expected != due:
                raise RepaymentRefused("AMOUNT_CHANGED", f"the amount due is now {format_yuan(due)}")
            if kind == EARLY_SETTLEMENT:
                loan = self._settle_early(loan, today)
            else:
                arrears = engine.overdue(loan)
                pending = [i for i in loan.plan if i.status == engine.PENDING][:1]
                loan = self._pay(loan, arrears or pending, ACTIVE, today)
            repayment = loan.repayments[-1]
            self.state.remember_token(token, loan.loan_no, repayment.repayment_no)
            return loan, repayment

    def _settle_early(self, loan: Loan, day: date) -> Loan:
        """Pay the payoff quote: every open installment is SETTLED (none dropped), the first carrying the
        accrued interest, each its own penalty; the principal of the open periods is the outstanding."""
        quote = engine.payoff(loan, day)
        now = self.state.now()
        plan = []
        closed = []
        first = True
        for item in loan.plan:
            if item.status in engine.CLOSED:
                plan.append(item)
                continue
            penalty = engine.installment_penalty(item, loan.annual_rate, day)
            interest = quote.interest if first else engine.ZERO
            first = False
            settled = replace(
                item,
                status=engine.SETTLED,
                interest=interest,
                penalty=penalty,
                paid_at=now,
                paid_amount=item.principal + interest + penalty,
            )
            plan.append(settled)
            closed.append(settled)
        repayment = Repayment(
            self.state.next_repayment_no(),
            EARLY_SETTLEMENT,
            tuple(i.period for i in closed),
            quote.principal,
            quote.interest,
            quote.penalty,
            now,
        )
        return self._post(loan, tuple(plan), [i for i in closed if i.paid_amount], repayment, day)

    # --- posting a repayment ---

    def _pay(self, loan: Loan, installments: Iterable[Installment], kind: str, day: date) -> Loan:
        chosen = tuple(installments)
        due = engine.due_on(loan, chosen, day)
        now = self.state.now()
        paid = {}
        for item in chosen:
            penalty = engine.installment_penalty(item, loan.annual_rate, day)
            paid[item.period] = replace(
                item,
                status=engine.PAID,
                penalty=penalty,
                paid_at=now,
                paid_amount=item.principal + item.interest + penalty,
            )
        repayment = Repayment(
            self.state.next_repayment_no(), kind, due.periods, due.principal, due.interest, due.penalty, now
        )
        plan = tuple(paid.get(i.period, i) for i in loan.plan)
        return self._post(loan, plan, list(paid.values()), repayment, day)

    def _post(
        self,
        loan: Loan,
        plan: tuple[Installment, ...],
        vouched: list[Installment],
        repayment: Repayment,
        day: date,
    ) -> Loan:
        settled = all(i.status in engine.CLOSED for i in plan)
        status = (
            "SETTLED"
            if settled
            else "OVERDUE"
            if any(i.status == engine.OVERDUE for i in plan)
            else "DISBURSED"
        )
        documents = (*loan.documents, *(_voucher(loan.loan_no, i) for i in vouched))
        if settled:
            documents = (*documents, document(loan.loan_no, "SETTLEMENT_CERTIFICATE", "贷款结清证明"))
        loan = replace(
            loan,
            status=status,
            plan=plan,
            outstanding_principal=loan.outstanding_principal - repayment.principal,
            repayments=(*loan.repayments, repayment),
            documents=documents,
            settled_on=day if settled else None,
        )
        self.state.add_loan(loan)
        now = repayment.paid_at
        self._notify(
            loan.loan_no,
            "repayment.posted",
            {
                "loan_no": loan.loan_no,
                "repayment_no": repayment.repayment_no,
                "kind": repayment.kind,
                "principal": format_yuan(repayment.principal),
                "interest": format_yuan(repayment.interest),
                "penalty": format_yuan(repayment.penalty),
                "paid_at": now.isoformat(),
            },
        )
        if settled:
            self._notify(
                loan.loan_no, "loan.settled", {"loan_no": loan.loan_no, "settled_at": now.isoformat()}
            )
        return loan

    def _notify(self, loan_no: str, type: str, data: Mapping[str, Any]) -> None:
        sent = self.notifier.send(
            type, data, after=self.state.last_loan_event(loan_no), occurred_at=self.state.now()
        )
        self.state.set_last_loan_event(loan_no, sent.event_id)
