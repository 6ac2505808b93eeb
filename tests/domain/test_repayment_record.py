"""The overdue record: episodes derived from reports, repayments and settlement, and the supplier's figures."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from bff.domain.repayment_record import (
    EpisodeFacts,
    LoanFacts,
    OverdueReport,
    PaymentFacts,
    overdue_episodes,
    summarize,
)
from bff.domain.statuses import LoanStatus, RepaymentKind

K = RepaymentKind
TODAY = date(2026, 7, 1)


def at(month: int, day: int, hour: int = 2) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def report(period: int, month: int, day: int, fen: int, hour: int = 2) -> OverdueReport:
    return OverdueReport(
        period=period, since=date(2026, month, day), overdue_fen=fen, reported_at=at(month, day, hour)
    )


def paid(month: int, day: int, fen: int, kind: RepaymentKind = K.ACTIVE, loan_id: int = 1) -> PaymentFacts:
    return PaymentFacts(loan_id=loan_id, kind=kind, amount_fen=fen, paid_at=at(month, day))


EPISODES = [
    # (reports, payments, settled_at, expected [(period, since, fen, cleared_at)], id)
    ([], [paid(4, 5, 100)], None, [], "no-report-no-episode"),
    (
        [report(2, 5, 6, 1000)],
        [],
        None,
        [(2, date(2026, 5, 6), 1000, None)],
        "reported-and-unpaid-stays-open",
    ),
    (
        [report(2, 5, 6, 1000)],
        [paid(5, 8, 400), paid(5, 10, 600)],
        None,
        [(2, date(2026, 5, 6), 1000, at(5, 10))],
        "cleared-by-the-repayment-that-completes-the-arrears",
    ),
    (
        [report(2, 5, 6, 1000)],
        [paid(5, 1, 5000)],
        None,
        [(2, date(2026, 5, 6), 1000, None)],
        "a-repayment-before-the-report-does-not-count",
    ),
    (
        [report(2, 5, 6, 1000)],
        [PaymentFacts(1, K.ACTIVE, 1000, at(5, 6))],
        None,
        [(2, date(2026, 5, 6), 1000, at(5, 6))],
        "a-repayment-at-the-report-time-counts",
    ),
    (
        [report(2, 5, 6, 1000), report(2, 5, 20, 1200)],
        [paid(5, 10, 1000)],
        None,
        [(2, date(2026, 5, 6), 1000, at(5, 10))],
        "a-repeated-report-of-a-period-neither-duplicates-nor-reopens",
    ),
    (
        [report(2, 5, 6, 1000)],
        [paid(5, 8, 400)],
        at(6, 1),
        [(2, date(2026, 5, 6), 1000, at(6, 1))],
        "settlement-clears-what-is-still-open",
    ),
    (
        [report(2, 5, 6, 1000)],
        [paid(5, 8, 1000)],
        at(6, 1),
        [(2, date(2026, 5, 6), 1000, at(5, 8))],
        "settlement-keeps-an-earlier-clearing",
    ),
    (
        [report(2, 5, 6, 1000)],
        [paid(6, 5, 1000)],
        at(6, 1),
        [(2, date(2026, 5, 6), 1000, at(6, 1))],
        "a-repayment-after-the-settlement-clears-nothing-later",
    ),
    ([report(2, 6, 5, 1000)], [], at(6, 1), [], "a-report-after-the-settlement-is-disregarded"),
    (
        [report(2, 5, 6, 1000), report(3, 6, 6, 2000)],
        [paid(6, 10, 1500), paid(6, 12, 500)],
        None,
        [(2, date(2026, 5, 6), 1000, at(6, 12)), (3, date(2026, 6, 6), 2000, at(6, 12))],
        "two-open-installments-clear-together-when-the-latest-arrears-are-paid",
    ),
    (
        [report(2, 5, 6, 1000), report(3, 6, 6, 1400)],
        [paid(5, 20, 600), paid(6, 10, 1400)],
        None,
        [(2, date(2026, 5, 6), 1000, at(6, 10)), (3, date(2026, 6, 6), 1400, at(6, 10))],
        "the-latest-report-supersedes-what-was-owed-and-repaid-before",
    ),
    (
        [report(2, 5, 6, 1000), report(2, 5, 10, 1100)],
        [paid(5, 8, 500), paid(5, 12, 1100)],
        None,
        [(2, date(2026, 5, 6), 1000, at(5, 12))],
        "a-report-repeated-while-open-restates-the-arrears",
    ),
    (
        [report(2, 5, 6, 1000), report(3, 6, 6, 1000)],
        [paid(5, 10, 1000), paid(6, 10, 500)],
        None,
        [(2, date(2026, 5, 6), 1000, at(5, 10)), (3, date(2026, 6, 6), 1000, None)],
        "a-cleared-spell-is-not-counted-towards-a-later-one",
    ),
]


@pytest.mark.parametrize(
    ("reports", "payments", "settled_at", "expected"),
    [pytest.param(r, p, s, x, id=name) for r, p, s, x, name in EPISODES],
)
def test_overdue_episodes(
    reports: list[OverdueReport],
    payments: list[PaymentFacts],
    settled_at: datetime | None,
    expected: list[tuple[int, date, int, datetime | None]],
) -> None:
    episodes = overdue_episodes(1, reports, payments, settled_at)
    assert [(e.period, e.since, e.overdue_fen, e.cleared_at) for e in episodes] == expected
    # the facts' order never matters
    for shuffled_reports, shuffled_payments in itertools.islice(
        itertools.product(itertools.permutations(reports), itertools.permutations(payments)), 24
    ):
        assert overdue_episodes(1, shuffled_reports, shuffled_payments, settled_at) == episodes


def episode(
    period: int, since: date, fen: int, cleared_at: datetime | None, loan_id: int = 1
) -> EpisodeFacts:
    return EpisodeFacts(loan_id=loan_id, period=period, since=since, overdue_fen=fen, cleared_at=cleared_at)


LOAN = LoanFacts(loan_id=1, status=LoanStatus.DISBURSED, outstanding_principal_fen=50_000)
OVERDUE_LOAN = LoanFacts(loan_id=1, status=LoanStatus.OVERDUE, outstanding_principal_fen=50_000)
OTHER_LOAN = LoanFacts(loan_id=2, status=LoanStatus.DISBURSED, outstanding_principal_fen=70_000)

RECORDS = [
    # (loans, payments, episodes, expected (on time, overdue, max days, overdue principal, current overdue), id)
    ([], [], [], (0, 0, 0, 0, 0), "no-loans"),
    (
        [LOAN],
        [paid(4, 5, 100, K.SCHEDULED), paid(5, 5, 100, K.ACTIVE), paid(6, 1, 100, K.EARLY_SETTLEMENT)],
        [],
        (3, 0, 0, 0, 0),
        "every-kind-counts-on-time-without-episodes",
    ),
    (
        [LOAN],
        [paid(4, 5, 100, K.SCHEDULED), paid(5, 10, 100), paid(5, 20, 100)],
        [episode(2, date(2026, 5, 6), 1000, at(5, 10))],
        (2, 1, 4, 0, 0),
        "the-clearing-repayment-was-made-while-overdue",
    ),
    (
        [LOAN],
        [paid(5, 5, 100)],
        [episode(2, date(2026, 5, 6), 1000, at(5, 10))],
        (1, 1, 4, 0, 0),
        "a-repayment-before-the-episode-is-on-time",
    ),
    (
        [OVERDUE_LOAN],
        [paid(6, 10, 100)],
        [episode(2, date(2026, 5, 6), 1000, at(5, 10)), episode(3, date(2026, 6, 6), 700, None)],
        (0, 2, 25, 50_000, 700),
        "an-open-episode-counts-up-to-today",
    ),
    (
        [OVERDUE_LOAN, OTHER_LOAN],
        [paid(6, 10, 100, loan_id=2)],
        [episode(3, date(2026, 6, 6), 700, None)],
        (1, 1, 25, 50_000, 700),
        "another-loans-episode-does-not-make-a-repayment-late",
    ),
    (
        [LOAN],
        [],
        [episode(2, date(2026, 5, 6), 1000, datetime(2026, 5, 6, 1, tzinfo=UTC))],
        (0, 1, 0, 0, 0),
        "cleared-the-day-it-fell-overdue-is-zero-days",
    ),
    (
        [OVERDUE_LOAN],
        [],
        [episode(2, date(2026, 5, 6), 1000, None), episode(3, date(2026, 6, 6), 2100, None)],
        (0, 2, 56, 50_000, 2100),
        "the-latest-report-states-the-loans-whole-arrears-not-a-sum",
    ),
]


@pytest.mark.parametrize(
    ("loans", "payments", "episodes", "expected"),
    [pytest.param(loans, p, e, x, id=name) for loans, p, e, x, name in RECORDS],
)
def test_summarize(
    loans: list[LoanFacts],
    payments: list[PaymentFacts],
    episodes: list[EpisodeFacts],
    expected: tuple[int, int, int, int, int],
) -> None:
    figures = summarize(loans, payments, episodes, TODAY)
    assert (
        figures.on_time_count,
        figures.overdue_count,
        figures.max_overdue_days,
        figures.overdue_principal_fen,
        figures.current_overdue_fen,
    ) == expected
