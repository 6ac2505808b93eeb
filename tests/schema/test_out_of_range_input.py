"""Arguments a client controls (dates, cursors, global ids) out of range: a clean INVALID_INPUT error at
the field, never an internal error from a datetime overflow, the database driver or a comparison, and the
refusals logged in one INFO line without a traceback."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_loan

from bff.auth import Role

LOANS = """
query ($from: Date, $to: Date, $after: String) {
  viewer { loans(appliedFrom: $from, appliedTo: $to, after: $after) { edges { node { loanNo } } } } }
"""
ORDERS = "query ($after: String) { viewer { orders(after: $after) { edges { node { orderNo } } } } }"
NODE = "query ($id: ID!) { node(id: $id) { id } }"


def cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def only_code(result: dict[str, Any]) -> str:
    assert len(result["errors"]) == 1, result
    error = result["errors"][0]
    assert "requestId" not in error["extensions"], error  # not an internal error
    code: str = error["extensions"]["code"]
    return code


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"from": "0001-01-01"}, id="applied-from-year-1"),
        pytest.param({"to": "9999-12-31"}, id="applied-to-year-9999"),
        pytest.param(
            {"after": cursor({"k": "loans", "t": "2026-01-01T00:00:00+00:00", "i": 2**63})}, id="id-2^63"
        ),
        pytest.param(
            {"after": cursor({"k": "loans", "t": "2026-01-01T00:00:00+00:00", "i": -1})}, id="negative-id"
        ),
        pytest.param(
            {"after": cursor({"k": "loans", "t": "2026-01-01T00:00:00+00:00", "i": "7"})}, id="id-a-string"
        ),
        pytest.param({"after": cursor({"k": "loans", "t": "2026-01-01T00:00:00", "i": 1})}, id="naive-time"),
        pytest.param(
            {"after": cursor({"k": "loans", "t": "0001-01-01T00:00:00+08:00", "i": 1})},
            id="time-before-utc-year-1",
        ),
        pytest.param({"after": cursor({"k": "loans", "t": ["x"], "i": 1})}, id="time-a-list"),
    ],
)
async def test_loans_arguments_out_of_range_are_invalid_input(bff: Bff, variables: dict[str, Any]) -> None:
    await create_loan("L1")
    result = await bff.query(LOANS, variables)
    assert result["data"] is None  # `viewer` is non-null: the error reaches the root, as for any bad argument
    assert only_code(result) == "INVALID_INPUT"


async def test_loans_dates_at_the_edges_that_fit_still_filter(bff: Bff) -> None:
    await create_loan("L1")
    result = await bff.query(LOANS, {"from": "0001-01-02", "to": "9999-12-30"})
    assert result == {"data": {"viewer": {"loans": {"edges": [{"node": {"loanNo": "L1"}}]}}}}


GOOD_LAST = ["2026-01-01T00:00:00+08:00", "MALL", "1"]


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(
            {"o": {"MALL": 0, "MRO": 0}, "l": ["2026-01-01T00:00:00", "MALL", "1"]}, id="naive-time"
        ),
        pytest.param({"o": {"MALL": 2**63, "MRO": 0}, "l": GOOD_LAST}, id="offset-2^63"),
        pytest.param({"o": {"MALL": -1, "MRO": 0}, "l": GOOD_LAST}, id="negative-offset"),
        pytest.param({"o": {"MALL": 0}, "l": GOOD_LAST}, id="missing-offset"),
        pytest.param({"o": [0, 0], "l": GOOD_LAST}, id="offsets-a-list"),
        pytest.param(
            {"o": {"MALL": 0, "MRO": 0}, "l": ["2026-01-01T00:00:00+08:00", "PAPER", "1"]}, id="bad-source"
        ),
        pytest.param(
            {"o": {"MALL": 0, "MRO": 0}, "l": ["2026-01-01T00:00:00+08:00", "MALL", 1]}, id="id-a-number"
        ),
        pytest.param({"o": {"MALL": 0, "MRO": 0}, "l": GOOD_LAST[:2]}, id="short-position"),
    ],
)
async def test_orders_cursors_out_of_range_are_invalid_input(bff: Bff, state: dict[str, Any]) -> None:
    result = await bff.query(ORDERS, {"after": cursor({"k": "orders", **state})})
    assert only_code(result) == "INVALID_INPUT"


@pytest.mark.parametrize(
    "global_id",
    [
        pytest.param(gid(f"Admission:{2**63}"), id="admission-2^63"),
        pytest.param(gid("Admission:²"), id="admission-superscript-digit"),
        pytest.param(gid("FinancingApplication:" + "9" * 5000), id="application-5000-digits"),
        pytest.param(gid("Loan:L1\x00"), id="loan-with-nul"),
        pytest.param(gid("Repayment:R\n1"), id="repayment-with-newline"),
        pytest.param(gid("Loan:" + "x" * 500), id="key-too-long"),
        pytest.param("Zm9v\u00e9", id="not-ascii"),
    ],
)
async def test_global_ids_out_of_range_are_invalid_input(bff: Bff, global_id: str) -> None:
    result = await bff.query(NODE, {"id": global_id})
    assert result["data"] == {"node": None}
    assert only_code(result) == "INVALID_INPUT"


async def test_an_mro_order_id_that_is_no_number_is_not_found(bff: Bff) -> None:
    # "²".isdigit() is true, but it is no MRO order id: nothing is asked of MRO, and nothing crashes
    assert await bff.query(NODE, {"id": gid("Order:MRO:²")}) == {"data": {"node": None}}


async def test_an_operator_supplier_code_that_is_no_supplier_code_is_invalid_input(bff: Bff) -> None:
    query = "query ($code: String!) { supplier(code: $code) { code } }"
    result = await bff.query(query, {"code": "HN-MALL,GD-BOTH"}, as_supplier="OPS", role=Role.OPERATOR)
    assert only_code(result) == "INVALID_INPUT"


async def test_refused_lookups_are_logged_in_one_line_without_traceback(
    bff: Bff, caplog: pytest.LogCaptureFixture
) -> None:
    # given: one request of 100 node lookups, each refused
    fields = " ".join(f'n{i}: node(id: "{gid(f"Admission:x{i}")}") {{ id }}' for i in range(100))
    caplog.set_level(logging.INFO)
    caplog.clear()
    # when
    result = await bff.query(f"{{ {fields} }}")
    # then
    assert [error["extensions"]["code"] for error in result["errors"]] == ["INVALID_INPUT"] * 100
    graph_records = [r for r in caplog.records if r.name.startswith(("bff.", "strawberry"))]
    assert not [r for r in graph_records if r.exc_info or r.levelno >= logging.WARNING], graph_records
    refusals = [r for r in graph_records if "refused" in r.getMessage()]
    assert len(refusals) == 1
    message = refusals[0].getMessage()
    assert "INVALID_INPUT x100" in message
    assert "\n" not in message
    assert len(caplog.text) < 3000
