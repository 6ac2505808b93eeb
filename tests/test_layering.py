"""Imports point one way: schema → resolvers → loaders → integrations; domain knows no GraphQL or HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bff"

# For each layer: the bff packages it must never import.
FORBIDDEN = {
    "domain": (
        "bff.schema",
        "bff.resolvers",
        "bff.loaders",
        "bff.integrations",
        "bff.app",
        "bff.context",
        "bff.graphql_app",
        "bff.models",
        "bff.db",
    ),
    "integrations": ("bff.schema", "bff.resolvers", "bff.loaders", "bff.app", "bff.context", "bff.models"),
    "loaders": ("bff.schema", "bff.resolvers", "bff.app", "bff.context"),
    "resolvers": ("bff.schema", "bff.app", "bff.graphql_app"),
    # The outbox delivers typed pushes through the WeBank client; the mutations call it, not the reverse.
    "outbox": ("bff.schema", "bff.resolvers", "bff.loaders", "bff.app", "bff.context", "bff.notifications"),
    # Inbound only: the bank's notifications. What our own pushes answer is the outbox's (`outbox.results`).
    "notifications": ("bff.schema", "bff.resolvers", "bff.app", "bff.context", "bff.outbox"),
}
FORBIDDEN_LIBRARIES = {
    "domain": ("strawberry", "graphql", "aiohttp", "starlette", "tortoise"),
    "integrations": ("strawberry", "graphql", "starlette", "tortoise"),
    "loaders": ("strawberry", "graphql"),
    "resolvers": ("strawberry", "graphql"),
    "outbox": ("strawberry", "graphql"),
    "notifications": ("strawberry", "graphql"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    violations = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            banned = FORBIDDEN[layer] + FORBIDDEN_LIBRARIES[layer]
            if any(module == b or module.startswith(b + ".") for b in banned):
                violations.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert violations == []
