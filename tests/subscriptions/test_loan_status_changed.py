"""`loanStatusChanged`: every status change of the viewer's loans, or of one loan, pushed live."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import aiohttp
from app_fixtures import Bff
from financing_support import approve, credit_code_of
from ws_support import next_payload

SUBSCRIPTION = (
    "subscription ($id: ID) { loanStatusChanged(loanId: $id) { loanNo status outstandingPrincipal } }"
)


async def subscribe(
    bff: Bff, loan_id: str | None = None, code: str = "GD-BOTH"
) -> aiohttp.ClientWebSocketResponse:
    return await bff.subscribe(SUBSCRIPTION, {"id": loan_id}, code=code)


async def credit_loan_applied(bff: Bff, loan_no: str) -> None:
    status, _ = await bff.notify(
        "loan.applied",
        {
            "credit_code": credit_code_of(bff, "GD-BOTH"),
            "loan_no": loan_no,
            "kind": "CREDIT",
            "amount": "50000.00",
            "order_nos": [],
            "batch_no": None,
        },
    )
    assert status == 200


async def disbursed(bff: Bff, loan_no: str) -> None:
    status, _ = await bff.notify(
        "loan.disbursed",
        {
            "loan_no": loan_no,
            "amount": "50000.00",
            "annual_rate": "0.072",
            "term_months": 6,
            "disbursed_at": datetime.now(UTC).isoformat(),
        },
    )
    assert status == 200


async def loan_of(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    value: dict[str, Any] = (await next_payload(ws))["data"]["loanStatusChanged"]
    return value


async def test_all_loans_of_the_viewer_are_pushed_as_they_change(bff: Bff) -> None:
    await approve(bff)
    ws = await subscribe(bff)
    try:
        await credit_loan_applied(bff, "WBL-S1")
        assert await loan_of(ws) == {
            "loanNo": "WBL-S1",
            "status": "PROCESSING",
            "outstandingPrincipal": "0.00",
        }
        await disbursed(bff, "WBL-S1")
        assert await loan_of(ws) == {
            "loanNo": "WBL-S1",
            "status": "DISBURSED",
            "outstandingPrincipal": "50000.00",
        }
    finally:
        await ws.close()


async def test_one_loan_starts_with_its_current_state_and_ignores_the_others(bff: Bff) -> None:
    await approve(bff)
    await credit_loan_applied(bff, "WBL-S2")
    loan_id = base64.b64encode(b"Loan:WBL-S2").decode()
    ws = await subscribe(bff, loan_id)
    try:
        assert (await loan_of(ws))["status"] == "PROCESSING"
        await credit_loan_applied(bff, "WBL-S3")  # another loan: not pushed here
        await disbursed(bff, "WBL-S2")
        assert await loan_of(ws) == {
            "loanNo": "WBL-S2",
            "status": "DISBURSED",
            "outstandingPrincipal": "50000.00",
        }
    finally:
        await ws.close()


async def test_repayments_are_pushed_too(bff: Bff) -> None:
    await approve(bff)
    await credit_loan_applied(bff, "WBL-S4")
    await disbursed(bff, "WBL-S4")
    ws = await subscribe(bff, base64.b64encode(b"Loan:WBL-S4").decode())
    try:
        assert (await loan_of(ws))["outstandingPrincipal"] == "50000.00"
        status, _ = await bff.notify(
            "repayment.posted",
            {
                "loan_no": "WBL-S4",
                "repayment_no": "R-1",
                "kind": "ACTIVE",
                "principal": "8000.00",
                "interest": "300.00",
                "penalty": "0.00",
                "paid_at": datetime.now(UTC).isoformat(),
            },
        )
        assert status == 200
        assert await loan_of(ws) == {
            "loanNo": "WBL-S4",
            "status": "DISBURSED",
            "outstandingPrincipal": "42000.00",
        }
    finally:
        await ws.close()
