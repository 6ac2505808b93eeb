"""The breaking-change check: each breaking change to schema.graphql must be named in CHANGELOG.md."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bff.schema_changes import (
    SchemaCheckError,
    breaking_changes,
    check,
    coordinate,
    find_base,
    unnamed,
    unreleased_breaking_coordinates,
)

OLD = """
type Query { loan(id: ID!): Loan  loans(first: Int): [Loan!]! }
type Loan { loanNo: String!  status: LoanStatus!  url: String  kind: String }
enum LoanStatus { PROCESSING DISBURSED FAILED }
union Thing = Loan | Extra
type Extra { x: Int }
"""
NEW = """
type Query { loan(id: ID!, asOf: String!): Loan  loans: [Loan!]! }
type Loan { loanNo: String!  status: LoanStatus!  kind: Int }
enum LoanStatus { PROCESSING DISBURSED }
union Thing = Loan
type Extra { x: Int }
"""
CHANGELOG = """# Changelog

## Unreleased

- BREAKING: `Loan.url` removed: download through `Document.downloadUrl`.
- BREAKING: `LoanStatus.FAILED` removed,
  and `Loan.kind` is an Int now.
- `Query.loans(first:)` is gone (no breaking mark, so it does not count).

## 1.0.0

- BREAKING: `Query.loan(asOf:)` (an old release's bullet does not count).
"""


def test_each_breaking_change_has_a_schema_coordinate() -> None:
    found = sorted(coordinate(change) for change in breaking_changes(OLD, NEW))
    assert found == [
        "Loan.kind",
        "Loan.url",
        "LoanStatus.FAILED",
        "Query.loan(asOf:)",
        "Query.loans(first:)",
        "Thing",
    ]


def test_safe_changes_are_not_breaking() -> None:
    added = OLD.replace("kind: String }", "kind: String  amount: Float }").replace(
        "FAILED }", "FAILED SETTLED }"
    )
    assert breaking_changes(OLD, added) == []


def test_only_backticked_names_in_unreleased_breaking_bullets_count() -> None:
    assert unreleased_breaking_coordinates(CHANGELOG) == {
        "Loan.url",
        "Document.downloadUrl",
        "LoanStatus.FAILED",
        "Loan.kind",
    }


def test_changes_the_changelog_does_not_name_are_reported() -> None:
    left = sorted(coordinate(change) for change in unnamed(breaking_changes(OLD, NEW), CHANGELOG))
    assert left == ["Query.loan(asOf:)", "Query.loans(first:)", "Thing"]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "schema.graphql").write_text(OLD, encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_a_branch_is_compared_with_its_merge_base_with_main(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "schema.graphql").write_text(OLD.replace("  url: String", ""), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "drop url")
    problems = check(repo, {})
    assert len(problems) == 1
    assert "FIELD_REMOVED" in problems[0]
    assert "- BREAKING: `Loan.url`" in problems[0]
    assert "merge-base with main" in problems[0]
    # named in the changelog: passes
    (repo / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    assert check(repo, {}) == []


def test_on_main_the_last_commit_is_checked(repo: Path) -> None:
    (repo / "schema.graphql").write_text(OLD.replace("FAILED }", "}"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "drop FAILED")
    assert find_base(repo, {}).name.startswith("HEAD~1")
    [problem] = check(repo, {})
    assert "`LoanStatus.FAILED`" in problem


def test_bff_schema_base_names_a_revision_or_a_file(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (repo / "schema.graphql").write_text(NEW, encoding="utf-8")  # uncommitted changes are checked too
    assert len(check(repo, {"BFF_SCHEMA_BASE": "HEAD"})) == 6
    older = tmp_path_factory.mktemp("base") / "old.graphql"
    older.write_text(NEW, encoding="utf-8")
    assert check(repo, {"BFF_SCHEMA_BASE": str(older)}) == []


def test_a_base_missing_from_the_clone_is_an_error_not_a_pass(repo: Path) -> None:
    with pytest.raises(SchemaCheckError, match="not in this clone"):
        check(repo, {"BFF_SCHEMA_BASE": "0123456789abcdef0123456789abcdef01234567"})
    with pytest.raises(SchemaCheckError, match="HEAD~1"):
        check(repo, {})  # one commit only, on main: no HEAD~1


def test_a_schema_file_new_at_the_base_has_nothing_to_break(repo: Path) -> None:
    git(repo, "rm", "-q", "schema.graphql")
    git(repo, "commit", "-q", "-m", "no schema")
    (repo / "schema.graphql").write_text(NEW, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "schema again")
    assert check(repo, {}) == []
