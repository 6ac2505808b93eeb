"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list of `operations/`.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` (POST, a GET's `extensions` parameter,
or a websocket `subscribe` payload), with or without the document:

- the hash alone: the document registered under it runs; unknown → `PERSISTED_QUERY_NOT_FOUND`, and the
  client sends it again with the document (Apollo's link does this by itself);
- the hash and the document: the hash must be the SHA-256 of the document (else
  `PERSISTED_QUERY_HASH_MISMATCH`); the document runs and is registered.

The documents of `operations/` are registered from the start (`bff operations` prints their hashes). With
`BFF_PERSISTED_ONLY=true` only they run, by hash or by text: any other document, and registering one, is
refused with `PERSISTED_QUERY_NOT_IN_LIST`. Registrations live in the process (an LRU of `CAPACITY`); a
client that meets another process just registers again.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

from bff.operations import Operation, sha256_of

CAPACITY = 5000
_SHA256 = re.compile(r"[0-9a-f]{64}")

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions run over the websocket at /graphql (protocol graphql-transport-ws), not over HTTP: "
    "open a websocket and send the subscription in a `subscribe` message."
)


class PersistedQueryError(Exception):
    """A refusal in the GraphQL error shape: `code` for `extensions.code`, `status` for HTTP."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    @property
    def error(self) -> dict[str, object]:
        return {"message": self.message, "extensions": {"code": self.code}}


# Apollo's clients recognise these messages (and the codes), and retry with the document on NOT_FOUND.
def _not_found() -> PersistedQueryError:
    return PersistedQueryError(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", 200)


def _mismatch() -> PersistedQueryError:
    return PersistedQueryError(
        PERSISTED_QUERY_HASH_MISMATCH,
        "provided sha does not match query: sha256Hash must be the document's",
        400,
    )


def _not_in_list() -> PersistedQueryError:
    return PersistedQueryError(
        PERSISTED_QUERY_NOT_IN_LIST,
        "PersistedQueryNotInList: this server runs only the documents of operations/ (see `bff operations`).",
        400,
    )


class PersistedQueries:
    def __init__(
        self, operations: Iterable[Operation], *, persisted_only: bool, capacity: int = CAPACITY
    ) -> None:
        self.persisted_only = persisted_only
        self._listed = {operation.sha256: operation.text for operation in operations}
        self._registered: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def resolve(self, query: str | None, extensions: Mapping[str, object] | None) -> str | None:
        """The document to run for a request's `query` and `extensions`, or a `PersistedQueryError`."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.persisted_only and query is not None and sha256_of(query) not in self._listed:
                raise _not_in_list()
            return query
        wanted = _hash_of(persisted)
        if query is not None:
            if sha256_of(query) != wanted:
                raise _mismatch()
            if wanted not in self._listed:
                if self.persisted_only:
                    raise _not_in_list()
                self._register(wanted, query)
            return query
        if wanted in self._listed:
            return self._listed[wanted]
        if self.persisted_only:
            raise _not_in_list()
        found = self._registered.get(wanted)
        if found is None:
            raise _not_found()
        self._registered.move_to_end(wanted)
        return found

    def _register(self, sha256: str, query: str) -> None:
        self._registered[sha256] = query
        self._registered.move_to_end(sha256)
        while len(self._registered) > self._capacity:
            self._registered.popitem(last=False)


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "BAD_REQUEST", "`extensions.persistedQuery` must be {version: 1, sha256Hash: <hex>}.", 400
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise PersistedQueryError(
            "BAD_REQUEST", "`persistedQuery.sha256Hash` must be 64 lowercase hexadecimal digits.", 400
        )
    return sha256


def is_subscription(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation a request would run is a subscription (False when it does not parse within
    `max_tokens`: the validation that follows says what is wrong)."""
    if "subscription" not in query:
        return False
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return len(chosen) == 1 and chosen[0].operation is OperationType.SUBSCRIPTION


def refuse_subscription_over_http(query: str | None, operation_name: str | None, max_tokens: int) -> None:
    if query is not None and is_subscription(query, operation_name, max_tokens):
        raise PersistedQueryError("BAD_REQUEST", SUBSCRIPTION_OVER_HTTP, 400)
