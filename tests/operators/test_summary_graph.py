"""`Supplier.summary` over the schema and the sandbox: the same figures the lists show, with one bank read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from factories import create_loan
from graph_fixtures import Graph

from bff.models import LoanStatus

SUMMARY = """
{ viewer { summary { outstandingPrincipal overdueAmount nextDue { date amount loan { loanNo } }
  financeableOrderCount financeableTotal } } }
"""
LISTS = """
{ viewer {
  loans(first: 50, statuses: [DISBURSED, OVERDUE]) { edges { node { loanNo amountDue { date total } } } }
  orders(first: 100) { totalCount edges { node { financeable financeableAmount } } } } }
"""

pytestmark = pytest.mark.usefixtures("db")


async def test_summary_matches_the_lists_and_reads_the_bank_once(graph: Graph) -> None:
    # given: the sandbox bank's two seeded loans, and two test loans it does not know
    for loan_no, outstanding in (("WBL0001", 80_000_00), ("WBL0002", 40_000_00)):
        await create_loan(
            loan_no,
            status=LoanStatus.DISBURSED,
            amount_fen=100_000_00,
            outstanding_principal_fen=outstanding,
            applied_at=datetime.now(UTC),
        )
    await create_loan("L-LOCAL", status=LoanStatus.DISBURSED, outstanding_principal_fen=1_000_00)
    await create_loan("L-FAILED", status=LoanStatus.FAILED)
    lists = await graph.query(LISTS)
    assert "errors" not in lists, lists
    graph.reset_upstream_calls()

    # when
    result = await graph.query(SUMMARY)

    # then
    assert "errors" not in result, result
    summary = result["data"]["viewer"]["summary"]
    assert graph.upstream_calls("webank") == ["webank GET /v1/loans"]
    assert Decimal(summary["outstandingPrincipal"]) == Decimal("121000.00")
    assert Decimal(summary["overdueAmount"]) == Decimal("0.00")
    dues = sorted(
        (edge["node"]["amountDue"]["date"], edge["node"]["loanNo"], edge["node"]["amountDue"]["total"])
        for edge in lists["data"]["viewer"]["loans"]["edges"]
        if edge["node"]["amountDue"] is not None
    )
    assert dues, "the sandbox's seeded loans have plans"
    due_date, loan_no, total = dues[0]
    assert summary["nextDue"] == {"date": due_date, "amount": total, "loan": {"loanNo": loan_no}}
    orders = [edge["node"] for edge in lists["data"]["viewer"]["orders"]["edges"]]
    assert lists["data"]["viewer"]["orders"]["totalCount"] == len(orders)  # one page holds them all
    financeable = [Decimal(o["financeableAmount"]) for o in orders if o["financeable"]]
    positive = [amount for amount in financeable if amount > 0]
    assert positive, "the sandbox supplier has financeable orders"
    assert summary["financeableOrderCount"] == len(positive)
    assert Decimal(summary["financeableTotal"]) == sum(positive, Decimal("0.00"))


async def test_summary_without_loans_asks_the_bank_nothing(graph: Graph) -> None:
    graph.reset_upstream_calls()
    result = await graph.query(SUMMARY)
    assert "errors" not in result, result
    summary = result["data"]["viewer"]["summary"]
    assert (summary["outstandingPrincipal"], summary["nextDue"]) == ("0.00", None)
    assert graph.upstream_calls("webank") == []
