"""Persisted queries (Apollo APQ) over POST, GET and the websocket; the allow-list of `BFF_PERSISTED_ONLY`;
and a subscription sent over HTTP is told to use the websocket."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import aiohttp
import pytest
from app_fixtures import Bff

from bff.operations import load_operations
from bff.persisted_queries import PersistedQueries, PersistedQueryError

OPERATIONS = {operation.name: operation for operation in load_operations()}
BANNER = OPERATIONS["EntryPointBanner"]
AD_HOC = "{ viewer { code } }"
AD_HOC_HASH = hashlib.sha256(AD_HOC.encode()).hexdigest()


def persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def post(bff: Bff, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {bff.token()}"}
    async with bff.http.post(f"{bff.url}/graphql", json=body, headers=headers) as response:
        return response.status, await response.json()


async def get(bff: Bff, **params: str) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {bff.token()}", "Accept": "application/json"}
    async with bff.http.get(f"{bff.url}/graphql", params=params, headers=headers) as response:
        return response.status, await response.json()


def code_of(body: dict[str, Any]) -> str:
    [error] = body["errors"]
    code: str = error["extensions"]["code"]
    return code


async def test_a_page_operation_runs_by_its_hash_alone(bff: Bff) -> None:
    status, body = await post(bff, {"extensions": persisted(BANNER.sha256)})
    assert status == 200
    assert body["data"]["viewer"]["eligibility"]["eligible"] is True


async def test_an_unknown_hash_is_not_found_until_the_client_sends_the_document(bff: Bff) -> None:
    # given: the client tries the hash first, as Apollo's link does
    status, body = await post(bff, {"extensions": persisted(AD_HOC_HASH)})
    assert (status, code_of(body), body["errors"][0]["message"]) == (
        200,
        "PERSISTED_QUERY_NOT_FOUND",
        "PersistedQueryNotFound",
    )
    # when: it sends the document with its hash
    status, body = await post(bff, {"query": AD_HOC, "extensions": persisted(AD_HOC_HASH)})
    assert (status, body["data"]) == (200, {"viewer": {"code": "GD-BOTH"}})
    # then: the hash alone runs it from now on
    status, body = await post(bff, {"extensions": persisted(AD_HOC_HASH)})
    assert (status, body["data"]) == (200, {"viewer": {"code": "GD-BOTH"}})


async def test_a_hash_that_is_not_the_documents_is_refused(bff: Bff) -> None:
    status, body = await post(bff, {"query": AD_HOC, "extensions": persisted(BANNER.sha256)})
    assert (status, code_of(body)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    assert "data" not in body


@pytest.mark.parametrize(
    "extension",
    [{"version": 2, "sha256Hash": AD_HOC_HASH}, {"version": 1, "sha256Hash": "abc"}, "x"],
    ids=["version-2", "short-hash", "not-an-object"],
)
async def test_a_malformed_persisted_query_extension_is_a_bad_request(bff: Bff, extension: object) -> None:
    status, body = await post(bff, {"extensions": {"persistedQuery": extension}})
    assert (status, code_of(body)) == (400, "BAD_REQUEST")


async def test_a_query_by_hash_over_get(bff: Bff) -> None:
    status, body = await get(bff, extensions=json.dumps(persisted(BANNER.sha256)))
    assert status == 200
    assert body["data"]["viewer"]["admission"] is None


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_told_to_use_the_websocket(bff: Bff, method: str) -> None:
    subscription = OPERATIONS["AdmissionChanged"].text
    if method == "POST":
        status, body = await post(bff, {"query": subscription})
    else:
        status, body = await get(bff, query=subscription)
    assert (status, code_of(body)) == (400, "BAD_REQUEST")
    assert "graphql-transport-ws" in body["errors"][0]["message"]
    assert "websocket" in body["errors"][0]["message"]


async def test_a_subscription_sent_by_hash_over_http_is_refused_the_same_way(bff: Bff) -> None:
    status, body = await post(bff, {"extensions": persisted(OPERATIONS["LoanStatusChanged"].sha256)})
    assert (status, code_of(body)) == (400, "BAD_REQUEST")


async def ws_subscribe(bff: Bff, payload: dict[str, Any]) -> aiohttp.ClientWebSocketResponse:
    ws = await bff.http.ws_connect(f"{bff.url}/graphql", protocols=["graphql-transport-ws"])
    await ws.send_str(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bff.token()}"}})
    )
    assert json.loads((await ws.receive(timeout=5)).data) == {"type": "connection_ack"}
    await ws.send_str(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def next_frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads((await ws.receive(timeout=10)).data)
        if frame["type"] not in ("ping", "pong"):
            return frame


async def test_a_subscription_by_hash_over_the_websocket(bff: Bff) -> None:
    # admissionChanged answers the current admission first
    ws = await ws_subscribe(bff, {"extensions": persisted(OPERATIONS["AdmissionChanged"].sha256)})
    try:
        frame = await next_frame(ws)
        assert (frame["type"], frame["payload"]["data"]) == ("next", {"admissionChanged": None})
    finally:
        await ws.close()


async def test_an_unknown_hash_over_the_websocket_is_an_error_message(bff: Bff) -> None:
    ws = await ws_subscribe(bff, {"extensions": persisted(AD_HOC_HASH)})
    try:
        frame = await next_frame(ws)
        assert frame["type"] == "error"
        assert [error["extensions"]["code"] for error in frame["payload"]] == ["PERSISTED_QUERY_NOT_FOUND"]
    finally:
        await ws.close()


@pytest.mark.parametrize("bff_overrides", [{"persisted_only": True}])
async def test_persisted_only_runs_the_operations_documents_and_nothing_else(bff: Bff) -> None:
    # the page documents run, by hash or by their exact text
    status, body = await post(bff, {"extensions": persisted(BANNER.sha256)})
    assert (status, "errors" in body) == (200, False)
    status, body = await post(bff, {"query": BANNER.text})
    assert (status, "errors" in body) == (200, False)
    # anything else is refused, and cannot be registered
    for request in (
        {"query": AD_HOC},
        {"query": AD_HOC, "extensions": persisted(AD_HOC_HASH)},
        {"extensions": persisted(AD_HOC_HASH)},
    ):
        status, body = await post(bff, request)
        assert (status, code_of(body)) == (400, "PERSISTED_QUERY_NOT_IN_LIST"), request
    status, body = await get(bff, query=AD_HOC)
    assert (status, code_of(body)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
    ws = await ws_subscribe(bff, {"query": "subscription { admissionChanged { id } }"})
    try:
        frame = await next_frame(ws)
        assert [error["extensions"]["code"] for error in frame["payload"]] == ["PERSISTED_QUERY_NOT_IN_LIST"]
    finally:
        await ws.close()


def test_registrations_are_bounded_oldest_first() -> None:
    store = PersistedQueries((), persisted_only=False, capacity=2)
    documents = ["{ a }", "{ b }", "{ c }"]
    hashes = [hashlib.sha256(d.encode()).hexdigest() for d in documents]
    for document, sha256 in zip(documents, hashes, strict=True):
        store.resolve(document, persisted(sha256))
    assert store.resolve(None, persisted(hashes[2])) == "{ c }"
    with pytest.raises(PersistedQueryError) as refused:
        store.resolve(None, persisted(hashes[0]))
    assert refused.value.code == "PERSISTED_QUERY_NOT_FOUND"
