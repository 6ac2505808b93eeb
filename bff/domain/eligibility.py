"""Admission (业务准入): which of the three thresholds a supplier meets, and in words it understands why not.

1. registered in an open region (`regions`);
2. cooperating for more than 12 calendar months: the first completed fulfilment, mall or MRO, whichever is
   earlier, lies more than 12 months before today;
3. a completed settlement or output-value statement, in either system, within the last 6 months.

All dates are calendar dates in Asia/Shanghai.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bff.domain.calendar import add_months, shanghai_date
from bff.domain.records import Fulfilment, SupplierProfile
from bff.domain.regions import NormalisedRegion, admission_region, is_covered, normalise_region

COOPERATION_MONTHS = 12
RECENT_FULFILMENT_MONTHS = 6


class ReasonCode(enum.Enum):
    """The failed threshold, in rule order."""

    REGION_NOT_COVERED = "REGION_NOT_COVERED"
    COOPERATION_UNDER_12_MONTHS = "COOPERATION_UNDER_12_MONTHS"
    NO_FULFILLMENT_IN_6_MONTHS = "NO_FULFILLMENT_IN_6_MONTHS"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """`eligible_from` is the day admission opens when only the cooperation period is missing, else None."""

    eligible: bool
    reasons: tuple[Reason, ...]
    eligible_from: date | None


def evaluate_eligibility(
    profile: SupplierProfile, fulfilments: Sequence[Fulfilment], today: date
) -> Eligibility:
    """Check the three thresholds for one supplier with its fulfilment histories from mall and MRO."""
    reasons: list[Reason] = []

    region = normalise_region(profile.province, profile.city)
    if not is_covered(region):
        reasons.append(Reason(ReasonCode.REGION_NOT_COVERED, _region_message(profile, region)))

    first = first_fulfilment_date(fulfilments)
    cooperation_from = None if first is None else cooperation_satisfied_from(first)
    if cooperation_from is None or today < cooperation_from:
        reasons.append(
            Reason(ReasonCode.COOPERATION_UNDER_12_MONTHS, _cooperation_message(first, cooperation_from))
        )

    if not has_recent_fulfilment(fulfilments, today):
        reasons.append(
            Reason(
                ReasonCode.NO_FULFILLMENT_IN_6_MONTHS,
                _recent_message(recent_window_start(today), latest_statement_date(fulfilments, today)),
            )
        )

    only_waiting = [reason.code for reason in reasons] == [ReasonCode.COOPERATION_UNDER_12_MONTHS]
    return Eligibility(
        eligible=not reasons,
        reasons=tuple(reasons),
        eligible_from=cooperation_from if only_waiting else None,
    )


def first_fulfilment_date(fulfilments: Sequence[Fulfilment]) -> date | None:
    """The Shanghai date of the earliest first completed fulfilment in any system, None if none."""
    dates = [shanghai_date(f.first_fulfilled_at) for f in fulfilments if f.first_fulfilled_at is not None]
    return min(dates, default=None)


def cooperation_satisfied_from(first: date) -> date:
    """The first day that lies more than 12 calendar months after the first fulfilment on `first`."""
    return add_months(first, COOPERATION_MONTHS) + timedelta(days=1)


def recent_window_start(today: date) -> date:
    """The earliest completion date that still counts as within the last 6 months."""
    return add_months(today, -RECENT_FULFILMENT_MONTHS)


def latest_statement_date(fulfilments: Sequence[Fulfilment], today: date) -> date | None:
    """The Shanghai date of the latest statement completed by `today` (future dates are upstream errors)."""
    dates = (shanghai_date(s.completed_at) for f in fulfilments for s in f.statements)
    return max((d for d in dates if d <= today), default=None)


def has_recent_fulfilment(fulfilments: Sequence[Fulfilment], today: date) -> bool:
    latest = latest_statement_date(fulfilments, today)
    return latest is not None and latest >= recent_window_start(today)


def format_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _region_message(profile: SupplierProfile, region: NormalisedRegion) -> str:
    if region.province is None:
        given = "".join(part.strip() for part in (profile.province, profile.city))
        if not given:
            return "缺少企业注册所在地，无法确认是否在业务开放地区，请先完善企业注册信息。"
        return f"无法识别企业注册所在地“{given}”，无法确认是否在业务开放地区，请核对企业注册信息。"
    place = region.province + (region.city if region.city and region.city != region.province else "")
    entry = admission_region(region.province)
    if entry is None:
        return f"企业注册所在地{place}不在业务开放地区，暂不能申请。"
    open_cities = "、".join(entry.cities)
    if region.city is None:
        return f"未能确定企业注册所在地{place}的所在城市；{place}仅开放{open_cities}，暂不能申请。"
    return f"企业注册所在地{place}不在业务开放地区：{region.province}仅开放{open_cities}，暂不能申请。"


def _cooperation_message(first: date | None, satisfied_from: date | None) -> str:
    if first is None or satisfied_from is None:
        return "在云筑网尚无完成履约的记录；须首次完成履约至今超过12个月（合作年限大于1年）才能申请。"
    return (
        f"首次完成履约时间为{format_date(first)}，至今未超过12个月；须合作年限大于1年，"
        f"自{format_date(satisfied_from)}起满足此条件。"
    )


def _recent_message(window_start: date, latest: date | None) -> str:
    base = f"近6个月内（{format_date(window_start)}至今）没有完结的结算单或产值单"
    if latest is not None:
        base += f"，最近一次完结于{format_date(latest)}"
    return base + "；须近6个月内有履约记录才能申请。"
