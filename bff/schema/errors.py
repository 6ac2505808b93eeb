"""Every error that leaves the graph has a stable `extensions.code`; nothing unexpected leaks.

- errors this project raised on purpose (`bff.errors.BffError`) keep their message and code;
- request errors graphql-core found before execution (syntax, validation, variable coercion) keep their
  message, which describes the client's own request, and get GRAPHQL_PARSE_FAILED (QUERY_TOO_LARGE for a
  document over the token limit), GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT (or the code a validation
  rule or refusal of ours already gave them: cost, introspection);
- a `RecursionError` (a document shaped to exhaust the interpreter's stack) is the request's fault too:
  QUERY_TOO_COMPLEX, never an internal error;
- the database not answering (a timeout, a lost connection) becomes DATABASE_UNAVAILABLE;
- anything else is replaced by "Internal server error." with INTERNAL_SERVER_ERROR and the request id.

Logging: a refusal is the client's business, not an incident. The refusals of one operation are logged in
one INFO line (how many of each code, and the first message), never with a traceback; a database outage is
one ERROR line per error; only an unexpected error is logged at ERROR with its traceback and request id.
strawberry's own logger (`strawberry.execution`) would log every error at ERROR with a traceback, so it is
told to leave the expected ones to this extension.
"""

from __future__ import annotations

import logging
from collections import Counter

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from bff.db import UNAVAILABLE_ERRORS
from bff.errors import BffError, UpstreamError
from bff.schema.document_cache import is_token_limit

logger = logging.getLogger("bff.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
MESSAGE_LOG_LIMIT = 200


_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (BffError, *UNAVAILABLE_ERRORS)


def _expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, _EXPECTED_ERRORS)


class _LeaveExpectedErrorsToCodedErrors(logging.Filter):
    """strawberry's record of an error `CodedErrors` logs itself: expected ones (never an incident) and
    unexpected ones inside a field (logged there with the request id; a second copy helps nobody)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        return not (isinstance(error, GraphQLError) and (_expected(error) or error.path is not None))


logging.getLogger("strawberry.execution").addFilter(_LeaveExpectedErrorsToCodedErrors())


def _with_code(error: GraphQLError, code: str, message: str | None = None, **extra: str) -> GraphQLError:
    return GraphQLError(
        message=error.message if message is None else message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **extra, "code": code},
    )


class CodedErrors(MaskErrors):
    """Errors with codes, masked where unexpected; built per operation (strawberry instantiates the class)."""

    def _process_result(self, result: object) -> None:
        # MaskErrors asks `isinstance(result, <runtime Protocol>)`, which walks the protocol's members on
        # every call: 8 % of the server's time when an event reaches 1,000 subscribers. Any result that can
        # carry errors has them as an attribute.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = [self._process(error) for error in errors]
        refusals = [error for error in processed if _code(error) not in (INTERNAL, DATABASE_UNAVAILABLE)]
        if refusals:
            counts = Counter(_code(error) for error in refusals)
            logger.info(
                "request %s refused: %s; first: %r",
                self._request_id() or "-",
                ", ".join(f"{code} x{count}" for code, count in counts.most_common()),
                refusals[0].message[:MESSAGE_LOG_LIMIT],
            )
        return processed

    def _process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, BffError):
            if isinstance(original, UpstreamError):
                return _with_code(error, original.code, system=original.system)
            return _with_code(error, original.code)
        if isinstance(original, RecursionError):
            return _with_code(
                error, "QUERY_TOO_COMPLEX", "The query is nested or repeated too much to be run."
            )
        if error.path is None and original is None:
            if isinstance((error.extensions or {}).get("code"), str):
                # refused by this project before execution (a validation rule, `cost_limit.refusal`, the
                # introspection gate): kept whole, with extensions such as `cost` and `maxCost`
                return error
            if error.message.startswith("Syntax Error"):
                code = "QUERY_TOO_LARGE" if is_token_limit(error) else "GRAPHQL_PARSE_FAILED"
            else:
                code = "GRAPHQL_VALIDATION_FAILED"
            return _with_code(error, code)
        request_id = self._request_id()
        where = ".".join(map(str, error.path)) if error.path else "the operation"
        if isinstance(original, UNAVAILABLE_ERRORS):
            logger.error(
                "database unavailable in %s (request %s): %s", where, request_id, type(original).__name__
            )
            return _with_code(
                error, DATABASE_UNAVAILABLE, "The database did not answer; retry later.", requestId=request_id
            )
        if error.path is None:
            return _with_code(error, "BAD_USER_INPUT")
        logger.error("unexpected error in %s (request %s)", where, request_id, exc_info=original)
        return _with_code(error, INTERNAL, "Internal server error.", requestId=request_id)

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "") or "")


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", ""))
