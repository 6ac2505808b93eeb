"""The sandbox bank's loan arithmetic against tables worked out by hand (never by calling the engine).

Every expected amount below was computed independently with exact fractions and rounded half-up to the
fen; the comments show the arithmetic of the less obvious ones. r = annual rate / 12, interest actual/360.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bff_sandbox.data import Loan
from bff_sandbox.loan_engine import (
    EQUAL_INSTALLMENT,
    INTEREST_FIRST,
    OVERDUE,
    PAID,
    Due,
    Payoff,
    accrued_interest,
    annuity_payment,
    due_on,
    installments,
    overdue,
    payoff,
    penalty,
    schedule,
)

RATE = Decimal("0.0720")
Row = tuple[int, str, int, str, str, str]  # period, due date, days, opening principal, principal, interest


def table(principal: str, term: int, disbursed_on: date, method: str) -> list[Row]:
    return [
        (
            r.period,
            r.due_date.isoformat(),
            r.days,
            str(r.opening_principal),
            str(r.principal),
            str(r.interest),
        )
        for r in schedule(Decimal(principal), RATE, term, disbursed_on, method)
    ]


def test_the_worked_example_equal_installments_from_the_31st_clamp_to_month_ends() -> None:
    # A = 12000 × .006 × 1.006³ / (1.006³ − 1) = 4048.0957… → 4048.10
    # 8019.10 × .072 × 31/360 = 49.7184… → 49.72; 4020.72 × .072 × 30/360 = 24.1243… → 24.12
    assert table("12000.00", 3, date(2026, 1, 31), EQUAL_INSTALLMENT) == [
        (1, "2026-02-28", 28, "12000.00", "3980.90", "67.20"),
        (2, "2026-03-31", 31, "8019.10", "3998.38", "49.72"),
        (3, "2026-04-30", 30, "4020.72", "4020.72", "24.12"),
    ]


def test_due_dates_count_from_the_disbursement_day_not_the_previous_due_date() -> None:
    # 31 Jan → 28 Feb, then 31 Mar (not 28 Mar), 30 Apr, 31 May, 30 Jun, 31 Jul; A = 17018.41
    assert table("100000.00", 6, date(2026, 1, 31), EQUAL_INSTALLMENT) == [
        (1, "2026-02-28", 28, "100000.00", "16458.41", "560.00"),
        (2, "2026-03-31", 31, "83541.59", "16500.45", "517.96"),
        (3, "2026-04-30", 30, "67041.14", "16616.16", "402.25"),
        (4, "2026-05-31", 31, "50424.98", "16705.78", "312.63"),
        (5, "2026-06-30", 30, "33719.20", "16816.09", "202.32"),
        (6, "2026-07-31", 31, "16903.11", "16903.11", "104.80"),
    ]


def test_interest_first_over_29_february_2028() -> None:
    # 50000 × .072 × 31/360 = 310.00; February 2028 has 29 days: 50000 × .072 × 29/360 = 290.00
    assert table("50000.00", 3, date(2027, 12, 31), INTEREST_FIRST) == [
        (1, "2028-01-31", 31, "50000.00", "0.00", "310.00"),
        (2, "2028-02-29", 29, "50000.00", "0.00", "290.00"),
        (3, "2028-03-31", 31, "50000.00", "50000.00", "310.00"),
    ]


def test_equal_installments_across_the_leap_day() -> None:
    # A = 7612.84; 22573.16 × .072 × 29/360 = 130.924… → 130.92 (29 Feb → 29 Mar is 29 days)
    assert table("30000.00", 4, date(2028, 1, 29), EQUAL_INSTALLMENT) == [
        (1, "2028-02-29", 31, "30000.00", "7426.84", "186.00"),
        (2, "2028-03-29", 29, "22573.16", "7481.92", "130.92"),
        (3, "2028-04-29", 31, "15091.24", "7519.27", "93.57"),
        (4, "2028-05-29", 30, "7571.97", "7571.97", "45.43"),
    ]


@pytest.mark.parametrize(
    ("principal", "term", "payment"),
    [
        pytest.param("12000.00", 3, "4048.10", id="12,000 over 3 months"),
        pytest.param("6000.00", 6, "1021.10", id="6,000 over 6 months"),
        pytest.param("100000.00", 6, "17018.41", id="100,000 over 6 months"),
    ],
)
def test_the_fixed_payment_is_the_annuity_on_the_monthly_rate(
    principal: str, term: int, payment: str
) -> None:
    assert annuity_payment(Decimal(principal), RATE, term) == Decimal(payment)


@pytest.mark.parametrize("method", [EQUAL_INSTALLMENT, INTEREST_FIRST])
@pytest.mark.parametrize(
    ("principal", "term", "disbursed_on"),
    [
        ("0.03", 3, date(2026, 1, 31)),
        ("3000.33", 3, date(2026, 3, 15)),
        ("99999.99", 12, date(2028, 2, 29)),
        ("1000000.00", 12, date(2026, 8, 31)),
    ],
)
def test_the_principal_always_sums_exactly_to_the_amount(
    principal: str, term: int, disbursed_on: date, method: str
) -> None:
    rows = schedule(Decimal(principal), RATE, term, disbursed_on, method)
    assert sum(r.principal for r in rows) == Decimal(principal)
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)


def test_a_rate_of_zero_splits_the_principal_evenly() -> None:
    rows = schedule(Decimal("100.00"), Decimal("0"), 3, date(2026, 1, 15), EQUAL_INSTALLMENT)
    assert [(str(r.principal), str(r.interest)) for r in rows] == [
        ("33.33", "0.00"),
        ("33.33", "0.00"),
        ("33.34", "0.00"),
    ]


@pytest.mark.parametrize(
    ("amount", "days", "interest"),
    [
        pytest.param("25.00", 1, "0.01", id="exactly half a fen rounds up"),
        pytest.param("12000.00", 10, "24.00", id="12,000 for 10 days"),
        pytest.param("8019.10", 15, "24.06", id="24.0573 rounds down"),
        pytest.param("8019.10", 0, "0.00", id="no days, no interest"),
    ],
)
def test_accrued_interest_is_actual_over_360_half_up(amount: str, days: int, interest: str) -> None:
    assert accrued_interest(Decimal(amount), RATE, days) == Decimal(interest)


@pytest.mark.parametrize(
    ("principal", "days", "expected"),
    [
        pytest.param("50.00", 3, "0.05", id="0.045 rounds half-up, not to even"),
        pytest.param("1000.00", 10, "3.00", id="1,000 × .108 × 10/360"),
        pytest.param("3998.38", 10, "12.00", id="11.99514 rounds up"),
        pytest.param("993.54", 11, "3.28", id="3.278682 rounds up"),
        pytest.param("993.54", 0, "0.00", id="paid on the due date"),
    ],
)
def test_penalty_is_one_and_a_half_times_the_rate_on_the_overdue_principal(
    principal: str, days: int, expected: str
) -> None:
    assert penalty(Decimal(principal), RATE, days) == Decimal(expected)


def _loan(*, paid: int = 0, overdue_periods: tuple[int, ...] = ()) -> Loan:
    """The worked example's loan: 12,000.00 from 2026-01-31, the first `paid` periods repaid."""
    plan = installments(schedule(Decimal("12000.00"), RATE, 3, date(2026, 1, 31), EQUAL_INSTALLMENT))
    plan = tuple(
        replace(i, status=PAID if i.period <= paid else OVERDUE if i.period in overdue_periods else i.status)
        for i in plan
    )
    outstanding = Decimal("12000.00") - sum((i.principal for i in plan if i.status == PAID), Decimal(0))
    status = "OVERDUE" if overdue_periods else "DISBURSED"
    return Loan(
        "L1", "CC", "CREDIT", status, Decimal("12000.00"), outstanding, RATE, 3, date(2026, 1, 31), plan=plan
    )


def test_payoff_before_the_first_due_date_accrues_from_disbursement() -> None:
    # 12000 × .072 × 10/360 = 24.00
    assert payoff(_loan(), date(2026, 2, 10)) == Payoff(
        Decimal("12000.00"), Decimal("24.00"), Decimal("0.00"), Decimal("0.00")
    )


def test_early_settlement_mid_period_accrues_from_the_last_paid_due_date() -> None:
    # period 1 paid on 28 Feb; 15 days to 15 Mar: 8019.10 × .072 × 15/360 = 24.0573 → 24.06
    quote = payoff(_loan(paid=1), date(2026, 3, 15))
    assert quote == Payoff(Decimal("8019.10"), Decimal("24.06"), Decimal("0.00"), Decimal("0.00"))
    assert quote.total == Decimal("8043.16")


def test_an_overdue_installment_owes_penalty_on_its_principal() -> None:
    # period 2 (3998.38 + 49.72, due 31 Mar) unpaid on 10 Apr: penalty 3998.38 × .108 × 10/360 = 12.00
    loan = _loan(paid=1, overdue_periods=(2,))
    assert due_on(loan, overdue(loan), date(2026, 4, 10)) == Due(
        (2,), Decimal("3998.38"), Decimal("49.72"), Decimal("12.00")
    )
    assert due_on(loan, overdue(loan), date(2026, 4, 10)).total == Decimal("4060.10")
    # settling the whole loan that day: interest 8019.10 × .072 × 41/360 = 65.7566… → 65.76, plus the penalty
    quote = payoff(loan, date(2026, 4, 10))
    assert quote == Payoff(Decimal("8019.10"), Decimal("65.76"), Decimal("12.00"), Decimal("0.00"))
    assert quote.total == Decimal("8096.86")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("0.00", 3, EQUAL_INSTALLMENT), "positive principal", id="no principal"),
        pytest.param(("100.00", 0, EQUAL_INSTALLMENT), "at least a month", id="no term"),
        pytest.param(("100.00", 3, "BALLOON"), "unknown repayment method", id="unknown method"),
    ],
)
def test_a_plan_needs_sensible_terms(args: tuple[str, int, str], message: str) -> None:
    principal, term, method = args
    with pytest.raises(ValueError, match=message):
        schedule(Decimal(principal), RATE, term, date(2026, 1, 1), method)
