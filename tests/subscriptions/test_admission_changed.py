"""`admissionChanged` over graphql-transport-ws: the current admission first, then each change, live."""

from __future__ import annotations

from typing import Any

import aiohttp
from app_fixtures import Bff
from ws_support import next_payload

SUBSCRIPTION = "subscription { admissionChanged { status creditLimit { total } } }"
AGREE = (
    'mutation { agreeToAuthorization(input: {agreementVersion: "2026-01", entryPoint: YZW_HOME_BANNER})'
    " { admission { status } userErrors { code } } }"
)


async def next_status(ws: aiohttp.ClientWebSocketResponse, status: str) -> dict[str, Any]:
    """The next pushed admission in `status`; an admission may change more than once per step (e.g. the
    bank's registration link arriving after 开通), so intermediate pushes of the previous status are skipped."""
    for _ in range(5):
        admission: dict[str, Any] = (await next_payload(ws))["data"]["admissionChanged"]
        if admission["status"] == status:
            return admission
    raise AssertionError(f"no push with status {status}")


async def subscribe(bff: Bff, code: str = "GD-BOTH") -> aiohttp.ClientWebSocketResponse:
    return await bff.subscribe(SUBSCRIPTION, code=code)


async def test_the_viewer_sees_its_admission_move_when_a_bank_notification_lands(bff: Bff) -> None:
    # given: a subscriber before anything happened
    ws = await subscribe(bff)
    try:
        assert await next_payload(ws) == {"data": {"admissionChanged": None}}
        # when: the supplier agrees and opens, then the bank approves
        await bff.query(AGREE)
        assert await next_payload(ws) == {
            "data": {"admissionChanged": {"status": "AGREED", "creditLimit": None}}
        }
        await bff.query("mutation { openFinancing { userErrors { code } } }")
        assert (await next_status(ws, "OPENED"))["creditLimit"] is None
        credit_code = next(s.credit_code for s in bff.sandbox.state.seed.suppliers if s.code == "GD-BOTH")
        status, _ = await bff.notify(
            "limit.approved",
            {
                "credit_code": credit_code,
                "total": "300000.00",
                "order_ratio": "0.4",
                "credit_ratio": "0.6",
                "valid_until": None,
            },
        )
        assert status == 200
        # then
        assert await next_status(ws, "APPROVED") == {
            "status": "APPROVED",
            "creditLimit": {"total": "300000.00"},
        }
    finally:
        await ws.close()


async def test_another_suppliers_changes_are_not_pushed(bff: Bff) -> None:
    ws = await subscribe(bff, code="HN-MALL")
    try:
        assert await next_payload(ws) == {"data": {"admissionChanged": None}}
        await bff.query(AGREE, as_supplier="GD-BOTH")
        await bff.query(AGREE, as_supplier="HN-MALL")
        # the first change pushed to HN-MALL is its own
        assert await next_payload(ws) == {
            "data": {"admissionChanged": {"status": "AGREED", "creditLimit": None}}
        }
    finally:
        await ws.close()
