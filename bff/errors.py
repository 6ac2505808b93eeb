"""The exception tree. Every error a client may see carries a stable `code` (GraphQL `extensions.code`).

    BffError
    ├── AuthenticationError        UNAUTHENTICATED   no, malformed, expired or wrongly signed token
    ├── ForbiddenError             FORBIDDEN         authenticated, but not allowed (e.g. operator-only)
    ├── InvalidInputError          INVALID_INPUT     malformed or out-of-range argument: id, cursor, date, page size
    ├── NotFoundError              NOT_FOUND         a record the request depends on does not exist
    ├── UpstreamError              UPSTREAM_UNAVAILABLE   mall, MRO or WeBank failed; `system` names which
    │   ├── UpstreamUnavailableError                    timeout, refused connection, 5xx
    │   └── UpstreamResponseError                       answered, but with an error or a shape we cannot read
    └── QueryRefusedError          refused before anything ran, for the request's size, cost or budget
        ├── FirstTooLargeError     FIRST_TOO_LARGE      a connection's `first` above 100
        ├── QueryTooComplexError   QUERY_TOO_COMPLEX    static cost above BFF_MAX_QUERY_COST (`cost`, `maxCost`)
        ├── TooManyMutationsError  TOO_MANY_MUTATIONS   more mutation fields in one request than allowed
        └── ThrottledError         THROTTLED            the caller's budget is spent (`retryAfter` seconds)

Request errors found by graphql-core before anything runs get GRAPHQL_PARSE_FAILED (syntax),
QUERY_TOO_LARGE (more than BFF_MAX_QUERY_TOKENS tokens), GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT
(see `bff.schema.errors`). Every response's `extensions.cost` reports the operation's cost and budget.

Business refusals (not eligible, limit exhausted, …) are not exceptions of this tree: they are `userErrors`
data in mutation payloads. Anything outside this tree is masked before it reaches a client.
"""

from __future__ import annotations


class BffError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationError(BffError):
    code = "UNAUTHENTICATED"


class ForbiddenError(BffError):
    code = "FORBIDDEN"


class InvalidInputError(BffError):
    # The word the mutations' `userErrors` use for the same thing; BAD_USER_INPUT stays what graphql-core
    # reports for a variable that does not fit its declared type.
    code = "INVALID_INPUT"


class NotFoundError(BffError):
    code = "NOT_FOUND"


class UpstreamError(BffError):
    code = "UPSTREAM_UNAVAILABLE"

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system


class UpstreamUnavailableError(UpstreamError):
    """The upstream did not answer in time, refused the connection, or failed with a 5xx."""


class UpstreamResponseError(UpstreamError):
    """The upstream answered with an error, or with a body this adapter cannot read."""

    def __init__(
        self, system: str, message: str, *, status: int | None = None, upstream_code: str | None = None
    ) -> None:
        super().__init__(system, message)
        self.status = status
        # The upstream's own error code (e.g. WeBank's `INVALID_STATISTICS`), when its answer named one.
        self.upstream_code = upstream_code


class QueryRefusedError(BffError):
    """Refused before execution; `extensions` go to the client next to the code (e.g. `retryAfter`)."""

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.extensions = extensions


class FirstTooLargeError(QueryRefusedError):
    code = "FIRST_TOO_LARGE"


class QueryTooComplexError(QueryRefusedError):
    code = "QUERY_TOO_COMPLEX"


class TooManyMutationsError(QueryRefusedError):
    code = "TOO_MANY_MUTATIONS"


class ThrottledError(QueryRefusedError):
    code = "THROTTLED"
