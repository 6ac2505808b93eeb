"""Parse and validate each distinct query text once per process, within a token limit and a memory bound.

Portals send the same few documents over and over. A document is parsed with at most
`BFF_MAX_QUERY_TOKENS` tokens (comments included), so that parsing any text costs time linear in that
limit; the same limit is set in strawberry's `parse_options`, so a text that fails here and that
strawberry parses again to report its error is refused the same way (QUERY_TOO_LARGE, see `is_token_limit`).

The cache keeps the document and the outcome of its validation, keyed by the text (and the token limit):
a repeated request neither parses nor validates again. strawberry's `ValidationCache` is not used: it
keys on the document object and the rule classes and keeps documents of its own, beyond this bound.
Bounded by entries and by bytes: a parsed document (with its token list, which locations keep alive)
takes some 64 bytes per character of text (measured with tracemalloc on graphql-core 3.3), so the
cache counts that per entry against `MAX_CACHED_BYTES`. Texts over `MAX_CACHED_QUERY_CHARS` are never
kept: they are not the portal's, and caching them would let distinct large documents fill memory. A text
that does not parse is not cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from bff.context import Context

DOCUMENT_CACHE_SIZE = 512
# The portal's largest document is a few KB; 16 K characters (some 1 MiB parsed) leaves room for more.
MAX_CACHED_QUERY_CHARS = 16 * 1024
AST_BYTES_PER_CHAR = 64
MAX_CACHED_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_QUERY_TOKENS = 5000

_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted."


def is_token_limit(error: GraphQLError) -> bool:
    """Whether a syntax error is graphql-core's refusal of a document over the token limit."""
    return error.message.startswith("Syntax Error: Document contains more than") and error.message.endswith(
        _TOKEN_LIMIT_MESSAGE
    )


@dataclass(slots=True)
class CachedDocument:
    document: DocumentNode
    rules: tuple[type[ASTValidationRule], ...] | None = None
    errors: list[GraphQLError] | None = None


class DocumentLru:
    """Least recently used documents by text, bounded in entries and in (estimated) bytes."""

    def __init__(self, max_entries: int, max_bytes: int, max_entry_chars: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_chars = max_entry_chars
        self._entries: OrderedDict[tuple[str, int], CachedDocument] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, query: str, max_tokens: int) -> CachedDocument | None:
        entry = self._entries.get((query, max_tokens))
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end((query, max_tokens))
        return entry

    def put(self, query: str, max_tokens: int, entry: CachedDocument) -> None:
        if len(query) > self.max_entry_chars or (query, max_tokens) in self._entries:
            return
        self._entries[(query, max_tokens)] = entry
        self._bytes += _size(query)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            (old, _), _ = self._entries.popitem(last=False)
            self._bytes -= _size(old)

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


def _size(query: str) -> int:
    """What a cached document of this text takes (an estimate: the text, its document and tokens)."""
    return len(query) * AST_BYTES_PER_CHAR


DOCUMENTS = DocumentLru(DOCUMENT_CACHE_SIZE, MAX_CACHED_BYTES, MAX_CACHED_QUERY_CHARS)


def max_query_tokens(context: object) -> int:
    return context.settings.max_query_tokens if isinstance(context, Context) else DEFAULT_MAX_QUERY_TOKENS


class DocumentCache(SchemaExtension):
    """Parses (bounded) and validates through `DOCUMENTS`; always validates, so later hooks see the outcome."""

    _entry: CachedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        max_tokens = max_query_tokens(context.context)
        # strawberry's own parse (of a text that failed here) must refuse the same documents.
        context.parse_options["max_tokens"] = max_tokens
        if context.query and context.graphql_document is None:
            entry = DOCUMENTS.get(context.query, max_tokens)
            if entry is None:
                try:
                    entry = CachedDocument(parse(context.query, max_tokens=max_tokens))
                except GraphQLError:
                    # Not cached: strawberry parses it again and reports the error its usual way (with a
                    # code); raising here would skip the error-code extension.
                    entry = None
                else:
                    DOCUMENTS.put(context.query, max_tokens, entry)
            if entry is not None:
                self._entry = entry
                context.graphql_document = entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        rules = context.validation_rules
        entry = self._entry
        if document is not None and context.pre_execution_errors is None:
            if entry is not None and entry.errors is not None and entry.rules == rules:
                errors = list(entry.errors)
            else:
                errors = validate_document(context.schema._schema, document, rules)
                if entry is not None:
                    entry.rules, entry.errors = rules, list(errors)
            context.pre_execution_errors = errors
        yield
