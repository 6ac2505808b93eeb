"""What WeBank's pages show, in the graph: accounts (masked), 业务流水 and documents, through batched
loaders, with a field error (and the rest of the response intact) while the bank is down."""

from __future__ import annotations

import base64
import itertools
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff
from factories import create_loan

ACCOUNTS = """{ viewer { code bankAccounts {
  receiving { bankName accountName accountNoMasked } repayment { bankName accountName accountNoMasked } } } }"""
TRANSACTIONS = """
query ($from: Date, $to: Date, $first: Int, $after: String) { viewer { accountTransactions(
  from: $from, to: $to, first: $first, after: $after) { totalCount fromDate toDate
  pageInfo { hasNextPage endCursor } edges { cursor node { txnNo kind amount balanceAfter loanNo occurredAt memo } } } } }
"""
DOCUMENTS = """
query ($kinds: [DocumentKind!], $loanId: ID, $first: Int, $after: String) { viewer { documents(
  kinds: $kinds, loanId: $loanId, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { kind title loanNo period issuedAt downloadUrl } } } } }
"""
LOAN_DOCUMENTS = "{ viewer { loans(first: 20) { edges { node { loanNo documents { kind title period downloadUrl } } } } } }"


def loan_id(loan_no: str) -> str:
    return base64.b64encode(f"Loan:{loan_no}".encode()).decode()


def full_account_numbers(bff: Bff) -> list[str]:
    from bff_sandbox import statements

    credit_code = bff.sandbox.state.loan("WBL0001").credit_code  # type: ignore[union-attr]
    receiving, repayment = statements.accounts(bff.sandbox.state, credit_code)
    assert receiving is not None
    assert repayment is not None
    return [receiving.account_no, repayment.account_no]


async def test_accounts_are_masked_to_the_last_four_digits_in_the_graph_and_the_logs(
    bff: Bff, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await bff.query(ACCOUNTS)
    assert "errors" not in result, result
    accounts = result["data"]["viewer"]["bankAccounts"]
    receiving_no, repayment_no = full_account_numbers(bff)
    assert accounts["receiving"]["accountNoMasked"] == "****" + receiving_no[-4:]
    assert accounts["repayment"]["accountNoMasked"] == "****" + repayment_no[-4:]
    assert accounts["repayment"]["bankName"] == "深圳前海微众银行"
    assert accounts["receiving"]["accountName"] == "深圳市筑城建材有限公司"
    assert receiving_no not in caplog.text
    assert repayment_no not in caplog.text
    assert receiving_no not in str(result)
    assert repayment_no not in str(result)


async def test_an_enterprise_the_bank_does_not_know_has_no_accounts(bff: Bff) -> None:
    result = await bff.query(ACCOUNTS, as_supplier="HN-MALL")
    assert result["data"]["viewer"]["bankAccounts"] == {"receiving": None, "repayment": None}


async def test_the_bank_down_makes_only_its_fields_null(bff: Bff) -> None:
    bff.sandbox.state.set_webank_down(True)
    try:
        query = "{ viewer { code bankAccounts { repayment { bankName } } documents { totalCount } accountTransactions { totalCount } } }"
        result = await bff.query(query)
    finally:
        bff.sandbox.state.set_webank_down(False)
    viewer = result["data"]["viewer"]
    assert viewer == {"code": "GD-BOTH", "bankAccounts": None, "documents": None, "accountTransactions": None}
    assert {tuple(e["path"]) for e in result["errors"]} == {
        ("viewer", "bankAccounts"),
        ("viewer", "documents"),
        ("viewer", "accountTransactions"),
    }
    assert {e["extensions"]["code"] for e in result["errors"]} == {"UPSTREAM_UNAVAILABLE"}


async def test_transactions_page_newest_first_within_the_range(bff: Bff) -> None:
    everything = await bff.query(TRANSACTIONS, {"from": "2020-01-01", "to": "2020-12-31"})
    assert everything["data"]["viewer"]["accountTransactions"]["totalCount"] == 0
    today = bff.sandbox.state.today
    start = today.replace(year=today.year - 1).isoformat()
    first = (await bff.query(TRANSACTIONS, {"from": start, "to": today.isoformat(), "first": 5}))["data"]
    page = first["viewer"]["accountTransactions"]
    assert page["totalCount"] == 12  # 2 disbursements, 5 repayments (deposit + debit each)
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await bff.query(
        TRANSACTIONS,
        {"from": start, "to": today.isoformat(), "first": 20, "after": page["pageInfo"]["endCursor"]},
    )
    more = rest["data"]["viewer"]["accountTransactions"]
    rows = [e["node"] for e in page["edges"] + more["edges"]]
    assert len(rows) == 12
    assert more["pageInfo"]["hasNextPage"] is False
    times = [datetime.fromisoformat(row["occurredAt"]) for row in rows]
    assert times == sorted(times, reverse=True)
    assert {row["kind"] for row in rows} == {"DISBURSEMENT", "DEPOSIT", "DEBIT"}
    disbursement = next(row for row in rows if row["kind"] == "DISBURSEMENT" and row["loanNo"] == "WBL0001")
    assert disbursement["amount"] == "100000.00"
    # the balance moves by each amount
    oldest_first = list(reversed(rows))
    for before, after in itertools.pairwise(oldest_first):
        sign = -1 if after["kind"] in ("DEBIT", "FEE") else 1
        assert Decimal(after["balanceAfter"]) == Decimal(before["balanceAfter"]) + sign * Decimal(
            after["amount"]
        )


async def test_transactions_default_to_the_last_90_days(bff: Bff) -> None:
    page = (await bff.query(TRANSACTIONS))["data"]["viewer"]["accountTransactions"]
    assert (
        datetime.fromisoformat(page["toDate"]).date() - datetime.fromisoformat(page["fromDate"]).date()
    ).days == 90


@pytest.mark.parametrize(
    "variables",
    [
        {"from": "2026-03-01", "to": "2026-02-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"after": "not-a-cursor"},
        {"first": 0},
    ],
)
async def test_bad_ranges_and_cursors_are_invalid_input(bff: Bff, variables: dict[str, Any]) -> None:
    result = await bff.query(TRANSACTIONS, variables)
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT", result


async def test_a_cursor_of_another_range_is_invalid_input(bff: Bff) -> None:
    page = (await bff.query(TRANSACTIONS, {"first": 1}))["data"]["viewer"]["accountTransactions"]
    cursor = page["pageInfo"]["endCursor"]
    result = await bff.query(TRANSACTIONS, {"from": "2026-01-01", "to": "2026-01-31", "after": cursor})
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_documents_of_the_supplier_by_kind_and_loan(bff: Bff) -> None:
    await create_loan("WBL0001", status="DISBURSED", applied_at=datetime.now(UTC))
    everything = (await bff.query(DOCUMENTS, {"first": 100}))["data"]["viewer"]["documents"]
    kinds = [e["node"]["kind"] for e in everything["edges"]]
    assert kinds.count("REALNAME_AGREEMENT") == 1
    assert kinds.count("LIMIT_CONTRACT") == 1
    assert {"LOAN_CONTRACT", "INSTALLMENT_VOUCHER", "SETTLEMENT_CERTIFICATE"} <= set(kinds)
    limit_contract = next(e["node"] for e in everything["edges"] if e["node"]["kind"] == "LIMIT_CONTRACT")
    assert limit_contract["loanNo"] is None
    assert limit_contract["title"] == "额度合同"
    vouchers = (await bff.query(DOCUMENTS, {"kinds": ["INSTALLMENT_VOUCHER"], "loanId": loan_id("WBL0001")}))[
        "data"
    ]["viewer"]["documents"]
    assert [(e["node"]["loanNo"], e["node"]["period"]) for e in vouchers["edges"]] == [
        ("WBL0001", 1),
        ("WBL0001", 2),
    ]
    first = (await bff.query(DOCUMENTS, {"first": 3}))["data"]["viewer"]["documents"]
    rest = (await bff.query(DOCUMENTS, {"first": 100, "after": first["pageInfo"]["endCursor"]}))["data"][
        "viewer"
    ]["documents"]
    assert len(first["edges"]) + len(rest["edges"]) == everything["totalCount"]
    for edge in everything["edges"]:
        url = edge["node"]["downloadUrl"]
        assert url.startswith("/documents/")
        assert "webank" not in url
        assert "pages" not in url


async def test_a_page_of_loans_with_documents_costs_one_bank_call_and_no_bank_url(bff: Bff) -> None:
    for loan_no in ("WBL0001", "WBL0002"):
        await create_loan(loan_no, status="DISBURSED", applied_at=datetime.now(UTC))
    bff.reset_upstream_calls()
    result = await bff.query(LOAN_DOCUMENTS)
    assert "errors" not in result, result
    assert bff.upstream_calls("webank") == ["webank GET /v1/loans"]
    by_no = {e["node"]["loanNo"]: e["node"]["documents"] for e in result["data"]["viewer"]["loans"]["edges"]}
    assert {d["kind"] for d in by_no["WBL0002"]} >= {
        "LOAN_CONTRACT",
        "INSTALLMENT_VOUCHER",
        "SETTLEMENT_CERTIFICATE",
    }
    assert bff.sandbox.webank_url not in str(result)


async def test_an_invalid_loan_id_is_invalid_input(bff: Bff) -> None:
    result = await bff.query(DOCUMENTS, {"loanId": base64.b64encode(b"Order:MALL:1").decode()})
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_two_lists_of_documents_in_one_query_cost_one_bank_call(bff: Bff) -> None:
    query = """{ viewer {
      contracts: documents(kinds: [LOAN_CONTRACT]) { totalCount }
      vouchers: documents(kinds: [INSTALLMENT_VOUCHER]) { totalCount }
      bankAccounts { repayment { bankName } } again: bankAccounts { receiving { bankName } } } }"""
    bff.reset_upstream_calls()
    result = await bff.query(query)
    assert "errors" not in result, result
    calls = bff.upstream_calls("webank")
    assert sorted(calls) == sorted(
        [
            f"webank GET /v1/suppliers/{credit_code(bff)}/documents",
            f"webank GET /v1/suppliers/{credit_code(bff)}/accounts",
        ]
    )
    assert result["data"]["viewer"]["contracts"]["totalCount"] == 2
    assert result["data"]["viewer"]["vouchers"]["totalCount"] == 5


def credit_code(bff: Bff) -> str:
    loan = bff.sandbox.state.loan("WBL0001")
    assert loan is not None
    return loan.credit_code
