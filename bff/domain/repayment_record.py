"""A supplier's repayment and overdue record: which overdue episodes its loans had, and what they add up to.

Both parts are pure functions of facts, never of the order in which WeBank's notifications arrived:
`overdue_episodes` derives a loan's episodes from every overdue report, repayment and settlement known so
far (the notification handlers re-derive and store them after each such event), and `summarize` turns the
stored episodes and repayments into the figures `Supplier.repaymentRecord` shows.

The clearing rule is the loan state machine's: arrears are cleared by the first repayment at which the
repayments posted since the latest report add up to the arrears it states (`arrears_paid`). A report
names the installment that fell overdue, but its amount is the loan's whole arrears (all its overdue
installments, as WeBank and the sandbox report them), so a later report supersedes an earlier one and the
repayment that pays it clears every open episode at once. A settlement clears whatever is still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bff.domain.calendar import shanghai_date
from bff.domain.loan_flow import arrears_paid
from bff.domain.statuses import LoanStatus, RepaymentKind

__all__ = [
    "EpisodeFacts",
    "LoanFacts",
    "OverdueReport",
    "PaymentFacts",
    "RepaymentRecordFigures",
    "overdue_days",
    "overdue_episodes",
    "summarize",
]


@dataclass(frozen=True, slots=True)
class OverdueReport:
    """One `loan.overdue` notification: installment `period` overdue since `since`, reported at `reported_at`."""

    period: int
    since: date
    overdue_fen: int
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """One posted repayment of a loan (principal + interest + penalty)."""

    loan_id: int
    kind: RepaymentKind
    amount_fen: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    """One installment of a loan overdue from `since` until `cleared_at` (None while it is still open)."""

    loan_id: int
    period: int
    since: date
    overdue_fen: int
    cleared_at: datetime | None

    def is_open_at(self, moment: datetime) -> bool:
        """Whether the installment was overdue at `moment`; the repayment that clears it still was."""
        if shanghai_date(moment) < self.since:
            return False
        return self.cleared_at is None or moment <= self.cleared_at


@dataclass(frozen=True, slots=True)
class LoanFacts:
    loan_id: int
    status: LoanStatus
    outstanding_principal_fen: int


@dataclass(frozen=True, slots=True)
class RepaymentRecordFigures:
    on_time_count: int
    overdue_count: int
    max_overdue_days: int
    overdue_principal_fen: int  # principal outstanding on loans that are overdue now
    current_overdue_fen: int  # arrears of the installments overdue now


def overdue_episodes(
    loan_id: int,
    reports: Iterable[OverdueReport],
    payments: Iterable[PaymentFacts],
    settled_at: datetime | None,
) -> list[EpisodeFacts]:
    """The loan's episodes (by period) implied by all its reports, repayments and its settlement, if settled.

    An installment's episode is its earliest report's (a repeated or late report of it changes nothing); a
    report dated after the settlement is about a loan that no longer owes anything and is disregarded.
    At equal times a report comes before a repayment (which then counts), and both before the settlement.
    """

    def order(report: OverdueReport) -> tuple[datetime, date, int, int]:
        return (report.reported_at, report.since, report.overdue_fen, report.period)

    relevant = sorted((r for r in reports if settled_at is None or r.reported_at <= settled_at), key=order)
    first: dict[int, OverdueReport] = {}
    for report in relevant:
        first.setdefault(report.period, report)

    timeline: list[tuple[tuple[datetime, int], OverdueReport | PaymentFacts | None]] = [
        *(((report.reported_at, 0), report) for report in relevant),
        *(((payment.paid_at, 1), payment) for payment in payments),
    ]
    if settled_at is not None:
        timeline.append(((settled_at, 2), None))

    cleared: dict[int, datetime] = {}
    open_periods: list[int] = []
    owed_fen = repaid_fen = 0
    # `sorted` is stable and `relevant` is in a total order: equal keys keep an order of facts, not arrivals
    for (moment, _), item in sorted(timeline, key=lambda entry: entry[0]):
        if item is None:  # the settlement: nothing is owed any more, nothing later matters
            cleared.update((period, moment) for period in open_periods)
            break
        if isinstance(item, OverdueReport):
            if item.period in cleared:
                continue  # a repeated or late report of paid arrears reopens nothing
            if item.period not in open_periods:
                open_periods.append(item.period)
            # the latest report states the loan's arrears; what counts is what was repaid since
            owed_fen, repaid_fen = item.overdue_fen, 0
        elif open_periods:
            repaid_fen += item.amount_fen
            if arrears_paid(owed_fen, [repaid_fen]):
                cleared.update((period, moment) for period in open_periods)
                open_periods, owed_fen, repaid_fen = [], 0, 0

    return [
        EpisodeFacts(
            loan_id=loan_id,
            period=period,
            since=report.since,
            overdue_fen=report.overdue_fen,
            cleared_at=cleared.get(period),
        )
        for period, report in sorted(first.items())
    ]


def overdue_days(episode: EpisodeFacts, today: date) -> int:
    """How many days the installment was (or, while open, has been) overdue; never negative."""
    until = today if episode.cleared_at is None else shanghai_date(episode.cleared_at)
    return max((until - episode.since).days, 0)


def _by_loan(episodes: Iterable[EpisodeFacts]) -> dict[int, list[EpisodeFacts]]:
    grouped: dict[int, list[EpisodeFacts]] = {}
    for episode in episodes:
        grouped.setdefault(episode.loan_id, []).append(episode)
    return grouped


def summarize(
    loans: Iterable[LoanFacts],
    payments: Iterable[PaymentFacts],
    episodes: Iterable[EpisodeFacts],
    today: date,
) -> RepaymentRecordFigures:
    """The supplier's record: repayments made on time, overdue episodes, their longest, what is overdue now.

    A repayment is on time when its loan had no open episode as it was posted — an early settlement
    included; the repayment that clears arrears was posted while they were overdue, so it is not.
    """
    episodes = list(episodes)
    by_loan = _by_loan(episodes)
    on_time = sum(
        1
        for payment in payments
        if not any(episode.is_open_at(payment.paid_at) for episode in by_loan.get(payment.loan_id, ()))
    )
    open_episodes = [episode for episode in episodes if episode.cleared_at is None]
    return RepaymentRecordFigures(
        on_time_count=on_time,
        overdue_count=len(episodes),
        max_overdue_days=max((overdue_days(episode, today) for episode in episodes), default=0),
        overdue_principal_fen=sum(
            loan.outstanding_principal_fen for loan in loans if loan.status is LoanStatus.OVERDUE
        ),
        # WeBank's `overdue_amount` is the loan's whole arrears at that report, so a loan owes what its
        # latest open report says, not the sum of its open reports.
        current_overdue_fen=sum(
            max(loan_episodes, key=lambda episode: episode.period).overdue_fen
            for loan_episodes in _by_loan(open_episodes).values()
        ),
    )
