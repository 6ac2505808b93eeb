"""The entry-point funnel (入口分析): how far the admissions that began at each entry point got."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bff.domain.statuses import AdmissionStatus, EntryPoint


@dataclass(frozen=True, slots=True)
class AdmissionFacts:
    entry_point: EntryPoint
    status: AdmissionStatus
    opened_at: datetime | None


@dataclass(frozen=True, slots=True)
class FunnelRow:
    entry_point: EntryPoint
    agreed: int  # admissions that began here (every one starts by agreeing)
    opened: int  # of them, those that got as far as 开通
    approved: int
    rejected: int


def entry_point_funnel(admissions: Iterable[AdmissionFacts]) -> list[FunnelRow]:
    """One row per entry point, in the manual's order, zeros included."""
    counts = {point: [0, 0, 0, 0] for point in EntryPoint}
    for admission in admissions:
        row = counts[admission.entry_point]
        row[0] += 1
        if admission.opened_at is not None or admission.status is not AdmissionStatus.AGREED:
            row[1] += 1
        if admission.status is AdmissionStatus.APPROVED:
            row[2] += 1
        elif admission.status is AdmissionStatus.REJECTED:
            row[3] += 1
    return [FunnelRow(point, *values) for point, values in counts.items()]
