"""Fuzzing the served graph: documents generated from `schema.graphql` (valid ones, and invalid ones), sent
to a real `bff serve` process as a supplier and anonymously. Whatever a client sends, the answer is never
a 5xx, never shows internals (tracebacks, SQL, paths, class names) and comes within a time bound.

The budget is fixed (`derandomize`, a set number of examples per case), so a run costs the same every time
and finds the same things; hypothesis's database is off for the same reason.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import JWT_SECRET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from serve_process import serve_process

from bff.auth import mint_token
from bff_sandbox import RunningSandbox

SCHEMA = (Path(__file__).parents[2] / "schema.graphql").read_text(encoding="utf-8")
ANSWER_SECONDS = 5.0
EXAMPLES = 100
# What must never reach a client: Python tracebacks and paths, SQL and driver names, object reprs.
INTERNALS = (
    "Traceback",
    'File "',
    "site-packages",
    ".py",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "tortoise",
    "asyncpg",
    "aiosqlite",
    "sqlite3",
    " object at 0x",
)
CUSTOM_SCALARS = {
    "Money": st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False).map(nodes.String),
    "Date": st.dates().map(nodes.String),
    "DateTime": st.datetimes().map(lambda value: nodes.String(value.isoformat())),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def served(sandbox: RunningSandbox, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """`bff serve` in its own process on a migrated SQLite copy, over the sandbox upstreams."""
    database = tmp_path / "fuzz.sqlite3"
    shutil.copyfile(sqlite_template, database)
    # the fuzzer is one busy client: a budget it spends would only turn answers into THROTTLED
    with serve_process(
        sandbox, f"sqlite://{database}", tmp_path, cost_budget=str(10**9), log_level="WARNING"
    ) as served:
        yield served.url


def _post(url: str, query: str, token: str | None) -> tuple[int, str, float]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{url}/graphql", data=json.dumps({"query": query}).encode(), headers=headers, method="POST"
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_SECONDS * 4) as response:
            status, body = response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode("utf-8", errors="replace")
    return status, body, time.monotonic() - started


def _check(url: str, query: str, token: str | None) -> dict[str, object]:
    status, body, elapsed = _post(url, query, token)
    assert status < 500, (status, body[:500], query)
    leaked = [marker for marker in INTERNALS if marker in body]
    assert not leaked, (leaked, body[:500], query)
    assert elapsed < ANSWER_SECONDS, (elapsed, query)
    answer = json.loads(body)
    assert isinstance(answer, dict)
    assert "data" in answer or "errors" in answer, answer
    return answer


@pytest.mark.parametrize("as_supplier", [True, False], ids=["supplier", "anonymous"])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_no_document_gets_a_5xx_or_internals_or_a_slow_answer(
    served: str, as_supplier: bool, mode: Mode
) -> None:
    token = mint_token(JWT_SECRET, "GD-BOTH") if as_supplier else None
    answered: list[bool] = []  # whether each answer carried data without errors

    @FUZZ
    @given(query=from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS, mode=mode))
    def check(query: str) -> None:
        answer = _check(served, query, token)
        answered.append(bool(answer.get("data")) and not answer.get("errors"))

    check()
    # the documents reached the resolvers: a good share of a supplier's valid ones answer (the others ask
    # operator-only fields or give ids and inputs the server refuses), and invalid ones never do
    if as_supplier and mode is Mode.POSITIVE:
        assert sum(answered) >= len(answered) // 10, f"{sum(answered)} of {len(answered)} answered"
    if mode is Mode.NEGATIVE:
        assert not any(answered)
