"""Database wiring: the tortoise configuration, start-up and shutdown, migrations and a ping.

`init_db` makes the connection visible to every task (tortoise 1.x otherwise binds it to the initialising
task's context). `migrate` and `pending_migrations(url)` work through a short-lived context of their own,
so they can run before, after or beside `init_db` without disturbing it. Errors of the driver become one
`DatabaseError` whose message never contains the password.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext, get_current_context
from tortoise.exceptions import BaseORMException, DBConnectionError
from tortoise.migrations.executor import MigrationExecutor, PlanStep

from bff.config import Settings

APP_LABEL = "models"
MODELS_MODULES = ["bff.models"]
MIGRATIONS_MODULE = "bff.migrations"
CONNECTION = "default"

T = TypeVar("T")


class DatabaseError(Exception):
    """The database is unreachable, misconfigured or refused a statement; the message names the problem."""


def _apps_config() -> dict[str, dict[str, Any]]:
    return {
        APP_LABEL: {
            "models": list(MODELS_MODULES),
            "migrations": MIGRATIONS_MODULE,
            "default_connection": CONNECTION,
        }
    }


def tortoise_config(database_url: str, *, time_limit: float | None = None) -> dict[str, Any]:
    """The tortoise configuration for `database_url` (one connection, app `models` with its migrations).

    With `time_limit` (seconds), a PostgreSQL connection fails instead of waiting for a database that went
    silent: connecting (asyncpg `timeout`, also for each new pooled connection), each statement on the
    client side (`command_timeout`, which also frees the pooled connection so acquiring one is bounded
    too) and on the server side (`statement_timeout`, so the server stops the work as well). SQLite is a
    local file and gets none.
    """
    return {
        "connections": {CONNECTION: _connection_config(database_url, time_limit)},
        "apps": _apps_config(),
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection_config(database_url: str, time_limit: float | None) -> str | dict[str, Any]:
    if time_limit is None or not database_url.startswith(("postgres://", "postgresql://")):
        return database_url
    config: dict[str, Any] = expand_db_url(database_url)
    credentials: dict[str, Any] = config["credentials"]
    credentials["timeout"] = time_limit
    credentials["command_timeout"] = time_limit
    server_settings = dict(credentials.get("server_settings") or {})
    server_settings["statement_timeout"] = str(max(1, round(time_limit * 1000)))  # milliseconds
    credentials["server_settings"] = server_settings
    return config


# For the `tortoise` CLI (`[tool.tortoise]` in pyproject.toml): `tortoise makemigrations` only reads the
# models; `tortoise migrate`/`history` would use BFF_DATABASE_URL (`bff migrate` is the supported way).
TORTOISE_ORM = tortoise_config(
    os.environ.get("BFF_DATABASE_URL", str(Settings.model_fields["database_url"].default))
)


def redact_url(database_url: str) -> str:
    """`database_url` with its password replaced by `***`, fit for messages and logs."""
    parts = urlsplit(database_url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return database_url
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def _password(database_url: str | None) -> str | None:
    userinfo, at, _ = urlsplit(database_url or "").netloc.rpartition("@")
    return userinfo.split(":", 1)[1] if at and ":" in userinfo else None


def _describe(exc: BaseException, database_url: str | None) -> str:
    text = str(exc) or type(exc).__name__
    if password := _password(database_url):
        for secret in {password, unquote(password)}:
            text = text.replace(secret, "***")
    return f"{type(exc).__name__}: {text}"


# What the drivers raise when the server is away, refuses us, or refuses a statement. `sqlite3.Error`
# and asyncpg's errors mostly arrive wrapped in tortoise's `BaseORMException` but not always (connecting).
_DRIVER_ERRORS: tuple[type[BaseException], ...] = (BaseORMException, OSError, sqlite3.Error)
# The database away or too slow rather than a statement it refused: a request failing on these is answered
# DATABASE_UNAVAILABLE, not as an internal error. (`TimeoutError` is what asyncpg's `timeout` and
# `command_timeout` raise; it is also an `OSError`.)
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError, DBConnectionError)
try:
    import asyncpg  # type: ignore[import-untyped]  # no stubs; only its exception classes are used

    _DRIVER_ERRORS += (asyncpg.PostgresError, asyncpg.InterfaceError)
    # QueryCanceledError: the server's `statement_timeout` (or an operator) cancelled the statement.
    UNAVAILABLE_ERRORS += (
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.QueryCanceledError,
    )
except ImportError:  # pragma: no cover - asyncpg is a dependency; SQLite-only installs still work
    pass


async def _mapped(action: str, database_url: str | None, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except DatabaseError:
        raise
    except _DRIVER_ERRORS as exc:
        where = f" ({redact_url(database_url)})" if database_url else ""
        raise DatabaseError(f"could not {action}{where}: {_describe(exc, database_url)}") from None


async def init_db(database_url: str, *, time_limit: float | None = None) -> None:
    """Set the application's connection to `database_url`, visible to every task; creates no tables.

    `time_limit` bounds connecting and every statement (see `tortoise_config`); the app passes
    `BFF_DATABASE_TIMEOUT`.

    Connecting happens on the first query (`ping()` checks it), but a SQLite file that cannot be opened is
    refused here. Calling it again replaces the connection.
    """

    async def init() -> None:
        ctx = get_current_context()
        if ctx is not None and ctx.inited:
            await ctx.close_connections()  # a previous init_db in this process (tests, reloads)
        # Tortoise caches each model's INSERT/DELETE SQL per connection *name*, not per dialect: after
        # SQLite, a PostgreSQL connection also named "default" would get `?` placeholders.
        EXECUTOR_CACHE.clear()
        _open_sqlite_file(database_url)
        await Tortoise.init(
            config=tortoise_config(database_url, time_limit=time_limit), _enable_global_fallback=True
        )

    await _mapped("initialise the database", database_url, init)


async def close_db() -> None:
    """Close every connection opened by `init_db`; safe to call when nothing is open."""
    await Tortoise.close_connections()


def _connection() -> BaseDBAsyncClient:
    ctx = get_current_context()
    if ctx is None or not ctx.inited:
        raise DatabaseError("the database is not initialised: call init_db() first")
    return ctx.db(CONNECTION)


async def ping() -> None:
    """Run `SELECT 1` on the current connection (readiness)."""
    await _mapped("reach the database", None, lambda: _connection().execute_query("SELECT 1"))


def _open_sqlite_file(database_url: str) -> None:
    """Open (and close) a SQLite database file in this thread, raising `sqlite3.Error` if it cannot be.

    aiosqlite 0.22 stops the worker thread of a connection that failed to open without awaiting it, so
    the thread's last callback can land on an event loop that has closed meanwhile ("Event loop is
    closed" in a thread, seen under load). Finding an unopenable file here keeps aiosqlite from ever
    starting on it. Opening creates a missing file, as connecting would.
    """
    path = sqlite_file(database_url)
    if path is not None:
        sqlite3.connect(path).close()


def sqlite_file(database_url: str) -> Path | None:
    """The file of a `sqlite://` URL (as tortoise reads it); None for another database or `:memory:`."""
    if not database_url.startswith("sqlite://"):
        return None
    path = str(expand_db_url(database_url)["credentials"]["file_path"])
    return None if path == ":memory:" else Path(path)


@asynccontextmanager
async def _own_context(
    database_url: str, time_limit: float | None = None
) -> AsyncIterator[BaseDBAsyncClient]:
    """A private tortoise context on `database_url`, current only inside the block."""
    _open_sqlite_file(database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url, time_limit=time_limit))
        yield ctx.db(CONNECTION)


def _executor(connection: BaseDBAsyncClient) -> MigrationExecutor:
    return MigrationExecutor(connection, _apps_config())


def _names(plan: list[PlanStep]) -> list[str]:
    return [f"{step.migration.app_label}.{step.migration.name}" for step in plan if not step.backward]


async def _plan(connection: BaseDBAsyncClient) -> list[str]:
    # The recorder reads "nothing applied" from any failing query; a ping first tells an unreachable
    # database apart from an unmigrated one.
    await connection.execute_query("SELECT 1")
    return _names(await _executor(connection).plan())


async def migrate(database_url: str) -> list[str]:
    """Apply the pending migrations to `database_url`; returns their names (`models.0001_initial`, …)."""

    async def run() -> list[str]:
        async with _own_context(database_url) as connection:
            pending = await _plan(connection)
            if pending:
                await _executor(connection).migrate()
            return pending

    return await _mapped("migrate the database", database_url, run)


async def pending_migrations(
    database_url: str | None = None, *, time_limit: float | None = None
) -> list[str]:
    """Names of the migrations not yet applied, on `database_url` or (None) on the current connection.

    Migrating itself has no timeout: a migration may rightly run long.
    """
    if database_url is None:
        return await _mapped("read the applied migrations", None, lambda: _plan(_connection()))

    async def run() -> list[str]:
        async with _own_context(database_url, time_limit) as connection:
            return await _plan(connection)

    return await _mapped("read the applied migrations", database_url, run)
