"""Parse each distinct query text once per process (portals send the same few documents over and over).

strawberry's own `ParserCache` raises a syntax error from inside the extension hook, where it skips
the error-code extension; this one leaves a text that does not parse to strawberry, which parses it again
and reports the error its usual way. A cached document also lets `ValidationCache` hit: it is keyed by
the document object.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

DOCUMENT_CACHE_SIZE = 512


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _parse(query: str) -> DocumentNode:
    return parse(query)


class DocumentCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and not context.parse_options:
            # A text that does not parse is not cached: strawberry parses it again and reports the error.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = _parse(context.query)
        yield
