"""What an HTTP request must look like before the graph or the webhook spends anything on it.

- `BodyLimit`: a body over `BFF_MAX_BODY_BYTES` is answered 413 before it is read: at once when
  `Content-Length` says so, else as soon as the streamed (chunked) bytes pass the limit.
- `checked_request_json`: a GraphQL request body (or the `variables`/`extensions` of a GET) must be a JSON
  object, at most `MAX_JSON_DEPTH` levels deep, whose strings PostgreSQL can store (no NUL, no lone
  surrogate from a `\\ud800` escape). Anything else is the client's mistake, answered 400 `BAD_REQUEST`,
  never a 500 from deep inside a resolver or the database driver.
- `error_response`: the one shape of these refusals, `{"errors":[{"message","extensions":{"code"}}]}`,
  the same as a GraphQL error so that clients read every refusal the same way.
"""

from __future__ import annotations

import json

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Real requests nest a few levels (an input object holding a list); 32 leaves room and stops a
# 5,000-deep `variables` before anything recursive walks it.
MAX_JSON_DEPTH = 32

STATUS_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
}


def error_response(status: int, message: str, code: str | None = None) -> JSONResponse:
    extensions = {"code": code or STATUS_CODES.get(status, "BAD_REQUEST")}
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status)


class BadRequestBody(ValueError):
    """The body is JSON, but not a request this server takes; the message says why."""


def decode_json_text(data: str | bytes) -> object:
    """`json.loads` that fails only with `JSONDecodeError`: bytes must be UTF-8, and nesting so deep that the
    parser would recurse past Python's limit is a decoding failure, not a `RecursionError`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"not UTF-8 ({exc.reason})", "", exc.start) from None
    try:
        return json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", data, 0) from None


def checked_request_json(value: object) -> dict[str, object]:
    """`value` if it is a JSON object a GraphQL request may be; raises `BadRequestBody` otherwise."""
    if not isinstance(value, dict):
        raise BadRequestBody("The request body must be a JSON object with a string `query`.")
    # Iterative, so that checking depth cannot itself recurse too deeply.
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_string(item)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadRequestBody(f"The request is nested deeper than {MAX_JSON_DEPTH} levels.")
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return value


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise BadRequestBody("Strings in the request must not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequestBody("Strings in the request must be valid Unicode (no lone surrogates).") from None


class _TooLarge(Exception):
    pass


WEBHOOK_PATH_PREFIX = "/webhooks/"


class BodyLimit:
    """ASGI middleware: refuse request bodies over `max_bytes` with 413, without reading them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_length(scope) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:  # pragma: no cover - every route here reads its body before answering
                raise
            await self._refuse(scope, receive, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0  # the server (h11, httptools) refuses a malformed length itself
        return 0

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        if str(scope.get("path", "")).startswith(WEBHOOK_PATH_PREFIX):
            # The bank reads answers in its own shape (`{"code", "message"}`), not GraphQL's.
            response = JSONResponse({"code": "PAYLOAD_TOO_LARGE", "message": message}, status_code=413)
            await response(scope, receive, send)
            return
        await error_response(413, message)(scope, receive, send)
