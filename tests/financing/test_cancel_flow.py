"""Cancelling over HTTP: live subscribers see it, and WeBank's `loan.applied` for the cancelled batch still counts.

The loan is the bank's fact: it is recorded, takes its orders back where no other application took them
meanwhile, and the application becomes LOAN_CREATED (`bff.resolvers.applications`).
"""

from __future__ import annotations

from typing import Any

from app_fixtures import Bff
from financing_support import approve, credit_code_of, orders, pick
from test_order_financing import apply
from ws_support import next_payload

from bff.models import ApplicationStatus, FinancingApplication, Loan, LoanStatus, OrderClaim
from bff.schema.node import key_of

CANCEL = """
mutation ($id: ID!) { cancelFinancingApplication(input: {applicationId: $id}) {
  application { status } userErrors { code } } }
"""
SUBSCRIPTION = "subscription ($id: ID!) { financingApplicationChanged(applicationId: $id) { status } }"
STATUSES = "{ viewer { orders(first: 100) { edges { node { id financingStatus } } } } }"


async def cancel(bff: Bff, global_id: str) -> dict[str, Any]:
    result = await bff.query(CANCEL, {"id": global_id})
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["cancelFinancingApplication"]
    return payload


async def statuses(bff: Bff) -> dict[str, str]:
    result = await bff.query(STATUSES)
    return {
        e["node"]["id"]: e["node"]["financingStatus"] for e in result["data"]["viewer"]["orders"]["edges"]
    }


async def test_a_cancel_reaches_the_applications_subscribers(bff: Bff) -> None:
    await approve(bff)
    chosen = pick(await orders(bff), "MALL", "PROCESSING")
    application = (await apply(bff, [n["id"] for n in chosen]))["application"]
    ws = await bff.subscribe(SUBSCRIPTION, {"id": application["id"]})
    try:
        assert (await next_payload(ws))["data"]["financingApplicationChanged"] == {"status": "HANDED_OVER"}
        assert (await cancel(bff, application["id"]))["userErrors"] == []
        # The outbox worker may still announce the hand-over it delivered: the cancel follows it.
        seen = [(await next_payload(ws))["data"]["financingApplicationChanged"]["status"]]
        while seen[-1] != "CANCELLED":
            assert len(seen) < 3, seen
            seen.append((await next_payload(ws))["data"]["financingApplicationChanged"]["status"])
    finally:
        await ws.close()


async def _loan_applied(bff: Bff, application_id: int, order_nos: list[str], loan_no: str) -> None:
    application = await FinancingApplication.get(id=application_id)
    assert application.batch_no is not None
    status, body = await bff.notify(
        "loan.applied",
        {
            "credit_code": credit_code_of(bff, "GD-BOTH"),
            "loan_no": loan_no,
            "kind": "ORDER",
            "amount": "100.00",
            "order_nos": order_nos,
            "batch_no": application.batch_no,
        },
    )
    assert (status, body) == (200, {"code": "SUCCESS"})


async def test_a_loan_webank_makes_from_a_cancelled_batch_is_recorded_and_takes_its_orders(bff: Bff) -> None:
    # given: an application the supplier cancelled, whose batch WeBank had already taken
    await approve(bff)
    chosen = pick(await orders(bff), "MRO", "PENDING_SHIPMENT")
    application = (await apply(bff, [n["id"] for n in chosen]))["application"]
    application_id = int(key_of(application["id"], "FinancingApplication", ""))
    assert (await cancel(bff, application["id"]))["userErrors"] == []
    # when the bank reports a loan from that batch anyway
    await _loan_applied(bff, application_id, [chosen[0]["orderNo"]], "WBL-AFTER-CANCEL")
    # then the loan is recorded, the order is financed by it, and the application made a loan after all
    loan = await Loan.get(loan_no="WBL-AFTER-CANCEL")
    assert (loan.status, loan.application_id) == (LoanStatus.PROCESSING, application_id)
    assert (await FinancingApplication.get(id=application_id)).status is ApplicationStatus.LOAN_CREATED
    assert [claim.loan_id for claim in await OrderClaim.all()] == [loan.id]
    assert (await statuses(bff))[chosen[0]["id"]] == "FINANCED"
    refused = await cancel(bff, application["id"])
    assert [e["code"] for e in refused["userErrors"]] == ["APPLICATION_NOT_CANCELLABLE"]


async def test_a_loan_from_a_cancelled_batch_leaves_an_order_another_application_took(bff: Bff) -> None:
    # given: the order of a cancelled application is in a new application now
    await approve(bff)
    chosen = pick(await orders(bff), "MALL", "PENDING_SHIPMENT")
    first = (await apply(bff, [n["id"] for n in chosen]))["application"]
    first_id = int(key_of(first["id"], "FinancingApplication", ""))
    assert (await cancel(bff, first["id"]))["userErrors"] == []
    second = await apply(bff, [n["id"] for n in chosen])
    assert second["userErrors"] == []
    second_id = int(key_of(second["application"]["id"], "FinancingApplication", ""))
    # when WeBank reports a loan from the first batch
    await _loan_applied(bff, first_id, [chosen[0]["orderNo"]], "WBL-LATE")
    # then the loan is recorded; the claim stays with the second application; the order shows as financed
    loan = await Loan.get(loan_no="WBL-LATE")
    assert loan.application_id == first_id
    claims = await OrderClaim.all()
    assert [(claim.application_id, claim.loan_id) for claim in claims] == [(second_id, None)]
    assert (await statuses(bff))[chosen[0]["id"]] == "FINANCED"
