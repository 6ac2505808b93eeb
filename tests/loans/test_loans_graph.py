"""Loans in the graph: the list (数据列表) with filters and keyset cursors, the bank's live plan and
documents through one batched call, limit usage, financed orders, and `startRepayment`."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_loan
from financing_support import approve

from bff.models import Loan

LOANS = """
query ($statuses: [LoanStatus!], $kinds: [LoanKind!], $from: Date, $to: Date, $first: Int, $after: String) {
  viewer { loans(statuses: $statuses, kinds: $kinds, appliedFrom: $from, appliedTo: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { loanNo status kind } } } } }
"""
WITH_PLANS = """
{ viewer { loans(first: 20) { edges { node { loanNo installments { period dueDate principal interest status }
  documents { kind title downloadUrl } } } } } }
"""
START = """
mutation ($id: ID!, $kind: RepaymentStartKind!) { startRepayment(input: {loanId: $id, kind: $kind}) {
  redirectUrl payoffQuote { principal interest fee total } userErrors { code field } } }
"""
LIMIT = (
    "{ viewer { creditLimit { orderLoan { total used available } creditLoan { total used available } } } }"
)


def loan_id(loan_no: str) -> str:
    return base64.b64encode(f"Loan:{loan_no}".encode()).decode()


async def make_loans(count: int, *, code: str = "GD-BOTH", prefix: str = "L") -> list[Loan]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = ["PROCESSING", "DISBURSED", "FAILED", "OVERDUE", "SETTLED"]
    return [
        await create_loan(
            loan_no=f"{prefix}{i:03d}",
            supplier_code=code,
            kind="ORDER" if i % 2 else "CREDIT",
            status=statuses[i % len(statuses)],
            amount_fen=100_000 * (i + 1),
            outstanding_principal_fen=50_000 * (i + 1),
            applied_at=start + timedelta(days=i),
        )
        for i in range(count)
    ]


async def loans(bff: Bff, **variables: Any) -> dict[str, Any]:
    result = await bff.query(LOANS, variables)
    assert "errors" not in result, result
    connection: dict[str, Any] = result["data"]["viewer"]["loans"]
    return connection


async def test_loans_page_newest_first_and_a_new_loan_does_not_shift_later_pages(bff: Bff) -> None:
    await make_loans(12)
    first = await loans(bff, first=5)
    assert [e["node"]["loanNo"] for e in first["edges"]] == ["L011", "L010", "L009", "L008", "L007"]
    # a loan applied for while the client pages
    await create_loan(
        loan_no="LNEW",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="PROCESSING",
        amount_fen=1,
        applied_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    second = await loans(bff, first=5, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["loanNo"] for e in second["edges"]] == ["L006", "L005", "L004", "L003", "L002"]
    third = await loans(bff, first=5, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["loanNo"] for e in third["edges"]] == ["L001", "L000"]
    assert third["pageInfo"]["hasNextPage"] is False


async def test_a_loan_recorded_late_with_an_older_date_is_on_its_page(bff: Bff) -> None:
    # given: loans of January; then one applied for earlier, recorded last (so with the highest id), as a
    # late notification or a reconciliation backfill records it
    await make_loans(4)
    await create_loan("LATE", applied_at=datetime(2025, 12, 1, tzinfo=UTC))
    # when
    first = await loans(bff, first=2)
    rest = await loans(bff, first=10, after=first["pageInfo"]["endCursor"])
    # then
    assert [e["node"]["loanNo"] for e in first["edges"] + rest["edges"]] == [
        "L003",
        "L002",
        "L001",
        "L000",
        "LATE",
    ]


async def test_loans_filter_by_status_kind_and_date_range(bff: Bff) -> None:
    await make_loans(10)
    await make_loans(3, code="HN-MALL", prefix="HN")  # another supplier's loans never show
    disbursed = await loans(bff, statuses=["DISBURSED", "OVERDUE"])
    credit = await loans(bff, kinds=["CREDIT"])
    january_3_to_5 = await loans(bff, **{"from": "2026-01-03", "to": "2026-01-05"})
    assert {e["node"]["status"] for e in disbursed["edges"]} == {"DISBURSED", "OVERDUE"}
    assert disbursed["totalCount"] == 4
    assert {e["node"]["kind"] for e in credit["edges"]} == {"CREDIT"}
    assert credit["totalCount"] == 5
    assert [e["node"]["loanNo"] for e in january_3_to_5["edges"]] == ["L004", "L003", "L002"]


async def test_a_page_of_loans_with_plans_and_documents_costs_one_webank_call(bff: Bff) -> None:
    for loan_no in ("WBL0001", "WBL0002"):  # the sandbox bank's seeded loans
        await create_loan(
            loan_no=loan_no,
            supplier_code="GD-BOTH",
            kind="ORDER",
            status="DISBURSED",
            amount_fen=10_000_000,
            applied_at=datetime.now(UTC),
        )
    await make_loans(15)
    bff.reset_upstream_calls()
    result = await bff.query(WITH_PLANS)
    assert "errors" not in result, result
    by_no = {e["node"]["loanNo"]: e["node"] for e in result["data"]["viewer"]["loans"]["edges"]}
    assert len(by_no) == 17
    assert [c for c in bff.upstream_calls("webank")] == ["webank GET /v1/loans"]
    plan = by_no["WBL0001"]["installments"]
    assert sum((Decimal(row["principal"]) for row in plan), Decimal(0)) == Decimal("100000.00")
    assert {d["kind"] for d in by_no["WBL0001"]["documents"]} >= {"LOAN_CONTRACT", "LIMIT_CONTRACT"}
    assert by_no["L000"]["installments"] == []  # the bank does not know these test loans


async def test_limit_usage_is_outstanding_principal_per_kind_and_never_negative(bff: Bff) -> None:
    await approve(bff, total="100000.00")  # 40,000 order / 60,000 credit
    now = datetime.now(UTC)
    await create_loan(
        loan_no="O1",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="DISBURSED",
        amount_fen=3_000_000,
        outstanding_principal_fen=2_500_000,
        applied_at=now,
    )
    await create_loan(
        loan_no="O2",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="OVERDUE",
        amount_fen=3_000_000,
        outstanding_principal_fen=2_000_000,
        applied_at=now,
    )
    await create_loan(
        loan_no="O3",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="SETTLED",
        amount_fen=9_000_000,
        outstanding_principal_fen=0,
        applied_at=now,
    )
    await create_loan(
        loan_no="C1",
        supplier_code="GD-BOTH",
        kind="CREDIT",
        status="FAILED",
        amount_fen=9_000_000,
        outstanding_principal_fen=9_000_000,
        applied_at=now,
    )
    limit = (await bff.query(LIMIT))["data"]["viewer"]["creditLimit"]
    assert limit["orderLoan"] == {"total": "40000.00", "used": "45000.00", "available": "0.00"}
    assert limit["creditLoan"] == {"total": "60000.00", "used": "0.00", "available": "60000.00"}


@pytest.mark.parametrize("kind", ["INSTALLMENT", "EARLY_SETTLEMENT"])
async def test_start_repayment_hands_over_to_webank(bff: Bff, kind: str) -> None:
    await create_loan(
        loan_no="WBL0001",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="DISBURSED",
        amount_fen=10_000_000,
        outstanding_principal_fen=6_666_666,
        applied_at=datetime.now(UTC),
    )
    payload = (await bff.query(START, {"id": loan_id("WBL0001"), "kind": kind}))["data"]["startRepayment"]
    assert payload["userErrors"] == []
    assert payload["redirectUrl"]
    if kind == "EARLY_SETTLEMENT":
        quote = payload["payoffQuote"]
        parts = Decimal(quote["principal"]) + Decimal(quote["interest"]) + Decimal(quote["fee"])
        assert Decimal(quote["total"]) == parts
    else:
        assert payload["payoffQuote"] is None


async def test_start_repayment_refuses_other_loans(bff: Bff) -> None:
    now = datetime.now(UTC)
    await create_loan(
        loan_no="MINE-SETTLED",
        supplier_code="GD-BOTH",
        kind="ORDER",
        status="SETTLED",
        amount_fen=1,
        applied_at=now,
    )
    await create_loan(
        loan_no="THEIRS",
        supplier_code="HN-MALL",
        kind="ORDER",
        status="DISBURSED",
        amount_fen=1,
        applied_at=now,
    )
    settled = await bff.query(START, {"id": loan_id("MINE-SETTLED"), "kind": "INSTALLMENT"})
    theirs = await bff.query(START, {"id": loan_id("THEIRS"), "kind": "INSTALLMENT"})
    unknown = await bff.query(START, {"id": loan_id("NOPE"), "kind": "EARLY_SETTLEMENT"})
    not_a_loan = await bff.query(
        START, {"id": base64.b64encode(b"Order:MALL:1").decode(), "kind": "INSTALLMENT"}
    )
    assert settled["data"]["startRepayment"]["userErrors"] == [
        {"code": "LOAN_NOT_REPAYABLE", "field": "loanId"}
    ]
    assert theirs["data"]["startRepayment"]["userErrors"] == [{"code": "LOAN_NOT_FOUND", "field": "loanId"}]
    assert unknown["data"]["startRepayment"]["userErrors"] == [{"code": "LOAN_NOT_FOUND", "field": "loanId"}]
    assert not_a_loan["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
