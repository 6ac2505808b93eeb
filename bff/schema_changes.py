"""The breaking-change check: `schema.graphql` against its base version, each breaking change named in
`CHANGELOG.md`.

A client built against the base keeps working unless a change breaks it (a removed type, field, argument or
enum value, a changed type, a new required argument…: graphql-core's `find_breaking_changes`). Such a change
is allowed only when `CHANGELOG.md` has a bullet with `BREAKING` and the change's schema coordinate in
backticks under `## Unreleased`, e.g.

    - BREAKING: `Loan.documents` now returns `[Document!]!` …

The base is `BFF_SCHEMA_BASE` (a git revision, or a file), else the merge-base with `main`, else `HEAD~1`
(also when HEAD is the merge-base, i.e. on main itself). Run: `python -m bff.schema_changes` (scripts/check).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from graphql import BreakingChange, BreakingChangeType, build_schema, find_breaking_changes

SCHEMA_FILE = "schema.graphql"
CHANGELOG_FILE = "CHANGELOG.md"
MAIN_BRANCHES = ("main", "origin/main")
_COORDINATE = re.compile(r"@?[_A-Za-z]\w*(?:\.[_A-Za-z]\w*)?(?:\([_A-Za-z]\w*:\))?")
# graphql-core's descriptions start with the coordinate after one of these (e.g. "Field Loan.kind was removed.")
_LEADS = (
    "A required argument ",
    "A required field ",
    "Standard scalar ",
    "Enum value ",
    "Argument ",
    "Field ",
    "Repeatable flag was removed from ",
)
_BACKTICKED = re.compile(r"`([^`]+)`")


class SchemaCheckError(Exception):
    """The check could not run (no base version to compare with)."""


@dataclass(frozen=True, slots=True)
class Base:
    sdl: str | None  # None: the schema file did not exist there (nothing to break)
    name: str


def coordinate(change: BreakingChange) -> str:
    """The schema coordinate a breaking change is about: `Type`, `Type.field`, `Type.field(arg:)`, `@dir`."""
    text = change.description
    if change.type in (
        BreakingChangeType.TYPE_REMOVED_FROM_UNION,
        BreakingChangeType.DIRECTIVE_LOCATION_REMOVED,
    ):
        return text.rstrip(".").rsplit(" ", 1)[1]  # "X was removed from union type U." → U
    for lead in _LEADS:
        if text.startswith(lead):
            text = text[len(lead) :]
            break
    found = _COORDINATE.match(text)
    return found.group(0) if found else change.description


def breaking_changes(old_sdl: str, new_sdl: str) -> list[BreakingChange]:
    return find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))


def unreleased_breaking_coordinates(changelog: str) -> set[str]:
    """Backticked names in `BREAKING` bullets of the `## Unreleased` section (the whole file if it has none)."""
    section = changelog
    heading = re.search(r"^## +Unreleased\b.*$", changelog, flags=re.MULTILINE | re.IGNORECASE)
    if heading:
        rest = changelog[heading.end() :]
        following = re.search(r"^## ", rest, flags=re.MULTILINE)
        section = rest[: following.start()] if following else rest
    names: set[str] = set()
    bullet: list[str] = []
    for line in [*section.splitlines(), "- "]:
        if re.match(r"\s*[-*] ", line) or not line.strip():
            text = " ".join(bullet)
            if "BREAKING" in text:
                names.update(_BACKTICKED.findall(text))
            bullet = [line] if line.strip() else []
        else:
            bullet.append(line)  # a bullet's continuation line
    return names


def unnamed(changes: list[BreakingChange], changelog: str) -> list[BreakingChange]:
    named = unreleased_breaking_coordinates(changelog)
    return [change for change in changes if coordinate(change) not in named]


def _git(root: Path, *args: str) -> str | None:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else None


def _rev(root: Path, rev: str) -> str | None:
    out = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return out.strip() if out else None


def _at(root: Path, rev: str, name: str) -> Base:
    commit = _rev(root, rev)
    if commit is None:
        raise SchemaCheckError(
            f"the base revision {rev!r} is not in this clone (a shallow clone? fetch more)"
        )
    sdl = _git(root, "show", f"{commit}:{SCHEMA_FILE}")
    return Base(sdl, f"{name} ({commit[:10]})")


def find_base(root: Path, environ: dict[str, str] | os._Environ[str] = os.environ) -> Base:
    """The version of schema.graphql to compare with (see the module docstring)."""
    given = environ.get("BFF_SCHEMA_BASE", "").strip()
    if given:
        path = Path(given)
        if path.is_file():
            return Base(path.read_text(encoding="utf-8"), str(path))
        return _at(root, given, f"BFF_SCHEMA_BASE={given}")
    head = _rev(root, "HEAD")
    if head is None:
        raise SchemaCheckError("not a git checkout with a commit: set BFF_SCHEMA_BASE to a file or revision")
    for branch in MAIN_BRANCHES:
        if _rev(root, branch) is None:
            continue
        merge_base = _git(root, "merge-base", "HEAD", branch)
        if merge_base and merge_base.strip() != head:
            return _at(root, merge_base.strip(), f"merge-base with {branch}")
        break
    return _at(root, "HEAD~1", "HEAD~1")


def check(root: Path, environ: dict[str, str] | os._Environ[str] = os.environ) -> list[str]:
    """Problems to report: one line per breaking change CHANGELOG.md does not name (empty: all good)."""
    base = find_base(root, environ)
    if base.sdl is None:
        return []
    current = (root / SCHEMA_FILE).read_text(encoding="utf-8")
    changelog_path = root / CHANGELOG_FILE
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else ""
    return [
        f"{change.type.name}: {change.description} Name it in {CHANGELOG_FILE} under '## Unreleased': "
        f"- BREAKING: `{coordinate(change)}` <what changed and why> (compared with {base.name})"
        for change in unnamed(breaking_changes(base.sdl, current), changelog)
    ]


def main() -> int:
    root = Path.cwd()
    try:
        problems = check(root)
    except SchemaCheckError as exc:
        print(f"schema check: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"schema check: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
