from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bff.domain.calendar import SHANGHAI, add_months
from bff.domain.eligibility import Eligibility, ReasonCode, evaluate_eligibility
from bff.domain.records import (
    Fulfilment,
    OrderSource,
    Statement,
    StatementKind,
    SupplierProfile,
)

REGION = ReasonCode.REGION_NOT_COVERED
COOPERATION = ReasonCode.COOPERATION_UNDER_12_MONTHS
RECENT = ReasonCode.NO_FULFILLMENT_IN_6_MONTHS

TODAY = date(2025, 3, 15)
LONG_AGO = datetime(2020, 1, 1, 10, tzinfo=SHANGHAI)
YESTERDAY = datetime(2025, 3, 14, 10, tzinfo=SHANGHAI)


def profile(province: str = "广东省", city: str = "深圳市") -> SupplierProfile:
    return SupplierProfile(
        code="S001", name="测试建材有限公司", credit_code="91350100M000100Y43", province=province, city=city
    )


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI)


def statement(
    completed_at: datetime,
    source: OrderSource = OrderSource.MALL,
    kind: StatementKind = StatementKind.SETTLEMENT,
) -> Statement:
    return Statement(
        no="JS001", source=source, kind=kind, amount=Decimal("100.00"), completed_at=completed_at
    )


def history(
    source: OrderSource = OrderSource.MALL,
    first: datetime | None = LONG_AGO,
    completed: Sequence[datetime] = (YESTERDAY,),
    kind: StatementKind = StatementKind.SETTLEMENT,
) -> Fulfilment:
    return Fulfilment(
        supplier_code="S001",
        source=source,
        first_fulfilled_at=first,
        statements=tuple(statement(moment, source, kind) for moment in completed),
    )


def codes(result: Eligibility) -> list[ReasonCode]:
    return [reason.code for reason in result.reasons]


def test_supplier_meeting_all_three_thresholds_is_eligible() -> None:
    result = evaluate_eligibility(profile(), [history()], TODAY)
    assert result == Eligibility(eligible=True, reasons=(), eligible_from=None)


# --- 1. region -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "city", "eligible"),
    [
        ("广东", "", True),
        ("吉林省长春市", "", True),
        ("吉林省", "", False),
        ("吉林省", "吉林市", False),
        ("辽宁", "大连", False),
        ("辽宁省沈阳市", "", True),
        ("北京", "海淀区", True),
        ("新疆", "乌鲁木齐", False),
        ("", "", False),
        ("火星", "", False),
    ],
    ids=[
        "guangdong-short-passes",
        "changchun-in-province-field-passes",
        "jilin-without-city-fails",
        "jilin-city-fails",
        "dalian-fails",
        "shenyang-passes",
        "beijing-district-passes",
        "xinjiang-fails",
        "missing-region-fails",
        "unrecognised-region-fails",
    ],
)
def test_region_rule(province: str, city: str, eligible: bool) -> None:
    result = evaluate_eligibility(profile(province, city), [history()], TODAY)
    assert result.eligible is eligible
    assert codes(result) == ([] if eligible else [REGION])
    assert result.eligible_from is None


# --- 2. more than 12 calendar months of cooperation --------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "today", "passes_from"),
    [
        (date(2024, 3, 15), date(2025, 3, 14), date(2025, 3, 16)),
        (date(2024, 3, 15), date(2025, 3, 15), date(2025, 3, 16)),
        (date(2024, 3, 15), date(2025, 3, 16), None),
        (date(2024, 3, 15), date(2025, 3, 17), None),
        (date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)),
        (date(2024, 2, 29), date(2025, 3, 1), None),
        (date(2023, 3, 31), date(2024, 3, 31), date(2024, 4, 1)),
        (date(2023, 3, 31), date(2024, 4, 1), None),
        (date(2024, 12, 31), date(2025, 12, 31), date(2026, 1, 1)),
        (date(2024, 12, 31), date(2026, 1, 1), None),
        (date(2025, 3, 15), date(2025, 3, 15), date(2026, 3, 16)),
        (date(2025, 4, 1), date(2025, 3, 15), date(2026, 4, 2)),
    ],
    ids=[
        "day-before-anniversary-fails",
        "anniversary-itself-fails-since-more-than-12-months-needed",
        "day-after-anniversary-passes",
        "two-days-after-anniversary-passes",
        "leap-day-start-clamps-to-feb-28-which-fails",
        "leap-day-start-passes-from-march-1",
        "march-31-anniversary-fails",
        "march-31-start-passes-from-april-1",
        "new-years-eve-anniversary-fails",
        "new-years-eve-start-passes-on-new-years-day",
        "first-fulfilment-today-waits-a-year",
        "first-fulfilment-in-the-future-fails",
    ],
)
def test_cooperation_rule_boundaries(first: date, today: date, passes_from: date | None) -> None:
    recent = at(today - timedelta(days=1))
    result = evaluate_eligibility(profile(), [history(first=at(first), completed=[recent])], today)
    if passes_from is None:
        assert result == Eligibility(eligible=True, reasons=(), eligible_from=None)
    else:
        assert codes(result) == [COOPERATION]
        assert not result.eligible
        assert result.eligible_from == passes_from


@pytest.mark.parametrize(
    ("mall_first", "mro_first", "eligible_from"),
    [
        (datetime(2024, 9, 1, tzinfo=SHANGHAI), datetime(2023, 1, 10, tzinfo=SHANGHAI), None),
        (datetime(2023, 1, 10, tzinfo=SHANGHAI), datetime(2024, 9, 1, tzinfo=SHANGHAI), None),
        (None, datetime(2023, 1, 10, tzinfo=SHANGHAI), None),
        (datetime(2023, 1, 10, tzinfo=SHANGHAI), None, None),
        (datetime(2024, 9, 1, tzinfo=SHANGHAI), datetime(2024, 6, 1, tzinfo=SHANGHAI), date(2025, 6, 2)),
    ],
    ids=[
        "mro-earlier-than-mall-makes-it-pass",
        "mall-earlier-than-mro-makes-it-pass",
        "mro-only-history-counts",
        "mall-only-history-counts",
        "both-recent-waits-for-the-earlier-mro-anniversary",
    ],
)
def test_cooperation_takes_the_earlier_first_fulfilment_of_mall_and_mro(
    mall_first: datetime | None, mro_first: datetime | None, eligible_from: date | None
) -> None:
    fulfilments = [
        history(OrderSource.MALL, first=mall_first, completed=[]),
        history(OrderSource.MRO, first=mro_first, completed=[YESTERDAY]),
    ]
    result = evaluate_eligibility(profile(), fulfilments, TODAY)
    assert result.eligible is (eligible_from is None)
    assert result.eligible_from == eligible_from


@pytest.mark.parametrize(
    "fulfilments",
    [
        [],
        [
            history(OrderSource.MALL, first=None, completed=[]),
            history(OrderSource.MRO, first=None, completed=[]),
        ],
    ],
    ids=["no-history-at-all-fails", "histories-without-first-fulfilment-fail"],
)
def test_no_fulfilment_fails_cooperation_without_an_eligible_from(fulfilments: list[Fulfilment]) -> None:
    result = evaluate_eligibility(profile(), fulfilments, TODAY)
    assert codes(result) == [COOPERATION, RECENT]
    assert result.eligible_from is None


def test_statements_without_first_fulfilment_do_not_prove_cooperation() -> None:
    result = evaluate_eligibility(profile(), [history(first=None, completed=[YESTERDAY])], TODAY)
    assert codes(result) == [COOPERATION]
    assert result.eligible_from is None


# --- 3. a completed statement within the last 6 months -----------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "today", "passes"),
    [
        (date(2024, 9, 14), date(2025, 3, 15), False),
        (date(2024, 9, 15), date(2025, 3, 15), True),
        (date(2024, 9, 16), date(2025, 3, 15), True),
        (date(2025, 3, 15), date(2025, 3, 15), True),
        (date(2025, 3, 16), date(2025, 3, 15), False),
        (date(2025, 2, 27), date(2025, 8, 31), False),
        (date(2025, 2, 28), date(2025, 8, 31), True),
        (date(2024, 2, 28), date(2024, 8, 31), False),
        (date(2024, 2, 29), date(2024, 8, 31), True),
        (date(2024, 12, 31), date(2025, 6, 30), True),
        (date(2024, 12, 29), date(2025, 6, 30), False),
        (date(2024, 7, 31), date(2025, 1, 31), True),
        (date(2024, 7, 30), date(2025, 1, 31), False),
    ],
    ids=[
        "day-before-window-start-fails",
        "window-start-day-passes",
        "day-after-window-start-passes",
        "completed-today-passes",
        "completed-tomorrow-is-in-the-future-and-fails",
        "aug-31-window-clamps-to-feb-28-day-before-fails",
        "aug-31-window-clamps-to-feb-28-which-passes",
        "leap-year-window-day-before-feb-29-fails",
        "leap-year-window-starts-feb-29",
        "june-30-window-starts-dec-30-so-dec-31-passes",
        "june-30-window-excludes-dec-29",
        "window-crossing-new-year-start-passes",
        "window-crossing-new-year-day-before-fails",
    ],
)
def test_recent_fulfilment_rule_boundaries(completed_on: date, today: date, passes: bool) -> None:
    result = evaluate_eligibility(profile(), [history(completed=[at(completed_on)])], today)
    assert codes(result) == ([] if passes else [RECENT])
    assert result.eligible_from is None


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (OrderSource.MALL, StatementKind.SETTLEMENT),
        (OrderSource.MALL, StatementKind.OUTPUT_VALUE),
        (OrderSource.MRO, StatementKind.SETTLEMENT),
        (OrderSource.MRO, StatementKind.OUTPUT_VALUE),
    ],
    ids=[
        "mall-settlement-statement-counts",
        "mall-output-value-statement-counts",
        "mro-settlement-statement-counts",
        "mro-output-value-statement-counts",
    ],
)
def test_any_statement_of_either_system_counts(source: OrderSource, kind: StatementKind) -> None:
    # The mall history proves the cooperation period; only `source` has a (recent) statement.
    fulfilments = [
        history(
            OrderSource.MALL,
            first=LONG_AGO,
            completed=[YESTERDAY] if source is OrderSource.MALL else [],
            kind=kind,
        ),
        history(
            OrderSource.MRO, first=None, completed=[YESTERDAY] if source is OrderSource.MRO else [], kind=kind
        ),
    ]
    assert evaluate_eligibility(profile(), fulfilments, TODAY).eligible


def test_an_old_statement_in_one_system_and_a_recent_one_in_the_other_passes() -> None:
    fulfilments = [
        history(OrderSource.MALL, completed=[at(date(2023, 5, 1))]),
        history(OrderSource.MRO, first=None, completed=[at(date(2025, 1, 2))]),
    ]
    assert evaluate_eligibility(profile(), fulfilments, TODAY).eligible


def test_only_old_statements_fail() -> None:
    fulfilments = [
        history(OrderSource.MALL, completed=[at(date(2023, 5, 1)), at(date(2024, 9, 1))]),
        history(OrderSource.MRO, first=None, completed=[at(date(2024, 8, 1))]),
    ]
    assert codes(evaluate_eligibility(profile(), fulfilments, TODAY)) == [RECENT]


# --- time zones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "today", "passes"),
    [
        (datetime(2024, 3, 15, 16, 0, tzinfo=UTC), date(2025, 3, 16), False),
        (datetime(2024, 3, 15, 15, 59, tzinfo=UTC), date(2025, 3, 16), True),
        (datetime(2024, 3, 15, 0, 30, tzinfo=SHANGHAI), date(2025, 3, 16), True),
        (datetime(2024, 3, 15, 23, 30, tzinfo=SHANGHAI), date(2025, 3, 16), True),
        (datetime(2024, 3, 15, 11, 0, tzinfo=timezone(timedelta(hours=-5))), date(2025, 3, 16), False),
        (datetime(2024, 3, 15, 23, 30), date(2025, 3, 16), True),  # noqa: DTZ001 - naive means Shanghai
    ],
    ids=[
        "utc-16h-is-next-day-in-shanghai-so-fails",
        "utc-15h59-is-same-day-in-shanghai-so-passes",
        "shanghai-just-after-midnight-passes",
        "shanghai-just-before-midnight-passes",
        "new-york-morning-is-shanghai-midnight-next-day-so-fails",
        "naive-time-is-shanghai-wall-clock",
    ],
)
def test_first_fulfilment_date_is_taken_in_shanghai(first: datetime, today: date, passes: bool) -> None:
    result = evaluate_eligibility(profile(), [history(first=first, completed=[at(today)])], today)
    assert result.eligible is passes


@pytest.mark.parametrize(
    ("completed_at", "passes"),
    [
        (datetime(2024, 9, 14, 15, 59, tzinfo=UTC), False),
        (datetime(2024, 9, 14, 16, 0, tzinfo=UTC), True),
        (datetime(2025, 3, 15, 15, 59, tzinfo=UTC), True),
        (datetime(2025, 3, 15, 16, 0, tzinfo=UTC), False),
    ],
    ids=[
        "utc-evening-before-window-is-still-outside-in-shanghai",
        "utc-16h-the-day-before-window-start-is-inside-in-shanghai",
        "utc-15h59-today-is-today-in-shanghai",
        "utc-16h-today-is-tomorrow-in-shanghai-so-future",
    ],
)
def test_statement_date_is_taken_in_shanghai(completed_at: datetime, passes: bool) -> None:
    result = evaluate_eligibility(profile(), [history(completed=[completed_at])], date(2025, 3, 15))
    assert (codes(result) == []) is passes


# --- several failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "first", "completed", "expected"),
    [
        (("吉林省", "吉林市"), at(date(2024, 10, 1)), [YESTERDAY], [REGION, COOPERATION]),
        (("广东省", ""), at(date(2024, 10, 1)), [at(date(2024, 9, 1))], [COOPERATION, RECENT]),
        (("新疆", ""), LONG_AGO, [], [REGION, RECENT]),
        (("", ""), None, [], [REGION, COOPERATION, RECENT]),
        (("辽宁省", "大连市"), at(date(2025, 1, 1)), [at(date(2024, 1, 1))], [REGION, COOPERATION, RECENT]),
    ],
    ids=[
        "region-and-cooperation-fail-no-eligible-from",
        "cooperation-and-recent-fail-no-eligible-from",
        "region-and-recent-fail",
        "nothing-known-fails-all-three-in-rule-order",
        "all-three-fail-in-rule-order",
    ],
)
def test_several_failures_are_reported_in_rule_order_without_eligible_from(
    region: tuple[str, str], first: datetime | None, completed: list[datetime], expected: list[ReasonCode]
) -> None:
    result = evaluate_eligibility(profile(*region), [history(first=first, completed=completed)], TODAY)
    assert not result.eligible
    assert codes(result) == expected
    assert result.eligible_from is None


# --- messages -------------------------------------------------------------------------------------------


def test_messages_are_chinese_sentences_with_the_concrete_detail() -> None:
    result = evaluate_eligibility(
        profile("吉林省", "吉林市"),
        [history(first=at(date(2024, 10, 1)), completed=[at(date(2024, 8, 20))])],
        TODAY,
    )
    region, cooperation, recent = (reason.message for reason in result.reasons)
    assert "吉林省吉林市" in region
    assert "长春市" in region
    assert "2024年10月1日" in cooperation
    assert "2025年10月2日" in cooperation
    assert "2024年9月15日" in recent
    assert "2024年8月20日" in recent
    for message in (region, cooperation, recent):
        assert message.endswith("。")


@pytest.mark.parametrize(
    ("province", "city", "fragment"),
    [
        ("", "", "缺少企业注册所在地"),
        ("火星", "一号站", "火星一号站"),
        ("吉林省", "", "仅开放长春市"),
        ("辽宁", "大连", "辽宁省大连市"),
        ("新疆", "", "新疆维吾尔自治区不在业务开放地区"),
    ],
    ids=[
        "missing-region-asks-to-complete-profile",
        "unrecognised-region-quotes-what-was-given",
        "jilin-without-city-names-the-open-city",
        "dalian-named-in-full",
        "closed-province-named-in-full",
    ],
)
def test_region_message_names_the_place(province: str, city: str, fragment: str) -> None:
    (reason,) = evaluate_eligibility(profile(province, city), [history()], TODAY).reasons
    assert fragment in reason.message


# --- calendar helper ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), -6, date(2024, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2024, 11, 30), 2, date(2025, 1, 30)),
        (date(2025, 5, 17), 0, date(2025, 5, 17)),
    ],
    ids=[
        "leap-day-plus-a-year-clamps-to-feb-28",
        "leap-day-plus-four-years-is-leap-day",
        "jan-31-plus-one-in-leap-year-is-feb-29",
        "jan-31-plus-one-is-feb-28",
        "aug-31-minus-six-is-leap-day",
        "mar-31-minus-one-clamps",
        "backwards-across-new-year",
        "forwards-across-new-year",
        "zero-months-is-identity",
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
