"""Bodies the graph refuses before reading them whole (413) or before executing anything (400), and GET
requests with a bad query string: always JSON in the GraphQL error shape, never a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from app_fixtures import Bff

from bff.request_guard import MAX_JSON_DEPTH

# The refusals happen before any database work: one backend is enough.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

JSON = {"Content-Type": "application/json"}


def deep(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


async def post_raw(bff: Bff, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    sent = {**JSON, "Authorization": f"Bearer {bff.token()}", **(headers or {})}
    async with bff.http.post(f"{bff.url}/graphql", data=body, headers=sent) as response:
        return response.status, await response.json(content_type=None)


def refusal_code(answer: Any) -> str:
    assert set(answer) == {"errors"}, answer
    code: str = answer["errors"][0]["extensions"]["code"]
    assert isinstance(answer["errors"][0]["message"], str)
    return code


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="binary"),
        pytest.param(b'{"query": "{ viewer { name \xff\xfe } }"}', id="invalid-utf8-in-query"),
        pytest.param(b"null", id="null"),
        pytest.param(b'"{ viewer { name } }"', id="bare-string"),
        pytest.param(b"[1, 2]", id="array"),
        pytest.param(b'{"query": 5}', id="query-not-a-string"),
        pytest.param(b'{"query": "{ viewer { name } }", "variables": "x"}', id="variables-not-an-object"),
        pytest.param(b'{"query": "{ viewer { name } }", "variables": [1]}', id="variables-a-list"),
        pytest.param(
            b'{"query": "{ viewer { name } }", "operationName": 5}', id="operation-name-not-a-string"
        ),
        pytest.param(b'{"variables": {}}', id="no-query"),
        pytest.param(
            f'{{"query": "{{ viewer {{ name }} }}", "variables": {deep(5000)}}}'.encode(), id="5000-deep"
        ),
        pytest.param(
            f'{{"query": "{{ viewer {{ name }} }}", "variables": {deep(MAX_JSON_DEPTH)}}}'.encode(),
            id="too-deep",
        ),
        pytest.param(
            b'{"query": "query ($c: String!) { supplier(code: $c) { code } }", "variables": {"c": "\\ud800"}}',
            id="lone-surrogate",
        ),
        pytest.param(
            b'{"query": "query ($c: String!) { supplier(code: $c) { code } }", "variables": {"c": "a\\u0000"}}',
            id="nul",
        ),
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_400_bad_request(bff: Bff, body: bytes) -> None:
    status, answer = await post_raw(bff, body)
    assert (status, refusal_code(answer)) == (400, "BAD_REQUEST")


async def test_nesting_up_to_the_limit_is_fine(bff: Bff) -> None:
    # the body is the first level, so variables may nest one level less
    body = f'{{"query": "{{ viewer {{ code }} }}", "variables": {deep(MAX_JSON_DEPTH - 2)}}}'.encode()
    status, answer = await post_raw(bff, body)
    assert (status, answer["data"], "errors" in answer) == (200, {"viewer": {"code": "GD-BOTH"}}, False)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"query": "{ viewer { code } }", "variables": "{nope"}, id="variables-not-json"),
        pytest.param({"query": "{ viewer { code } }", "variables": "[1]"}, id="variables-not-an-object"),
        pytest.param(
            {"query": "{ viewer { code } }", "variables": deep(MAX_JSON_DEPTH + 1)}, id="variables-too-deep"
        ),
    ],
)
async def test_a_get_with_a_bad_query_string_is_400_bad_request(bff: Bff, params: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {bff.token()}"}
    async with bff.http.get(f"{bff.url}/graphql", params=params, headers=headers) as response:
        assert (response.status, refusal_code(await response.json())) == (400, "BAD_REQUEST")


async def test_a_get_query_still_runs(bff: Bff) -> None:
    headers = {"Authorization": f"Bearer {bff.token()}"}
    async with bff.http.get(
        f"{bff.url}/graphql", params={"query": "{ viewer { code } }"}, headers=headers
    ) as r:
        answer = await r.json()
        assert (r.status, answer["data"], "errors" in answer) == (200, {"viewer": {"code": "GD-BOTH"}}, False)


@pytest.mark.parametrize("path", ["/graphql", "/webhooks/webank"])
async def test_a_body_declared_larger_than_the_limit_is_413_before_it_is_sent(bff: Bff, path: str) -> None:
    limit = bff.settings.max_body_bytes
    # The client announces the length and waits for the answer; the server never reads the body.
    reader, writer = await _connect(bff)
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {limit + 1}\r\n\r\n".encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 ")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        answer = json.loads(await reader.readexactly(length))
    finally:
        writer.close()
    # each in the shape its callers read: GraphQL errors for clients, `{"code"}` for the bank
    if path == "/graphql":
        assert refusal_code(answer) == "PAYLOAD_TOO_LARGE"
    else:
        assert answer["code"] == "PAYLOAD_TOO_LARGE"
        assert answer["message"]


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(bff: Bff) -> None:
    limit = bff.settings.max_body_bytes
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"query": "{ viewer { code } }", "variables": {"pad": "'
        while sent < 4 * limit:
            sent += 16384
            yield b"x" * 16384
        yield b'"}}'

    headers = {**JSON, "Authorization": f"Bearer {bff.token()}"}
    try:
        async with bff.http.post(f"{bff.url}/graphql", data=chunks(), headers=headers) as response:
            status, answer = response.status, await response.json()
    except aiohttp.ClientError:  # the server may close before the client has sent everything
        pytest.fail("the server should answer 413 before closing")
    assert (status, refusal_code(answer)) == (413, "PAYLOAD_TOO_LARGE")


async def test_a_body_just_under_the_limit_is_read(bff: Bff) -> None:
    pad = "x" * (bff.settings.max_body_bytes - 200)
    body = json.dumps({"query": "{ viewer { code } }", "variables": {"pad": pad}}).encode()
    status, answer = await post_raw(bff, body)
    assert (status, answer["data"], "errors" in answer) == (200, {"viewer": {"code": "GD-BOTH"}}, False)


async def _connect(bff: Bff) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(bff.url)
    return await asyncio.open_connection(parts.hostname, parts.port)
