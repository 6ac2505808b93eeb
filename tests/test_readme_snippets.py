"""Every GraphQL snippet of the README and docs/frontend.md parses and validates against schema.graphql as
pasted (a snippet without its braces once answered `Syntax Error: Unexpected Name 'viewer'`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
FENCE = re.compile(r"^ *```graphql\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
SNIPPETS = [
    (f"{name}#{i}", block)
    for name in ("README.md", "docs/frontend.md", "docs/graph.md")
    if (ROOT / name).exists()
    for i, block in enumerate(FENCE.findall((ROOT / name).read_text(encoding="utf-8")))
]


def test_the_readme_has_graphql_snippets() -> None:
    assert len([name for name, _ in SNIPPETS if name.startswith("README")]) >= 5


@pytest.mark.parametrize("snippet", [block for _, block in SNIPPETS], ids=[name for name, _ in SNIPPETS])
def test_each_snippet_is_valid_as_pasted(snippet: str) -> None:
    assert [error.message for error in validate(SCHEMA, parse(snippet))] == []
