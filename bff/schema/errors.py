"""Every error that leaves the graph has a stable `extensions.code`; nothing unexpected leaks.

- errors this project raised on purpose (`bff.errors.BffError`) keep their message and code;
- request errors graphql-core found before execution (syntax, validation, variable coercion) keep their
  message, which describes the client's own request, and get GRAPHQL_PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT;
- anything else is replaced by "Internal server error." with INTERNAL_SERVER_ERROR and the request id,
  and logged with its traceback.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from bff.errors import BffError, UpstreamError

logger = logging.getLogger("bff.graphql")


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

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._process(error) for error in errors]

    def _process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, BffError):
            if isinstance(original, UpstreamError):
                return _with_code(error, original.code, system=original.system)
            return _with_code(error, original.code)
        if error.path is None:
            if original is None:
                code = (
                    "GRAPHQL_PARSE_FAILED"
                    if error.message.startswith("Syntax Error")
                    else "GRAPHQL_VALIDATION_FAILED"
                )
                return _with_code(error, code)
            return _with_code(error, "BAD_USER_INPUT")
        request_id = self._request_id()
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(map(str, error.path)),
            request_id,
            exc_info=original,
        )
        return _with_code(error, "INTERNAL_SERVER_ERROR", "Internal server error.", requestId=request_id)

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "") or "")
