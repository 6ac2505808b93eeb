"""What a query selects below the current field, so a resolver can skip reads nobody asked for."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from strawberry.types.nodes import SelectedField, Selection

from bff.schema.context import Info

__all__ = ["selected_names"]


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # a fragment spread or inline fragment: its fields, whatever its type condition
            yield from _fields(selection.selections)


def selected_names(info: Info, path: Sequence[str] = ()) -> frozenset[str]:
    """Names of the fields selected at `path` below the current field (`("edges", "node")` for a
    connection's nodes), through fragments. Conservative: a field under `@skip`/`@include` counts as
    selected, and so does any field of a fragment on another type."""
    fields = list(_fields(info.selected_fields))
    for name in path:
        fields = [child for field in fields for child in _fields(field.selections) if child.name == name]
    return frozenset(child.name for field in fields for child in _fields(field.selections))
