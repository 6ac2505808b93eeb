"""A complete repayment picture in the graph: paid amounts and times, penalty and days overdue per
installment, the repayment method, the amount due now, early settlement keeping every period, and a
FAILED loan showing the rate and term the bank shows."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_loan

from bff import clock
from bff_sandbox.data import SHANGHAI
from bff_sandbox.loan_decision import LoanRequest, applied_loan, decided_loan
from bff_sandbox.loan_engine import penalty

LOAN = """query ($id: ID!) { node(id: $id) { ... on Loan { loanNo status annualRate termMonths repaymentMethod
  amountDue { date principal interest penalty total }
  installments { period dueDate principal interest status penalty paidAmount paidAt overdueDays }
  documents { kind } } } }"""
QUOTE = """query ($id: ID!, $asOf: Date) { node(id: $id) { ... on Loan { payoffQuote(asOf: $asOf) { total } } } }"""


def loan_id(loan_no: str) -> str:
    return base64.b64encode(f"Loan:{loan_no}".encode()).decode()


async def loan(bff: Bff, loan_no: str) -> dict[str, Any]:
    result = await bff.query(LOAN, {"id": loan_id(loan_no)})
    assert "errors" not in result, result
    node: dict[str, Any] = result["data"]["node"]
    return node


@pytest.fixture
def follow_the_bank(bff: Bff) -> Iterator[None]:
    """The BFF's business day follows the sandbox bank's clock (as `bff demo` does)."""
    real = datetime.now(SHANGHAI).date()
    clock.follow(lambda: (bff.sandbox.state.today - real).days)
    yield
    clock.follow(None)


async def mirror(loan_no: str, status: str = "DISBURSED") -> None:
    await create_loan(
        loan_no,
        status=status,
        amount_fen=10_000_000,
        applied_at=datetime.now(UTC) - timedelta(days=70),
        disbursed_at=datetime.now(UTC) - timedelta(days=65),
        annual_rate=Decimal("0.072"),
        term_months=6,
    )


async def test_paid_installments_show_what_they_took_and_when(bff: Bff) -> None:
    await mirror("WBL0001")
    node = await loan(bff, "WBL0001")
    bank = bff.sandbox.state.loan("WBL0001")
    assert bank is not None
    plan = node["installments"]
    assert [i["status"] for i in plan] == ["PAID", "PAID", "PENDING", "PENDING", "PENDING", "PENDING"]
    for row, item, repayment in zip(plan[:2], bank.plan[:2], bank.repayments, strict=True):
        assert Decimal(row["paidAmount"]) == item.principal + item.interest
        assert datetime.fromisoformat(row["paidAt"]) == repayment.paid_at
        assert (row["penalty"], row["overdueDays"]) == ("0.00", 0)
    assert plan[2]["paidAmount"] is None
    assert plan[2]["paidAt"] is None
    assert node["repaymentMethod"] == "EQUAL_PRINCIPAL"
    third = bank.plan[2]
    assert node["amountDue"] == {
        "date": third.due_date.isoformat(),
        "principal": str(third.principal),
        "interest": str(third.interest),
        "penalty": "0.00",
        "total": str(third.principal + third.interest),
    }


async def test_an_overdue_installment_shows_its_days_and_penalty_and_the_amount_due_includes_it(
    bff: Bff, follow_the_bank: None
) -> None:
    await mirror("WBL0001")
    state = bff.sandbox.state
    bank = state.loan("WBL0001")
    assert bank is not None
    third = bank.plan[2]
    state.set_insufficient_funds("WBL0001", True)
    state.set_today(third.due_date + timedelta(days=4))
    node = await loan(bff, "WBL0001")
    row = node["installments"][2]
    expected_penalty = penalty(third.principal, bank.annual_rate, 4)
    assert (row["status"], row["overdueDays"], Decimal(row["penalty"])) == ("OVERDUE", 4, expected_penalty)
    assert node["amountDue"] == {
        "date": state.today.isoformat(),
        "principal": str(third.principal),
        "interest": str(third.interest),
        "penalty": str(expected_penalty),
        "total": str(third.principal + third.interest + expected_penalty),
    }


async def test_early_settlement_keeps_every_period_and_marks_the_rest_settled(bff: Bff) -> None:
    await mirror("WBL0001")
    async with bff.http.get(
        f"{bff.sandbox.webank_url}/pages/repayment", params={"loan_no": "WBL0001", "kind": "EARLY_SETTLEMENT"}
    ) as response:
        html = await response.text()
    form = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
        for name in ("loan_no", "kind", "amount", "form_token")
    }
    async with bff.http.post(
        f"{bff.sandbox.webank_url}/pages/repayment",
        data={**form, "trade_password": "123456", "sms_code": "123456"},
    ) as response:
        assert response.status == 200
    node = await loan(bff, "WBL0001")
    plan = node["installments"]
    assert [i["status"] for i in plan] == ["PAID", "PAID", "SETTLED", "SETTLED", "SETTLED", "SETTLED"]
    settled = plan[2:]
    assert sum(Decimal(i["paidAmount"]) for i in settled) == Decimal(form["amount"])
    assert len({i["paidAt"] for i in settled}) == 1
    assert node["amountDue"] is None
    assert "SETTLEMENT_CERTIFICATE" in {d["kind"] for d in node["documents"]}


async def test_a_failed_loan_shows_the_banks_rate_and_term_and_no_documents(bff: Bff) -> None:
    state = bff.sandbox.state
    credit_code = state.loan("WBL0001").credit_code  # type: ignore[union-attr]
    booked = applied_loan("WBL0099", LoanRequest(credit_code, "CREDIT", Decimal("12345.44"), 6))
    state.add_loan(decided_loan(booked, "放款审批未通过", state.today))
    await create_loan("WBL0099", status="FAILED", amount_fen=1_234_544, applied_at=datetime.now(UTC))
    node = await loan(bff, "WBL0099")
    assert (node["status"], node["annualRate"], node["termMonths"]) == ("FAILED", "0.072", 6)
    assert node["documents"] == []
    assert node["installments"] == []
    assert node["amountDue"] is None
    assert node["repaymentMethod"] == "EQUAL_INSTALLMENT"


async def test_a_payoff_quote_before_the_disbursement_is_invalid_input(bff: Bff) -> None:
    await mirror("WBL0001")
    before = await bff.query(QUOTE, {"id": loan_id("WBL0001"), "asOf": "2020-01-01"})
    assert before["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert before["errors"][0]["path"] == ["node", "payoffQuote"]
    today = await bff.query(QUOTE, {"id": loan_id("WBL0001"), "asOf": bff.sandbox.state.today.isoformat()})
    assert "errors" not in today, today
    assert Decimal(today["data"]["node"]["payoffQuote"]["total"]) > 0
