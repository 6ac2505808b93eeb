"""Imports point one way: schema → resolvers → loaders → integrations; domain knows no GraphQL or HTTP;
the sandbox stands apart from bff, sharing only the signing protocol."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bff"
SANDBOX = PACKAGE.parent / "bff_sandbox"
# The one bff module a real partner shares with us: the request-signing protocol. Everything else the
# sandbox computes on its own, so that it checks bff rather than agreeing with it.
SHARED_WITH_SANDBOX = "bff.signing"

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
    # Upstream reads go through loaders; what bank notifications do, resolvers reach through `bff.store`.
    "resolvers": ("bff.schema", "bff.app", "bff.graphql_app", "bff.integrations", "bff.notifications"),
    # Background and webhook code runs outside any GraphQL request.
    "workers": ("bff.schema", "bff.resolvers"),
    # The outbox delivers typed pushes through the WeBank client; the mutations call it, not the reverse.
    "outbox": ("bff.schema", "bff.resolvers", "bff.loaders", "bff.app", "bff.context", "bff.notifications"),
    # Inbound only: the bank's notifications. What our own pushes answer is the outbox's (`outbox.results`).
    "notifications": ("bff.schema", "bff.resolvers", "bff.app", "bff.context", "bff.outbox"),
    "webhooks": ("bff.schema", "bff.resolvers"),
    # Reconciliation runs from the CLI, the workers and a resolver: it must not reach back into them.
    "reconcile": ("bff.schema", "bff.resolvers", "bff.app", "bff.context", "bff.graphql_app", "bff.workers"),
    # Shared by all of the above, so it may use none of them.
    "store": (
        "bff.schema",
        "bff.resolvers",
        "bff.loaders",
        "bff.integrations",
        "bff.notifications",
        "bff.outbox",
        "bff.app",
        "bff.context",
    ),
}
FORBIDDEN_LIBRARIES = {
    "domain": ("strawberry", "graphql", "aiohttp", "starlette", "tortoise"),
    "integrations": ("strawberry", "graphql", "starlette", "tortoise"),
    "loaders": ("strawberry", "graphql"),
    "resolvers": ("strawberry", "graphql"),
    "workers": ("strawberry", "graphql"),
    "notifications": ("strawberry", "graphql"),
    "outbox": ("strawberry", "graphql"),
    "webhooks": ("strawberry", "graphql"),
    "reconcile": ("strawberry", "graphql"),
    "store": ("strawberry", "graphql", "aiohttp", "starlette"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from bff import notifications` imports the package `bff.notifications`.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_files(layer: str) -> list[Path]:
    """A layer is a package (`bff/<layer>/`) or a single module (`bff/<layer>.py`)."""
    package = PACKAGE / layer
    files = sorted(package.rglob("*.py")) if package.is_dir() else [PACKAGE / f"{layer}.py"]
    assert all(path.is_file() for path in files), f"no layer {layer}"
    return files


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    violations = []
    for path in layer_files(layer):
        for module in imported_modules(path):
            banned = FORBIDDEN[layer] + FORBIDDEN_LIBRARIES[layer]
            if any(module == b or module.startswith(b + ".") for b in banned):
                violations.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert violations == []


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_sandbox_shares_only_the_signing_protocol_with_bff() -> None:
    violations = [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in sorted(SANDBOX.rglob("*.py"))
        for module in imported_modules(path)
        if _is(module, "bff") and not _is(module, SHARED_WITH_SANDBOX)
    ]
    assert violations == []


def test_the_signing_protocol_depends_on_no_other_bff_module() -> None:
    path = PACKAGE / "signing.py"
    assert sorted(m for m in imported_modules(path) if _is(m, "bff") or _is(m, "bff_sandbox")) == []


def test_only_the_cli_loads_the_sandbox() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if any(_is(module, "bff_sandbox") for module in imported_modules(path))
    )
    assert importers == ["bff/cli.py"]


def test_state_changes_reach_subscribers_only_through_tell() -> None:
    # One place decides who is told (`bff.events.changes.tell`): a direct publish would skip its payload
    # shape and its never-fail guarantee.
    publishers = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if "broker.publish(" in path.read_text(encoding="utf-8")
    )
    assert publishers == ["bff/events/changes.py"]
