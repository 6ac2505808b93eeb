"""Reconciliation end to end: the sandbox bank acts while the BFF hears nothing, then an operator (or the
background job) reconciles, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from app_fixtures import Bff
from financing_support import AGREE, HANDLER, OPEN, credit_code_of, orders, pick
from ws_support import next_payload

from bff.auth import Role
from bff.models import BankEvent
from bff.workers import reconcile_once
from bff_sandbox import CreditLimit
from bff_sandbox.loan_decision import LoanRequest, applied_loan, decided_loan

RECONCILE = (
    "mutation ($code: String!) { reconcileSupplier(input: {code: $code}) "
    "{ repairs { kind subject detail } discrepancies { kind subject detail } note userErrors { code } } }"
)
VIEW = (
    "{ viewer { creditLimit { total orderLoan { total used available } creditLoan { used } } "
    "loans(first: 20) { edges { node { loanNo kind status outstandingPrincipal orders { orderNo } "
    "repayments { repaymentNo } } } } } }"
)
APPLY = (
    "mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) "
    "{ redirectUrl application { id } userErrors { code } } }"
)
TOTAL = Decimal("459000.00")


async def reconcile(bff: Bff, code: str = "GD-BOTH") -> dict[str, Any]:
    result = await bff.query(RECONCILE, {"code": code}, as_supplier="OPS", role=Role.OPERATOR)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["reconcileSupplier"]
    return payload


async def opened_and_approved_at_the_bank_only(bff: Bff) -> str:
    """GD-BOTH agrees, opens and submits its handler; the bank approves, but the BFF never hears of it."""
    for mutation in (AGREE, OPEN, HANDLER):
        result = await bff.query(mutation)
        assert next(iter(result["data"].values()))["userErrors"] == [], result
    credit_code: str = credit_code_of(bff, "GD-BOTH")
    limit = CreditLimit("APPROVED", TOTAL, Decimal("0.4"), Decimal("0.6"))
    bff.sandbox.state.set_limit(credit_code, limit)
    return credit_code


async def view(bff: Bff) -> dict[str, Any]:
    result = await bff.query(VIEW)
    assert "errors" not in result, result
    viewer: dict[str, Any] = result["data"]["viewer"]
    return viewer


def loans_by_no(viewer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {edge["node"]["loanNo"]: edge["node"] for edge in viewer["loans"]["edges"]}


async def test_the_missed_limit_and_the_seeded_loans_are_repaired_once(bff: Bff) -> None:
    # given: the bank approved the limit and has the seeded loans; the BFF knows none of it
    await opened_and_approved_at_the_bank_only(bff)

    # when
    first = await reconcile(bff)
    second = await reconcile(bff)

    # then: the limit, both loans, their disbursals, repayments and the settlement are applied once
    assert [(r["kind"], r["subject"]) for r in first["repairs"]] == [
        ("LIMIT_DECISION", "91440300MA5314187G"),
        ("LOAN_BACKFILLED", "WBL0001"),
        ("LOAN_STATUS", "WBL0001"),
        ("REPAYMENT", "WBL0001"),
        ("REPAYMENT", "WBL0001"),
        ("LOAN_BACKFILLED", "WBL0002"),
        ("LOAN_STATUS", "WBL0002"),
        ("REPAYMENT", "WBL0002"),
        ("REPAYMENT", "WBL0002"),
        ("REPAYMENT", "WBL0002"),
        ("LOAN_STATUS", "WBL0002"),
    ]
    assert (first["discrepancies"], first["userErrors"]) == ([], [])
    assert (second["repairs"], second["discrepancies"]) == ([], [])

    # and: the graph's numbers are the bank's — the order share minus the order loans' outstanding principal
    viewer = await view(bff)
    bank_loans = {loan.loan_no: loan for loan in bff.sandbox.state.loans()}
    order_outstanding = sum(
        (
            loan.outstanding_principal
            for loan in bank_loans.values()
            if loan.kind == "ORDER" and loan.status == "DISBURSED"
        ),
        Decimal(0),
    )
    assert (
        Decimal(viewer["creditLimit"]["orderLoan"]["available"]) == TOTAL * Decimal("0.4") - order_outstanding
    )
    assert viewer["creditLimit"]["orderLoan"]["available"] == "116933.34"
    loans = loans_by_no(viewer)
    assert (loans["WBL0001"]["status"], loans["WBL0001"]["outstandingPrincipal"]) == ("DISBURSED", "66666.66")
    assert [r["repaymentNo"] for r in loans["WBL0001"]["repayments"]] == ["WBR0001", "WBR0002"]
    assert (loans["WBL0002"]["status"], loans["WBL0002"]["outstandingPrincipal"]) == ("SETTLED", "0.00")
    # each repair but the two recorded loans is an inbox event under a fixed reconciliation id
    assert await BankEvent.filter(event_id__startswith="reconcile:", processed_at__isnull=False).count() == 9


async def test_dropped_repayments_and_settlement_are_repaired_and_nothing_moves_back(bff: Bff) -> None:
    # given: the seeded loans reconciled, then the bank debits every installment of WBL0001 unheard
    await opened_and_approved_at_the_bank_only(bff)
    await reconcile(bff)
    bff.sandbox.state.drop_notifications(True)
    bff.sandbox.state.advance(130)
    assert bff.sandbox.state.loan("WBL0001").status == "SETTLED"
    assert {n.status for n in bff.sandbox.state.notifications()} == {"DROPPED"}

    # when: the background job's pass runs
    repaired = await reconcile_once(bff.app.state.services.upstreams.webank, bff.app.state.services.broker)

    # then
    assert repaired == 5  # four debits, then the settlement
    loans = loans_by_no(await view(bff))
    assert (loans["WBL0001"]["status"], loans["WBL0001"]["outstandingPrincipal"]) == ("SETTLED", "0.00")
    assert len(loans["WBL0001"]["repayments"]) == 6

    # when: the bank (wrongly) says WBL0001 is disbursed again
    settled = bff.sandbox.state.loan("WBL0001")
    assert settled is not None
    bff.sandbox.state.add_loan(replace(settled, status="DISBURSED"))
    again = await reconcile(bff)

    # then: reported, not applied
    assert again["repairs"] == []
    assert [(d["kind"], d["subject"]) for d in again["discrepancies"]] == [("LOAN_STATUS", "WBL0001")]
    assert loans_by_no(await view(bff))["WBL0001"]["status"] == "SETTLED"


async def test_an_order_loan_the_bff_never_heard_of_appears_with_its_orders(bff: Bff) -> None:
    # given: approved (reconciled), an application handed over to the bank
    credit_code = await opened_and_approved_at_the_bank_only(bff)
    await reconcile(bff)
    chosen = pick(await orders(bff), "MALL", "PENDING_SHIPMENT")
    applied = await bff.query(APPLY, {"ids": [o["id"] for o in chosen]})
    url = applied["data"]["applyForOrderFinancing"]["redirectUrl"]
    batch_no = url.rsplit("batch_no=", 1)[1]

    # when: the bank books and disburses the loan, its notifications lost
    request = LoanRequest(credit_code, "ORDER", Decimal("1000.00"), 6)
    today = bff.sandbox.state.today  # not inside `build`: it runs under the state's lock
    bff.sandbox.state.book_loan(
        batch_no,
        [chosen[0]["orderNo"]],
        lambda loan_no: decided_loan(applied_loan(loan_no, request), None, today),
    )
    result = await reconcile(bff)

    # then: the loan appears with its order, DISBURSED, and counts against the order share
    assert [r["kind"] for r in result["repairs"]] == ["LOAN_BACKFILLED", "LOAN_STATUS"]
    assert chosen[0]["orderNo"] in result["repairs"][0]["detail"]
    viewer = await view(bff)
    loan = loans_by_no(viewer)["WBL000001"]
    assert (loan["status"], loan["orders"]) == ("DISBURSED", [{"orderNo": chosen[0]["orderNo"]}])
    assert viewer["creditLimit"]["orderLoan"]["used"] == "67666.66"


async def test_a_dropped_disbursal_is_applied(bff: Bff) -> None:
    # given: a credit loan the BFF heard applied for, whose disbursal it never heard
    credit_code = await opened_and_approved_at_the_bank_only(bff)
    await reconcile(bff)
    request = LoanRequest(credit_code, "CREDIT", Decimal("5000.00"), 3)
    bff.sandbox.state.add_loan(decided_loan(applied_loan("WBL-C1", request), None, bff.sandbox.state.today))
    status, _ = await bff.notify(
        "loan.applied",
        {
            "credit_code": credit_code,
            "loan_no": "WBL-C1",
            "kind": "CREDIT",
            "amount": "5000.00",
            "order_nos": [],
        },
    )
    assert status == 200

    # when
    result = await reconcile(bff)

    # then
    assert [(r["kind"], r["subject"], r["detail"]) for r in result["repairs"]] == [
        ("LOAN_STATUS", "WBL-C1", "disbursed at the bank, applied")
    ]
    viewer = await view(bff)
    assert (loans_by_no(viewer)["WBL-C1"]["status"], viewer["creditLimit"]["creditLoan"]["used"]) == (
        "DISBURSED",
        "5000.00",
    )


async def test_only_operators_reconcile_and_unknown_suppliers_are_refused(bff: Bff) -> None:
    as_supplier = await bff.query(RECONCILE, {"code": "GD-BOTH"})
    unknown = await reconcile(bff, "NO-SUCH")
    not_admitted = await reconcile(bff, "HN-MALL")

    assert as_supplier["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert unknown["userErrors"] == [{"code": "SUPPLIER_NOT_FOUND"}]
    assert (not_admitted["repairs"], not_admitted["note"]) == (
        [],
        "nothing to reconcile: no current admission with a credit code",
    )


async def test_what_reconciliation_repairs_is_told_to_subscribers(bff: Bff) -> None:
    # given: the bank approved GD-BOTH and holds its seeded loans; the BFF heard of none of it
    await opened_and_approved_at_the_bank_only(bff)
    admission = await bff.subscribe("subscription { admissionChanged { status } }")
    loans = await bff.subscribe("subscription { loanStatusChanged { loanNo status } }")
    try:
        assert await next_payload(admission) == {"data": {"admissionChanged": {"status": "REGISTERING"}}}
        # when: an operator reconciles
        assert (await reconcile(bff))["repairs"]
        # then: the admission's subscriber hears the approval, the loans' subscriber the live loan
        # (pushes of the handler form's hand-over may come first: the admission changes more than once)
        statuses = [(await next_payload(admission))["data"]["admissionChanged"]["status"]]
        while statuses[-1] != "APPROVED" and len(statuses) < 5:
            statuses.append((await next_payload(admission))["data"]["admissionChanged"]["status"])
        assert statuses[-1] == "APPROVED", statuses
        assert (await next_payload(loans))["data"]["loanStatusChanged"] == {
            "loanNo": "WBL0001",
            "status": "DISBURSED",
        }
    finally:
        await admission.close()
        await loans.close()
