"""`financingApplicationChanged`: a hand-over that waited for WeBank reaches the page live."""

from __future__ import annotations

from app_fixtures import Bff
from financing_support import approve, orders, pick
from ws_support import next_payload

APPLY = """
mutation ($ids: [ID!]!) { applyForOrderFinancing(input: {orderIds: $ids}) {
  application { id } redirectUrl handOverPending userErrors { code } } }
"""
SUBSCRIPTION = """
subscription ($id: ID!) { financingApplicationChanged(applicationId: $id) { status financingUrl handOverPending } }
"""


async def test_the_financing_url_is_pushed_once_the_outbox_delivers(bff: Bff) -> None:
    # given: WeBank is away when the supplier applies
    await approve(bff)
    chosen = pick(await orders(bff), "MALL", "PROCESSING")
    bff.sandbox.state.set_webank_down(True)
    try:
        applied = (await bff.query(APPLY, {"ids": [n["id"] for n in chosen]}))["data"][
            "applyForOrderFinancing"
        ]
        assert applied["handOverPending"] is True
        ws = await bff.subscribe(SUBSCRIPTION, {"id": applied["application"]["id"]})
        first = (await next_payload(ws))["data"]["financingApplicationChanged"]
        assert first == {"status": "PENDING_PUSH", "financingUrl": None, "handOverPending": True}
    finally:
        bff.sandbox.state.set_webank_down(False)
    try:
        # when the background worker gets through, then
        changed = (await next_payload(ws))["data"]["financingApplicationChanged"]
        assert changed["status"] == "HANDED_OVER"
        assert changed["handOverPending"] is False
        assert "/webank/pages/financing?batch_no=" in changed["financingUrl"]
    finally:
        await ws.close()
