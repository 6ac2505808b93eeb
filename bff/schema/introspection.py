"""Introspection only where it is turned on (`BFF_INTROSPECTION=true`; `bff demo` turns it on).

A production graph need not hand its whole schema to anyone who asks. The check adds one error,
`INTROSPECTION_DISABLED`, to the operation's pre-execution errors, so nothing runs. strawberry reads those
errors before the `on_validate` hooks resume, so the error is added before validation, and the extension
must come after any extension that sets the validation result itself (`ValidationCache` overwrites it). `__typename` stays
allowed: clients (Apollo, Relay) add it everywhere.

Cost: a document is walked only when its text names `__schema` or `__type`, which it must to introspect;
the walk visits each node of the document once (fragments are not followed, they are visited as
definitions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import DocumentNode, FieldNode, GraphQLError, Visitor, visit
from graphql.language import VisitorAction
from strawberry.extensions import SchemaExtension

from bff.config import Settings

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_MENTIONS_INTROSPECTION = re.compile(r"__(schema|type)\b")


class _FindIntrospection(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: FieldNode | None = None

    def enter_field(self, node: FieldNode, *_: object) -> VisitorAction:
        if node.name.value in INTROSPECTION_FIELDS:
            self.found = node
            return self.BREAK
        return None


def introspection_field(document: DocumentNode) -> FieldNode | None:
    finder = _FindIntrospection()
    visit(document, finder)
    return finder.found


class IntrospectionGate(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        if error := self._refusal():
            context = self.execution_context
            context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield

    def _refusal(self) -> GraphQLError | None:
        context = self.execution_context
        settings: Settings | None = getattr(context.context, "settings", None)
        if settings is None or settings.introspection:
            return None
        if context.graphql_document is None or not _MENTIONS_INTROSPECTION.search(context.query or ""):
            return None
        field = introspection_field(context.graphql_document)
        if field is None:
            return None
        return GraphQLError(
            "Introspection is disabled on this server.",
            nodes=[field],
            extensions={"code": "INTROSPECTION_DISABLED"},
        )
