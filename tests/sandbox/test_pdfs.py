"""The sandbox bank's documents are real PDFs: parsed back, with the amounts in figures and in capitals."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pypdf
import pytest

from bff_sandbox import RunningSandbox, pdfs, statements
from bff_sandbox.capitals import capitals
from bff_sandbox.data import SHANGHAI, Repayment
from bff_sandbox.loan_decision import LoanRequest, applied_loan, decided_loan
from bff_sandbox.loan_engine import INTEREST_FIRST, installments, schedule
from bff_sandbox.money import format_yuan
from bff_sandbox.state import SandboxState


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("1.05", "壹元零伍分"),
        ("10.00", "壹拾元整"),
        ("10.50", "壹拾元伍角"),
        ("1005.00", "壹仟零伍元整"),
        ("4048.10", "肆仟零肆拾捌元壹角"),
        ("20010.01", "贰万零壹拾元零壹分"),
        ("100000.00", "壹拾万元整"),
        ("100005.00", "壹拾万零伍元整"),
        ("123456.78", "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("1000000.07", "壹佰万元零柒分"),
        ("100000005.00", "壹亿零伍元整"),
    ],
)
def test_capitals(amount: str, words: str) -> None:
    assert capitals(Decimal(amount)) == words


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def render(state: SandboxState, doc: statements.DocumentRef) -> bytes:
    receiving, repayment = statements.accounts(state, doc.credit_code)
    loan = None if doc.loan_no is None else state.loan(doc.loan_no)
    parties = pdfs.Parties(
        "深圳市筑城建材有限公司", doc.credit_code, receiving, repayment, Decimal("300000.00")
    )
    return pdfs.render(doc, loan, parties)


def test_every_seeded_document_is_a_pdf_with_its_title(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    state.reset()
    loan = state.loan("WBL0001")
    assert loan is not None
    found = statements.documents(state, loan.credit_code)
    assert {d.kind for d in found} == {
        "REALNAME_AGREEMENT",
        "LIMIT_CONTRACT",
        "LOAN_CONTRACT",
        "INSTALLMENT_VOUCHER",
        "SETTLEMENT_CERTIFICATE",
    }
    for doc in found:
        pages, text = text_of(render(state, doc))
        assert pages == (2 if doc.kind == "LOAN_CONTRACT" else 1), doc
        assert doc.title in text


def test_a_voucher_states_its_amounts_in_figures_and_capitals(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    state.reset()
    loan = state.loan("WBL0001")
    assert loan is not None
    voucher = next(
        d for d in statements.documents(state, loan.credit_code) if d.loan_no == "WBL0001" and d.period == 1
    )
    installment = loan.plan[0]
    pages, text = text_of(render(state, voucher))
    total = installment.principal + installment.interest
    assert pages == 1
    assert "第1期本息归还凭证" in text
    for amount in (installment.principal, installment.interest, total):
        assert f"{format_yuan(amount)} 元（大写：{capitals(amount)}）" in text


def test_a_contract_states_amount_rate_term_and_plan(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    state.reset()
    loan = state.loan("WBL0001")
    assert loan is not None
    contract = next(d for d in statements.loan_documents(loan) if d.kind == "LOAN_CONTRACT")
    pages, text = text_of(render(state, contract))
    assert pages == 2
    assert "人民币 100000.00 元（大写：壹拾万元整）" in text
    assert "年化利率：7.20%" in text
    assert "借款期限：6个月" in text
    assert f"第6期  {loan.plan[-1].due_date.isoformat()}" in text


def test_a_failed_loan_has_no_contracts() -> None:
    request = LoanRequest("91440300MA5314187G", "CREDIT", Decimal("12345.44"), 6)
    booked = applied_loan("WBL9", request)
    assert booked.documents  # signed when applied for
    failed = decided_loan(booked, "放款审批未通过", date(2026, 1, 1))
    assert failed.status == "FAILED"
    assert failed.documents == ()
    assert statements.loan_documents(failed) == []


def test_an_interest_voucher_states_the_interest_in_figures_and_capitals(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    state.reset()
    request = LoanRequest("91440300MA5314187G", "CREDIT", Decimal("20000.00"), 3, INTEREST_FIRST)
    disbursed = decided_loan(applied_loan("WBL7777", request), None, date(2026, 3, 15))
    plan = installments(
        schedule(Decimal("20000.00"), disbursed.annual_rate, 3, date(2026, 3, 15), INTEREST_FIRST)
    )
    first = replace(plan[0], status="PAID")
    paid_at = datetime(2026, 4, 15, 10, tzinfo=SHANGHAI)
    loan = replace(
        disbursed,
        plan=(first, *plan[1:]),
        repayments=(
            Repayment(
                "WBR7777", "SCHEDULED", (1,), first.principal, first.interest, Decimal("0.00"), paid_at
            ),
        ),
    )
    doc = statements.DocumentRef(
        "D1", loan.credit_code, "INTEREST_VOUCHER", "第1期付息凭证", "WBL7777", 1, paid_at
    )
    parties = pdfs.Parties("深圳市筑城建材有限公司", loan.credit_code, None, None, None)
    pages, text = text_of(pdfs.render(doc, loan, parties))
    assert pages == 1
    assert first.principal == Decimal("0.00")
    assert f"支付利息：人民币 {format_yuan(first.interest)} 元（大写：{capitals(first.interest)}）" in text
    assert "归还本金" not in text
    assert "2026年4月15日 10:00" in text


def test_a_settlement_certificate_states_what_was_repaid(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    state.reset()
    loan = state.loan("WBL0002")
    assert loan is not None
    certificate = next(d for d in statements.loan_documents(loan) if d.kind == "SETTLEMENT_CERTIFICATE")
    pages, text = text_of(render(state, certificate))
    repaid = sum((r.amount for r in loan.repayments), Decimal("0.00"))
    assert pages == 1
    assert f"累计还款：人民币 {format_yuan(repaid)} 元（大写：{capitals(repaid)}）" in text
    assert "已全部结清" in text
