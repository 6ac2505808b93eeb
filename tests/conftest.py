"""Database fixtures shared by the whole suite (and `BFF_TEST_DIFFERENTIAL`, at the end).

- `db` — the test's database on SQLite and on PostgreSQL (two runs), initialised with `bff.db.init_db`,
  migrated and empty; models work in the test and in any task it starts. Yields the URL.
- `db_url` — the URL behind `db`, migrated (SQLite: a file in `tmp_path`; PostgreSQL: the session's database,
  so rows of earlier tests remain unless `db` truncated them). An app under test may `init_db(db_url)` again.
- `empty_db_url` — a database with no tables at all, on both backends; for migration tests.
- `postgres_admin_url` — the reachable PostgreSQL server (`BFF_TEST_POSTGRES_URL`), or the test is skipped
  (fails instead when `CI=true`).

pytest-asyncio gives every test its own event loop, so the session-wide work (PostgreSQL databases, the
migrated SQLite template) is synchronous and uses `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import Tortoise

from bff import db as bff_db

POSTGRES_ADMIN_URL = os.environ.get("BFF_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

# Databases migrated in this session; a PostgreSQL database is migrated once and truncated per test.
_migrated: set[str] = set()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _create_postgres_database() -> str:
    name = f"bff_test_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return name


def _drop_postgres_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The PostgreSQL server for tests; skips (or, with CI=true, fails) when it cannot be reached."""
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:  # TimeoutError is an OSError
        reason = f"PostgreSQL not reachable at {bff_db.redact_url(POSTGRES_ADMIN_URL)}: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    return POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def postgres_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A migrated database created for this session (and dropped after it) on the test PostgreSQL server."""
    name = _create_postgres_database()
    url = _with_database(postgres_admin_url, name)
    try:
        asyncio.run(bff_db.migrate(url))
        yield url
    finally:
        _drop_postgres_database(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: migrating per test would cost ~0.1 s each."""
    path = tmp_path_factory.mktemp("sqlite-template") / "bff.sqlite3"
    asyncio.run(bff_db.migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """This test's database: a migrated SQLite file in `tmp_path`, or the session's PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_database_url"))
    path = tmp_path / "bff.sqlite3"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any table, on each backend (PostgreSQL: created for this test only)."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'empty.sqlite3'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    name = _create_postgres_database()
    yield _with_database(admin_url, name)
    _drop_postgres_database(name)


async def _truncate_all_tables() -> None:
    assert Tortoise.apps is not None
    tables = ", ".join(f'"{model._meta.db_table}"' for model in Tortoise.apps.get_models_iterable())
    await Tortoise.get_connection(bff_db.CONNECTION).execute_script(
        f"TRUNCATE {tables} RESTART IDENTITY CASCADE"
    )


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """Tortoise initialised on `db_url` for the application (every task sees it), migrated, with no rows."""
    await bff_db.init_db(db_url)
    try:
        if db_url not in _migrated:
            await bff_db.migrate(db_url)
            _migrated.add(db_url)
        if db_url.startswith("postgres"):
            await _truncate_all_tables()
        yield db_url
    finally:
        await bff_db.close_db()


# Sandbox upstreams and the BFF over real sockets (kept in their own module; see its docstring).
from app_fixtures import bff, bff_overrides, sandbox  # noqa: E402, F401
from graph_fixtures import graph  # noqa: E402, F401
from redis_fixtures import redis_channel_prefix, redis_url  # noqa: E402, F401


@pytest.fixture(autouse=os.environ.get("BFF_TEST_DIFFERENTIAL") == "1")
def differential_everywhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`BFF_TEST_DIFFERENTIAL=1`: every test's operations run through `DifferentialExecution`, which fails
    the test if the planned execution answers anything but what graphql-core's generic one does."""
    from differential_execution import DifferentialExecution, Record

    from bff.schema import schema

    record = Record()
    monkeypatch.setattr(DifferentialExecution, "record", record)
    monkeypatch.setattr(schema, "execution_context_class", DifferentialExecution)
    yield
    assert record.mismatches == [], "\n".join(record.mismatches)
