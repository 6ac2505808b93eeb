"""`plan_repairs`: what the BFF missed of the bank's news, as pure data (no database, no HTTP)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bff.domain.bank_records import BankLimit, BankLoan, BankRepayment, PlanItem
from bff.domain.reconcile import Known, KnownLoan, plan_repairs
from bff.domain.statuses import AdmissionStatus, LoanStatus

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
CODE = "91440300MA5314187G"
APPROVED = BankLimit(
    "APPROVED", Decimal("459000.00"), Decimal("0.4"), Decimal("0.6"), date(2027, 3, 15), None
)
PAID_1 = BankRepayment(
    "R1",
    "SCHEDULED",
    Decimal("100.00"),
    Decimal("5.00"),
    Decimal("0.00"),
    datetime(2026, 2, 10, 10, tzinfo=CST),
)
PAID_2 = BankRepayment(
    "R2",
    "SCHEDULED",
    Decimal("100.00"),
    Decimal("4.00"),
    Decimal("0.00"),
    datetime(2026, 3, 10, 10, tzinfo=CST),
)


def bank_loan(status: str = "DISBURSED", **changes: object) -> BankLoan:
    loan = BankLoan(
        loan_no="L1",
        credit_code=CODE,
        kind="ORDER",
        status=status,
        amount=Decimal("300.00"),
        outstanding_principal=Decimal("100.00"),
        annual_rate=Decimal("0.0720"),
        term_months=3,
        plan=(
            PlanItem(1, date(2026, 2, 10), Decimal("100.00"), Decimal("5.00"), "PAID"),
            PlanItem(2, date(2026, 3, 10), Decimal("100.00"), Decimal("4.00"), "PAID"),
            PlanItem(3, date(2026, 4, 10), Decimal("100.00"), Decimal("3.00"), "PENDING"),
        ),
        documents=(),
        repayments=(PAID_1, PAID_2),
        applied_at=datetime(2026, 1, 10, 9, tzinfo=CST),
        disbursed_at=datetime(2026, 1, 10, 11, tzinfo=CST),
    )
    return replace(loan, **changes)  # type: ignore[arg-type]


def known(
    status: AdmissionStatus = AdmissionStatus.APPROVED,
    *loans: KnownLoan,
    batches: frozenset[str] = frozenset(),
) -> Known:
    total = Decimal("459000.00") if status is AdmissionStatus.APPROVED else None
    return Known("GD-BOTH", CODE, status, total, {loan.loan_no: loan for loan in loans}, batches)


def mine(
    status: LoanStatus, outstanding: str = "100.00", repaid: tuple[str, ...] = ("R1", "R2")
) -> KnownLoan:
    return KnownLoan("L1", status, Decimal(outstanding), frozenset(repaid))


SETTLED_AT_BANK = bank_loan(
    "SETTLED",
    outstanding_principal=Decimal("0.00"),
    repayments=(
        PAID_1,
        PAID_2,
        replace(PAID_2, repayment_no="R3", paid_at=datetime(2026, 3, 12, 10, tzinfo=CST)),
    ),
    settled_at=datetime(2026, 3, 12, 10, tzinfo=CST),
)


@pytest.mark.parametrize(
    ("platform", "limit", "loans", "events", "discrepancies"),
    [
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED)),
            APPROVED,
            [bank_loan()],
            [],
            [],
            id="in-step-nothing-to-do",
        ),
        pytest.param(
            known(AdmissionStatus.REGISTERING),
            APPROVED,
            [],
            ["limit.approved:" + CODE],
            [],
            id="missed-limit-approved",
        ),
        pytest.param(
            known(AdmissionStatus.VERIFIED),
            BankLimit("REJECTED", None, None, None, None, date(2026, 9, 15)),
            [],
            ["limit.rejected:" + CODE],
            [],
            id="missed-limit-rejected",
        ),
        pytest.param(
            known(AdmissionStatus.REJECTED), APPROVED, [], [], ["LIMIT"], id="rejected-here-never-reapproved"
        ),
        pytest.param(
            known(),
            APPROVED,
            [bank_loan()],
            ["found:L1", "loan.disbursed:L1", "repayment.posted:L1:R1", "repayment.posted:L1:R2"],
            [],
            id="unknown-loan-without-batch-recorded-then-replayed",
        ),
        pytest.param(
            known(batches=frozenset({"B1"})),
            APPROVED,
            [bank_loan(batch_no="B1", order_nos=("O1", "O2"))],
            ["loan.applied:L1", "loan.disbursed:L1", "repayment.posted:L1:R1", "repayment.posted:L1:R2"],
            [],
            id="unknown-loan-of-a-known-batch-with-its-orders",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.PROCESSING, "0.00", ())),
            APPROVED,
            [bank_loan()],
            ["loan.disbursed:L1", "repayment.posted:L1:R1", "repayment.posted:L1:R2"],
            [],
            id="missed-disbursed",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.PROCESSING, "0.00", ())),
            APPROVED,
            [
                bank_loan(
                    "FAILED", repayments=(), failure_reason="风控拒绝", outstanding_principal=Decimal("0.00")
                )
            ],
            ["loan.failed:L1"],
            [],
            id="missed-failed",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED, "200.00", ("R1",))),
            APPROVED,
            [bank_loan()],
            ["repayment.posted:L1:R2"],
            [],
            id="missed-repayment",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED)),
            APPROVED,
            [SETTLED_AT_BANK],
            ["repayment.posted:L1:R3", "loan.settled:L1"],
            [],
            id="missed-last-repayment-and-settled",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED)),
            APPROVED,
            [
                bank_loan(
                    "OVERDUE",
                    plan=(
                        *bank_loan().plan[:2],
                        PlanItem(3, date(2026, 3, 12), Decimal("100.00"), Decimal("3.00"), "OVERDUE"),
                    ),
                )
            ],
            ["loan.overdue:L1:3"],
            [],
            id="missed-overdue",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.SETTLED, "0.00")),
            APPROVED,
            [bank_loan()],
            [],
            ["LOAN_STATUS"],
            id="never-backwards-settled-stays-settled",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED, "150.00")),
            APPROVED,
            [bank_loan()],
            [],
            ["LOAN_AMOUNT"],
            id="outstanding-differs-reported",
        ),
        pytest.param(
            known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED)),
            APPROVED,
            [],
            [],
            ["LOAN_UNKNOWN_TO_BANK"],
            id="loan-the-bank-does-not-list",
        ),
    ],
)
def test_plan(
    platform: Known, limit: BankLimit, loans: list[BankLoan], events: list[str], discrepancies: list[str]
) -> None:
    plan = plan_repairs(platform, limit, loans, NOW)

    assert [r.event.key if r.event else f"found:{r.subject}" for r in plan.repairs] == events
    assert [d.kind.value for d in plan.discrepancies] == discrepancies


def test_applying_the_plan_leaves_nothing_to_repair() -> None:
    # given: what the platform knows once a backfilled, repaid loan was applied
    after = known(AdmissionStatus.APPROVED, mine(LoanStatus.DISBURSED))

    # then: the second run plans nothing
    plan = plan_repairs(after, APPROVED, [bank_loan()], NOW)
    assert (plan.repairs, plan.discrepancies) == ((), ())


def test_repairs_carry_the_notification_data_and_the_bank_times() -> None:
    plan = plan_repairs(known(), APPROVED, [bank_loan()], NOW)

    disbursed, first = plan.repairs[1], plan.repairs[2]
    assert disbursed.event is not None
    assert first.event is not None
    assert dict(disbursed.event.data) == {
        "loan_no": "L1",
        "amount": "300.00",
        "annual_rate": "0.0720",
        "term_months": 3,
        "disbursed_at": "2026-01-10T11:00:00+08:00",
    }
    assert first.event.occurred_at == PAID_1.paid_at
    assert dict(first.event.data)["principal"] == "100.00"
    assert plan.repairs[0].found is not None
    assert plan.repairs[0].detail == "ORDER loan of 300.00 unknown here, recorded"
