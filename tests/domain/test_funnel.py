"""The entry-point funnel over a known set of admissions."""

from __future__ import annotations

from datetime import UTC, datetime

from bff.domain.funnel import AdmissionFacts, FunnelRow, entry_point_funnel
from bff.domain.statuses import AdmissionStatus, EntryPoint

OPENED = datetime(2026, 3, 2, tzinfo=UTC)


def facts(point: EntryPoint, status: AdmissionStatus, opened: bool = True) -> AdmissionFacts:
    return AdmissionFacts(point, status, OPENED if opened else None)


def test_every_entry_point_has_a_row_in_the_manuals_order() -> None:
    rows = entry_point_funnel([])
    assert [row.entry_point for row in rows] == list(EntryPoint)
    assert all((row.agreed, row.opened, row.approved, row.rejected) == (0, 0, 0, 0) for row in rows)


def test_each_admission_counts_as_far_as_it_got() -> None:
    rows = entry_point_funnel(
        [
            facts(EntryPoint.FINTECH_HOME_BANNER, AdmissionStatus.AGREED, opened=False),
            facts(EntryPoint.FINTECH_HOME_BANNER, AdmissionStatus.OPENED),
            facts(EntryPoint.FINTECH_HOME_BANNER, AdmissionStatus.APPROVED),
            facts(EntryPoint.FINTECH_HOME_BANNER, AdmissionStatus.REJECTED),
            facts(EntryPoint.MRO_ORDER_MANAGEMENT, AdmissionStatus.VERIFIED),
        ]
    )
    by_point = {row.entry_point: row for row in rows}
    assert by_point[EntryPoint.FINTECH_HOME_BANNER] == FunnelRow(EntryPoint.FINTECH_HOME_BANNER, 4, 3, 1, 1)
    assert by_point[EntryPoint.MRO_ORDER_MANAGEMENT] == FunnelRow(EntryPoint.MRO_ORDER_MANAGEMENT, 1, 1, 0, 0)
    assert by_point[EntryPoint.YZW_HOME_BANNER] == FunnelRow(EntryPoint.YZW_HOME_BANNER, 0, 0, 0, 0)
