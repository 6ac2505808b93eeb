"""`bff demo` starts its SQLite database fresh, as its in-process sandbox bank starts from its seed: a
restarted demo never holds admissions or applications the bank has not heard of."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from factories import create_admission
from test_cli import (
    STARTUP_SECONDS,
    _assert_clean_exit,
    _bff_process,
    _free_port,
    _lines,
    _post_graphql,
    _read_banner,
    _stop,
    _wait_until_ok,
)

from bff import db
from bff.models import AdmissionStatus

ADMISSION = "{ viewer { admission { status } } }"


async def _an_earlier_demo(url: str) -> None:
    """What a previous demo left behind: an approved admission the fresh sandbox bank never saw."""
    await db.migrate(url)
    await db.init_db(url)
    try:
        await create_admission("GD-BOTH", status=AdmissionStatus.APPROVED)
    finally:
        await db.close_db()


def test_a_restarted_demo_starts_its_database_fresh(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    asyncio.run(_an_earlier_demo(f"sqlite://{database}"))
    port = _free_port()
    command = ["demo", "--port", str(port), "--sandbox-port", "0", "--database-url", f"sqlite://{database}"]
    stderr_path = tmp_path / "demo.err"
    with (
        stderr_path.open("w") as stderr,
        _bff_process(tmp_path, command, stderr) as demo,
    ):
        assert demo.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        lines = _lines(demo.stdout)
        url, token = _read_banner(lines, deadline)
        _wait_until_ok(f"http://127.0.0.1:{port}/healthz", demo, deadline)
        body = _post_graphql(url, ADMISSION, token)
        returncode = _stop(demo)

    assert body["data"] == {"viewer": {"admission": None}}
    _assert_clean_exit(returncode, stderr_path.read_text())
