"""What `bff serve` shows by default (no introspection, no GraphiQL, /metrics behind a token) and what
`bff demo` turns on; websockets closed when their token expires; token subjects matched exactly."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import aiohttp
import pytest
from app_fixtures import JWT_SECRET, Bff

from bff.auth import mint_token, viewer_from_token
from bff.errors import AuthenticationError
from bff.graphql_ws import TOKEN_EXPIRED_CODE

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE_LOOKUP = '{ viewer { code } __type(name: "Loan") { name } }'
HIDDEN_IN_A_FRAGMENT = "query { ...F } fragment F on Query { __schema { types { name } } }"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("query", [INTROSPECTION, TYPE_LOOKUP, HIDDEN_IN_A_FRAGMENT])
async def test_introspection_is_refused_by_default(bff: Bff, query: str) -> None:
    result = await bff.query(query)
    assert result["data"] is None
    assert [error["extensions"]["code"] for error in result["errors"]] == ["INTROSPECTION_DISABLED"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_typename_and_mentions_in_strings_are_not_introspection(bff: Bff) -> None:
    result = await bff.query("{ __typename viewer { __typename code } } # __schema")
    assert result == {
        "data": {"__typename": "Query", "viewer": {"__typename": "Supplier", "code": "GD-BOTH"}}
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("bff_overrides", [{"introspection": True}])
async def test_introspection_when_turned_on(bff: Bff) -> None:
    assert await bff.query(INTROSPECTION) == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


# --- websockets and token expiry ----------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_websocket_is_closed_with_4401_when_its_token_expires(bff: Bff) -> None:
    # Long enough to be valid when `connection_init` is read on a busy machine (a token already expired
    # then is refused at once, which is another test), short enough to keep the test quick.
    token = mint_token(JWT_SECRET, "GD-BOTH", ttl=timedelta(seconds=3))
    async with bff.http.ws_connect(f"{bff.url}/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_str(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads((await ws.receive(timeout=5)).data) == {"type": "connection_ack"}
        subscription = {"query": "subscription { admissionChanged { status } }"}
        await ws.send_str(json.dumps({"id": "1", "type": "subscribe", "payload": subscription}))
        # then: the server closes it by itself once the token's time is over (exp has 1 s resolution)
        async with asyncio.timeout(15):
            while True:
                message = await ws.receive()
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
        assert ws.close_code == TOKEN_EXPIRED_CODE


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_websocket_with_a_long_token_stays_open(bff: Bff) -> None:
    ws = await bff.subscribe("subscription { admissionChanged { status } }")
    try:
        await ws.send_str(json.dumps({"type": "ping"}))
        assert json.loads((await ws.receive(timeout=5)).data)["type"] in ("pong", "next")
        assert not ws.closed
    finally:
        await ws.close()


# --- token subjects -------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["GD-BOTH\n", " GD-BOTH", "GD-BOTH ", "GD-BOTH\r\n", "GD\nBOTH", ""])
def test_a_subject_with_surrounding_whitespace_is_refused(subject: str) -> None:
    with pytest.raises(AuthenticationError):
        viewer_from_token(mint_token(JWT_SECRET, subject), JWT_SECRET)


def test_an_exact_subject_is_accepted_with_its_expiry() -> None:
    viewer = viewer_from_token(mint_token(JWT_SECRET, "GD-BOTH", ttl=timedelta(minutes=5)), JWT_SECRET)
    assert viewer.supplier_code == "GD-BOTH"
    assert viewer.expires_at is not None
