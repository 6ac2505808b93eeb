"""An unexpected error is masked for the client and logged once, with its traceback and the request id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
import strawberry

from bff.errors import NotFoundError
from bff.schema.errors import CodedErrors


@dataclass
class RequestContext:
    request_id: str


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a bug, with internals: /srv/secret.py")

    @strawberry.field
    def missing(self) -> str:
        raise NotFoundError("No such thing.")


SCHEMA = strawberry.Schema(query=Query, extensions=[CodedErrors])


async def test_an_unexpected_error_is_masked_and_logged_once_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        result = await SCHEMA.execute("{ broken }", context_value=RequestContext("req-1"))

    assert result.errors is not None
    (error,) = [e.formatted for e in result.errors]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "req-1" in errors[0].getMessage()
    assert errors[0].exc_info is not None


async def test_an_expected_refusal_is_one_info_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        result = await SCHEMA.execute("{ missing }", context_value=RequestContext("req-2"))

    assert result.errors is not None
    assert [e.formatted["extensions"]["code"] for e in result.errors] == ["NOT_FOUND"]
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert caplog.records[0].exc_info is None
