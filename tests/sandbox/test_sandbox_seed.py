"""The seed keeps its admission cases whatever day it is built on."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import bff_sandbox
from bff.domain.credit_code import is_valid_credit_code
from bff_sandbox import build_seed
from bff_sandbox.data import MALL_STATUSES, MRO_STATUSES, Seed, add_months

TODAYS = [
    pytest.param(date(2026, 3, 15), id="mid-month"),
    pytest.param(date(2026, 3, 1), id="first-of-month"),
    pytest.param(date(2026, 1, 1), id="new-year"),
    pytest.param(date(2024, 2, 29), id="leap-day"),
    pytest.param(date(2025, 5, 31), id="month-end"),
    pytest.param(date(2025, 12, 31), id="year-end"),
]

# code → (first fulfilment more than 12 months ago, a statement within the last 6 months)
HISTORY_RULES = {
    "GD-BOTH": (True, True),
    "HN-MALL": (True, True),
    "SX-MRO": (True, True),
    "XZ-FAR": (True, True),
    "JL-CC": (True, True),
    "JL-JL": (True, True),
    "JL-NOCITY": (True, True),
    "LN-SY": (True, True),
    "LN-DL": (True, True),
    "ZJ-NEW": (False, True),
    "JS-IDLE": (True, False),
    "CQ-EARLY": (True, True),
    "XJ-NONE": (False, False),
    "BAD-CREDIT": (True, True),
}


def history_rules(seed: Seed, code: str) -> tuple[bool, bool]:
    histories = [h for h in (*seed.mall_fulfilment, *seed.mro_fulfilment) if h.supplier_code == code]
    firsts = [h.first_fulfilled_at for h in histories if h.first_fulfilled_at is not None]
    latest = max(s.completed_at for h in histories for s in h.statements)
    first = min(firsts)
    return first.date() < add_months(seed.today, -12), latest.date() >= add_months(seed.today, -6)


@pytest.mark.parametrize("today", TODAYS)
def test_admission_history_cases_hold_on_any_day(today: date) -> None:
    seed = build_seed(today)

    assert {s.code: history_rules(seed, s.code) for s in seed.suppliers} == HISTORY_RULES


@pytest.mark.parametrize("today", TODAYS)
def test_cooperation_is_decided_by_the_earlier_system(today: date) -> None:
    seed = build_seed(today)
    mall = {h.supplier_code: h.first_fulfilled_at for h in seed.mall_fulfilment}
    mro = {h.supplier_code: h.first_fulfilled_at for h in seed.mro_fulfilment}

    assert mall["ZJ-NEW"] is not None
    assert mall["ZJ-NEW"].date() == add_months(today, -8)
    assert mro["ZJ-NEW"] is not None
    assert mro["ZJ-NEW"].date() == add_months(today, -7)
    assert mall["CQ-EARLY"] is not None
    assert mall["CQ-EARLY"].date() == add_months(today, -5)
    assert mro["CQ-EARLY"] is not None
    assert mro["CQ-EARLY"].date() == add_months(today, -24)
    assert mall["SX-MRO"] is None
    assert mro["HN-MALL"] is None


@pytest.mark.parametrize("today", TODAYS)
def test_nothing_happens_today_or_later(today: date) -> None:
    seed = build_seed(today)
    moments: list[datetime] = [
        *(o.created_at for o in seed.mall_orders),
        *(o.gmt_create for o in seed.mro_orders),
        *(s.completed_at for h in (*seed.mall_fulfilment, *seed.mro_fulfilment) for s in h.statements),
    ]

    assert max(m.date() for m in moments) < today
    assert all(m.utcoffset() is not None and m.utcoffset().total_seconds() == 8 * 3600 for m in moments)  # type: ignore[union-attr]


def test_credit_codes_are_valid_except_bad_credit() -> None:
    seed = build_seed(date(2026, 3, 15))

    assert [s.code for s in seed.suppliers if not is_valid_credit_code(s.credit_code)] == ["BAD-CREDIT"]
    assert len({s.credit_code for s in seed.suppliers}) == len(seed.suppliers)


def test_seed_is_deterministic_and_ids_do_not_move_with_the_date() -> None:
    one, same, later = (
        build_seed(date(2026, 3, 15)),
        build_seed(date(2026, 3, 15)),
        build_seed(date(2027, 7, 1)),
    )

    assert one == same
    assert [(o.id, o.supplier_code, o.status) for o in one.mall_orders] == [
        (o.id, o.supplier_code, o.status) for o in later.mall_orders
    ]
    assert [(o.trade_order_id, o.order_status) for o in one.mro_orders] == [
        (o.trade_order_id, o.order_status) for o in later.mro_orders
    ]


def test_demo_supplier_covers_every_status_and_null_contracts() -> None:
    seed = build_seed(date(2026, 3, 15))
    mall = [o for o in seed.mall_orders if o.supplier_code == "GD-BOTH"]
    mro = [o for o in seed.mro_orders if o.supplier_code == "GD-BOTH"]

    assert (len(mall), len(mro)) == (36, 32)
    assert {o.status for o in mall} == set(MALL_STATUSES)
    assert {o.order_status for o in mro} == set(MRO_STATUSES)
    assert any(o.contract is None for o in mall)
    assert any(o.contract is not None for o in mall)
    assert any(o.contract_no is None for o in mro)
    assert any(o.contract_no is not None for o in mro)
    assert all(o.amount % 1 != 0 for o in mall)  # every amount has fen


def test_the_package_docstring_table_matches_the_seed() -> None:
    seed = build_seed(date(2026, 3, 15))
    rows = {
        line.split("|")[1].strip(): line for line in (bff_sandbox.__doc__ or "").splitlines() if "|" in line
    }

    for supplier in seed.suppliers:
        mall = sum(1 for o in seed.mall_orders if o.supplier_code == supplier.code)
        mro = sum(1 for o in seed.mro_orders if o.supplier_code == supplier.code)
        known_to_mro = any(h.supplier_code == supplier.code for h in seed.mro_fulfilment)
        cells = [cell.strip() for cell in rows[supplier.code].split("|")]
        assert cells[2] == supplier.credit_code
        assert cells[4] == f"{mall} / {mro if known_to_mro else '-'}"
