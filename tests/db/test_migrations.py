"""Migrations build the schema from nothing on both backends, and `bff.db` reports what is pending."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

import bff.migrations
from bff import db as bff_db
from bff.db import DatabaseError, init_db, migrate, pending_migrations, ping, tortoise_config
from bff.domain.bank_pushes import HandlerPush, SupplierPush, stored_push
from bff.models import OutboxMessage

ON_DISK = sorted(f"models.{path.stem}" for path in Path(bff.migrations.__file__).parent.glob("[0-9]*.py"))


async def _tables() -> set[str]:
    connection = Tortoise.get_connection(bff_db.CONNECTION)
    if connection.capabilities.dialect == "postgres":
        query = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    _, rows = await connection.execute_query(query)
    return {row["name"] for row in rows}


def _model_tables() -> set[str]:
    assert Tortoise.apps is not None
    return {model._meta.db_table for model in Tortoise.apps.get_models_iterable()}


async def test_every_migration_is_pending_on_an_empty_database(empty_db_url: str) -> None:
    assert ON_DISK, "no migration files found"

    assert await pending_migrations(empty_db_url) == ON_DISK


async def test_migrate_applies_the_pending_migrations_once(empty_db_url: str) -> None:
    # when
    applied = await migrate(empty_db_url)

    # then
    assert applied == ON_DISK
    assert await pending_migrations(empty_db_url) == []
    assert await migrate(empty_db_url) == []


async def test_init_db_creates_no_tables_and_migrate_creates_only_the_models(empty_db_url: str) -> None:
    await init_db(empty_db_url)
    try:
        await ping()
        assert await _tables() == set()
        assert await pending_migrations() == ON_DISK

        await migrate(empty_db_url)

        assert await _tables() == _model_tables() | {"tortoise_migrations"}
        assert await pending_migrations() == []
    finally:
        await bff_db.close_db()


# Outbox rows as the code before 0005 wrote them: the wire body, and the path.
HANDLER_WIRE_BODY = {"name": "张三", "phone": "13800000000", "email": "zs@example.com"}
SUPPLIER_WIRE_BODY = {
    "supplier": {
        "code": "GD-BOTH",
        "name": "广东测试建材有限公司",
        "credit_code": "91440300MA5FXXXX0X",
        "province": "广东省",
        "city": "深圳市",
    },
    "statistics": {
        "months": [
            {"month": "2026-01", "order_amount": "1200.00", "settled_amount": "800.50", "order_count": 3}
        ],
        "buyers": 2,
    },
}
OLD_ROWS = [
    ("r-supplier", "supplier.push", "/v1/suppliers/push", SUPPLIER_WIRE_BODY),
    ("r-handler", "supplier.handler", "/v1/suppliers/91440300MA5FXXXX0X/handler", HANDLER_WIRE_BODY),
]


async def test_0005_turns_stored_requests_into_typed_pushes(empty_db_url: str) -> None:
    # given: a database at 0004 holding pushes written by the previous code
    async with bff_db._own_context(empty_db_url) as connection:
        executor = MigrationExecutor(connection, bff_db._apps_config())
        await executor.migrate([MigrationTarget("models", "0004_drop_installment")])
        postgres = connection.capabilities.dialect == "postgres"
        marks = "$1, $2, $3, $4" if postgres else "?, ?, ?, ?"
        for request_id, kind, path, body in OLD_ROWS:
            await connection.execute_query(
                "INSERT INTO outbox_message (request_id, kind, path, body, method, status, attempts,"
                " next_attempt_at, aggregate_type, aggregate_id, created_at)"
                f" VALUES ({marks}, 'POST', 'PENDING', 0, '2026-01-01T00:00:00+00:00', 'admission', '1',"
                " '2026-01-01T00:00:00+00:00')",
                [request_id, kind, path, json.dumps(body, ensure_ascii=False)],
            )

    # when
    assert (await migrate(empty_db_url))[0] == "models.0005_outbox_typed_push"

    # then: each row reads back as the push the previous code would have sent
    await init_db(empty_db_url)
    try:
        rows = {m.request_id: m for m in await OutboxMessage.all()}
    finally:
        await bff_db.close_db()
    handler = stored_push(rows["r-handler"].kind, rows["r-handler"].payload)
    assert handler == HandlerPush("91440300MA5FXXXX0X", "张三", "13800000000", "zs@example.com")
    supplier = stored_push(rows["r-supplier"].kind, rows["r-supplier"].payload)
    assert isinstance(supplier, SupplierPush)
    assert rows["r-supplier"].payload == SUPPLIER_WIRE_BODY
    assert (supplier.supplier.city, supplier.statistics.buyers) == ("深圳市", 2)


async def test_the_models_need_no_new_migration() -> None:
    # `tortoise makemigrations` would write nothing: every model change has its migration.
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()

    assert [writer.name for writer in writers] == [], (
        "models changed without a migration: run `.venv/bin/tortoise makemigrations` "
        "(a model's first docstring line is its table comment, so it counts too)"
    )


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgres://bff:s3cret-pw@127.0.0.1:1/bff", id="postgres-refused"),
        pytest.param("sqlite:///nonexistent-dir/bff.sqlite3", id="sqlite-unopenable"),
    ],
)
async def test_an_unreachable_database_is_one_database_error_without_the_password(url: str) -> None:
    for call in (migrate, pending_migrations):
        with pytest.raises(DatabaseError) as caught:
            await call(url)
        if url.startswith("postgres"):
            assert "s3cret-pw" not in str(caught.value)
            assert "bff:***@127.0.0.1:1" in str(caught.value)


def _aiosqlite_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


async def test_an_unopenable_sqlite_file_never_starts_an_aiosqlite_thread() -> None:
    # aiosqlite leaves the thread of a failed connect to stop on its own, calling back into whatever loop
    # is current by then: after the test's loop closed, that is an "Event loop is closed" in a thread.
    before = _aiosqlite_threads()
    for call in (migrate, pending_migrations, init_db):
        with pytest.raises(DatabaseError):
            await call("sqlite:///nonexistent-dir/bff.sqlite3")
    assert _aiosqlite_threads() == before


async def test_ping_without_a_database_is_a_database_error(db: str) -> None:
    await bff_db.close_db()

    with pytest.raises(DatabaseError):
        await ping()
