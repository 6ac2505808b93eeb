"""The loan state machine (forward only, final statuses final) and the exact split of a loan over orders."""

from __future__ import annotations

import itertools

import pytest

from bff.domain.loan_flow import LoanEvent, allocate, arrears_paid, next_loan_status, waits_for_disbursement
from bff.domain.statuses import LoanStatus

S = LoanStatus
E = LoanEvent

TRANSITIONS = [
    # (current, event, expected new status or None for "changes nothing", id)
    (S.PROCESSING, E.LOAN_DISBURSED, S.DISBURSED, "processing-disbursed"),
    (S.PROCESSING, E.LOAN_FAILED, S.FAILED, "processing-failed"),
    (S.PROCESSING, E.LOAN_OVERDUE, None, "overdue-before-disbursal-waits"),
    (S.PROCESSING, E.LOAN_SETTLED, None, "settled-before-disbursal-waits"),
    (S.PROCESSING, E.REPAYMENT_CLEARED_ARREARS, None, "repayment-before-disbursal-waits"),
    (S.DISBURSED, E.LOAN_DISBURSED, None, "repeated-disbursal-changes-nothing"),
    (S.DISBURSED, E.LOAN_FAILED, None, "late-failure-after-disbursal-changes-nothing"),
    (S.DISBURSED, E.LOAN_OVERDUE, S.OVERDUE, "disbursed-falls-overdue"),
    (S.DISBURSED, E.LOAN_SETTLED, S.SETTLED, "disbursed-settled"),
    (S.DISBURSED, E.REPAYMENT_CLEARED_ARREARS, None, "no-arrears-to-clear"),
    (S.OVERDUE, E.LOAN_DISBURSED, None, "late-disbursal-keeps-overdue"),
    (S.OVERDUE, E.LOAN_FAILED, None, "late-failure-keeps-overdue"),
    (S.OVERDUE, E.LOAN_OVERDUE, None, "repeated-overdue-changes-nothing"),
    (S.OVERDUE, E.LOAN_SETTLED, S.SETTLED, "overdue-settled"),
    (S.OVERDUE, E.REPAYMENT_CLEARED_ARREARS, S.DISBURSED, "cleared-arrears-back-to-disbursed"),
    (S.FAILED, E.LOAN_DISBURSED, None, "failed-is-final-against-disbursal"),
    (S.FAILED, E.LOAN_OVERDUE, None, "failed-is-final-against-overdue"),
    (S.FAILED, E.LOAN_FAILED, None, "repeated-failure-changes-nothing"),
    (S.FAILED, E.LOAN_SETTLED, None, "failed-is-final-against-settlement"),
    (S.FAILED, E.REPAYMENT_CLEARED_ARREARS, None, "failed-is-final-against-clearing"),
    (S.SETTLED, E.LOAN_DISBURSED, None, "late-disbursal-after-settlement"),
    (S.SETTLED, E.LOAN_FAILED, None, "late-failure-after-settlement"),
    (S.SETTLED, E.LOAN_OVERDUE, None, "late-overdue-after-settlement"),
    (S.SETTLED, E.LOAN_SETTLED, None, "repeated-settlement-changes-nothing"),
    (S.SETTLED, E.REPAYMENT_CLEARED_ARREARS, None, "late-clearing-after-settlement"),
]


@pytest.mark.parametrize(
    ("current", "event", "expected"), [pytest.param(c, e, x, id=name) for c, e, x, name in TRANSITIONS]
)
def test_next_loan_status(current: LoanStatus, event: LoanEvent, expected: LoanStatus | None) -> None:
    assert next_loan_status(current, event) == expected


def test_the_table_covers_every_status_and_event() -> None:
    assert sorted((c, e) for c, e, _, _ in TRANSITIONS) == sorted(itertools.product(S, E))


@pytest.mark.parametrize("event", list(LoanEvent), ids=str)
@pytest.mark.parametrize("status", [S.FAILED, S.SETTLED], ids=str)
def test_final_statuses_never_move(status: LoanStatus, event: LoanEvent) -> None:
    assert next_loan_status(status, event) is None
    assert not waits_for_disbursement(status, event)


@pytest.mark.parametrize(
    ("event", "waits"),
    [
        (E.LOAN_DISBURSED, False),
        (E.LOAN_FAILED, False),
        (E.LOAN_OVERDUE, True),
        (E.LOAN_SETTLED, True),
        (E.REPAYMENT_CLEARED_ARREARS, True),
    ],
    ids=str,
)
def test_events_after_disbursal_wait_while_processing(event: LoanEvent, waits: bool) -> None:
    assert waits_for_disbursement(S.PROCESSING, event) is waits
    assert not waits_for_disbursement(S.DISBURSED, event)


def test_out_of_order_events_end_settled() -> None:
    status = S.PROCESSING
    for event in (
        E.LOAN_DISBURSED,
        E.LOAN_OVERDUE,
        E.LOAN_SETTLED,
        E.LOAN_DISBURSED,
        E.LOAN_OVERDUE,
        E.LOAN_FAILED,
    ):
        status = next_loan_status(status, event) or status
    assert status is S.SETTLED


ALLOCATIONS = [
    # (amount, weights, expected, id)
    (100, [100], [100], "one-order-takes-all"),
    (100, [50, 50], [50, 50], "even-split"),
    (100, [100, 100, 100], [34, 33, 33], "remainder-to-the-earliest-on-ties"),
    (200, [100, 100, 100], [67, 67, 66], "two-leftover-fen"),
    (10_000, [30_000, 20_000, 50_000], [3_000, 2_000, 5_000], "proportional-exact"),
    (1_000, [333, 333, 334], [333, 333, 334], "amount-equals-total"),
    (7, [1, 2, 4], [1, 2, 4], "full-amount-never-exceeds-weights"),
    (5, [1, 2, 4], [1, 1, 3], "largest-remainders-first"),
    (0, [10, 20], [0, 0], "nothing-to-allocate"),
    (10, [0, 10], [0, 10], "a-zero-weight-gets-nothing"),
    (1, [1_000_000, 1], [1, 0], "one-fen"),
    (0, [], [], "no-orders-no-amount"),
]


@pytest.mark.parametrize(
    ("amount", "weights", "expected"), [pytest.param(a, w, x, id=name) for a, w, x, name in ALLOCATIONS]
)
def test_allocate(amount: int, weights: list[int], expected: list[int]) -> None:
    parts = allocate(amount, weights)
    assert parts == expected
    assert sum(parts) == amount
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


@pytest.mark.parametrize("amount", [1, 999, 12_345, 99_999, 100_000])
def test_allocate_is_exact_and_bounded(amount: int) -> None:
    weights = [33_333, 1, 50_000, 16_666]
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))
    # each part lies within one fen of its exact share
    assert all(abs(p * sum(weights) - amount * w) < sum(weights) for p, w in zip(parts, weights, strict=True))


@pytest.mark.parametrize(
    ("amount", "weights", "message"),
    [
        pytest.param(101, [50, 50], "cannot allocate 101 fen", id="amount-above-total"),
        pytest.param(1, [], "cannot allocate 1 fen", id="amount-without-orders"),
        pytest.param(-1, [10], "must not be negative", id="negative-amount"),
        pytest.param(5, [10, -1], "must not be negative", id="negative-weight"),
    ],
)
def test_allocate_refuses(amount: int, weights: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(amount, weights)


@pytest.mark.parametrize(
    ("arrears", "repaid", "paid"),
    [(100, [], False), (100, [99], False), (100, [60, 40], True), (100, [150], True)],
    ids=["nothing-repaid", "one-fen-short", "two-repayments-add-up", "overpaid"],
)
def test_arrears_paid(arrears: int, repaid: list[int], paid: bool) -> None:
    assert arrears_paid(arrears, repaid) is paid
