"""The `bff` console script, run for real in subprocesses with an environment built from scratch.

Nothing here reads the developer's `BFF_*` variables: every child gets `PATH` plus the settings the test
chooses, and runs in `tmp_path` so a default `sqlite://bff.sqlite3` could never land in the repository.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import jwt
import pytest

import bff.migrations
from bff.auth import Role, Viewer, viewer_from_token

JWT_SECRET = "cli-test-jwt-secret-0123456789abcdef-0123"
WEBANK_SECRET = "cli-test-webank-secret-0123456789"
AUDIENCE = "xinrongbao-web"
ON_DISK = sorted(f"models.{path.stem}" for path in Path(bff.migrations.__file__).parent.glob("[0-9]*.py"))

# README's first query, exactly as a newcomer pastes it into GraphiQL.
FIRST_QUERY = (
    "{ viewer { name eligibility { eligible reasons { code } } "
    "orders(first: 20) { edges { node { orderNo source status amount } } } } }"
)

STARTUP_SECONDS = 15.0
COMMAND_SECONDS = 20.0
SHUTDOWN_SECONDS = 10.0


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A child environment with only `PATH`, output settings and explicit `BFF_*` values."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
        "BFF_DATABASE_URL": f"sqlite://{tmp_path / 'bff.sqlite3'}",
        "BFF_JWT_SECRET": JWT_SECRET,
        "BFF_WEBANK_APP_ID": "xinrongbao-cli-test",
        "BFF_WEBANK_SECRET": WEBANK_SECRET,
        "BFF_LOG_LEVEL": "INFO",
    }
    env.update(settings)
    return env


def _bff(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`bff ARGS` to completion; a command that should return but serves instead times out and fails."""
    return subprocess.run(
        [sys.executable, "-m", "bff", *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_until_ok(url: str, process: subprocess.Popen[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited early with {process.returncode}"
        try:
            if _get(url) == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer 200 within {STARTUP_SECONDS} s")


INTROSPECTION = "{ __schema { queryType { name } } }"


def _token() -> str:
    return jwt.encode({"sub": "GD-BOTH", "exp": int(time.time()) + 600}, JWT_SECRET, algorithm="HS256")


def _status(url: str, *, accept: str = "*/*") -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept": accept}), timeout=10
        ) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def _post_graphql(url: str, query: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        body: dict[str, Any] = json.load(response)
        return body


@contextmanager
def _bff_process(
    tmp_path: Path, args: list[str], stderr: IO[str], *, stdout: int = subprocess.PIPE, **settings: str
) -> Iterator[subprocess.Popen[str]]:
    """`python -m bff ARGS` in `tmp_path` with the test's settings; never left behind, whatever the test
    asserts."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bff", *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,
        stdout=stdout,
        stderr=stderr,
        text=True,
        encoding="utf-8",
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(SHUTDOWN_SECONDS)


def _stop(process: subprocess.Popen[str]) -> int:
    """SIGTERM, as a process manager would send it; returns the exit status."""
    process.terminate()
    return process.wait(SHUTDOWN_SECONDS)


def _assert_clean_exit(returncode: int, stderr: str) -> None:
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught so the exit status tells a
    # supervisor why the process ended; 0 would be as clean.
    assert returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    assert "Traceback" not in stderr


# --- help -------------------------------------------------------------------------------------------

HELP = [
    pytest.param([], ["demo", "serve", "sandbox", "token", "migrate"], id="bff"),
    pytest.param(["demo"], ["sandbox", "SQLite", "GraphiQL", "--port", "--sandbox-port"], id="demo"),
    pytest.param(["serve"], ["BFF_", "--host", "--port"], id="serve"),
    pytest.param(
        ["sandbox"],
        ["mall", "MRO", "WeBank", "--port", "--webhook-url", "without it the bank cannot notify a BFF"],
        id="sandbox",
    ),
    pytest.param(["token"], ["BFF_JWT_SECRET", "CODE", "--role", "OPERATOR"], id="token"),
    pytest.param(["migrate"], ["migration", "BFF_DATABASE_URL"], id="migrate"),
]


@pytest.mark.parametrize(("command", "mentions"), HELP)
def test_help_exits_0_and_states_the_purpose(tmp_path: Path, command: list[str], mentions: list[str]) -> None:
    result = _bff(tmp_path, *command, "--help")

    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps to the terminal's width
    for words in mentions:
        assert words in text


def test_the_installed_console_script_is_bff(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("bff")

    result = subprocess.run(
        [str(script), "--help"], env=_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: bff ")


# --- token ------------------------------------------------------------------------------------------


def test_token_names_the_supplier(tmp_path: Path) -> None:
    result = _bff(tmp_path, "token", "GD-BOTH")

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert viewer_from_token(token, JWT_SECRET) == Viewer(supplier_code="GD-BOTH", role=Role.SUPPLIER)


def test_token_with_role_operator(tmp_path: Path) -> None:
    result = _bff(tmp_path, "token", "OPS", "--role", "OPERATOR")

    assert result.returncode == 0, result.stderr
    assert viewer_from_token(result.stdout.strip(), JWT_SECRET) == Viewer("OPS", Role.OPERATOR)


def test_token_carries_the_configured_audience(tmp_path: Path) -> None:
    result = _bff(tmp_path, "token", "GD-BOTH", BFF_JWT_AUDIENCE=AUDIENCE)

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == AUDIENCE
    assert viewer_from_token(token, JWT_SECRET, audience=AUDIENCE).supplier_code == "GD-BOTH"


def test_token_lifetime_follows_hours(tmp_path: Path) -> None:
    result = _bff(tmp_path, "token", "GD-BOTH", "--hours", "1")

    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), JWT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 3600


# --- bad settings fail fast -------------------------------------------------------------------------

BAD_SETTINGS = [
    pytest.param("BFF_DATABASE_URL", "mysql://x", id="mysql-database"),
    pytest.param("BFF_JWT_SECRET", "short", id="short-jwt-secret"),
    pytest.param("BFF_WEBANK_SECRET", "short", id="short-webank-secret"),
    pytest.param("BFF_MALL_URL", "ftp://mall", id="non-http-upstream"),
    pytest.param("BFF_REDIS_URL", "http://redis", id="non-redis-url"),
]


@pytest.mark.parametrize(("variable", "value"), BAD_SETTINGS)
def test_a_bad_setting_exits_2_naming_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = _bff(tmp_path, "token", "A", **{variable: value})

    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_serve_and_migrate_check_settings_before_anything_else(tmp_path: Path, command: str) -> None:
    result = _bff(tmp_path, command, BFF_JWT_SECRET="short")

    assert result.returncode == 2
    assert "BFF_JWT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bff.sqlite3").exists()


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = _bff(tmp_path, "migrate", BFF_DATABASE_URL="postgres://bff:s3cret@127.0.0.1:1/bff")

    assert result.returncode == 1
    assert "postgres://bff:***@127.0.0.1:1/bff" in result.stderr
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


# --- migrate ----------------------------------------------------------------------------------------


def test_migrate_applies_everything_once(tmp_path: Path, empty_db_url: str) -> None:
    first = _bff(tmp_path, "migrate", BFF_DATABASE_URL=empty_db_url)
    second = _bff(tmp_path, "migrate", BFF_DATABASE_URL=empty_db_url)

    assert first.returncode == 0, first.stderr
    assert "models.0001_initial" in ON_DISK
    assert first.stdout.splitlines()[0].startswith(f"applied {len(ON_DISK)} migration(s) to ")
    assert [line.strip() for line in first.stdout.splitlines()[1:]] == ON_DISK
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [f"applied 0 migration(s) to {empty_db_url}"]


# --- serve ------------------------------------------------------------------------------------------


def test_serve_refuses_an_unmigrated_database(tmp_path: Path, empty_db_url: str) -> None:
    port = _free_port()

    # A server that started would never return: `_bff`'s timeout turns that into a failure.
    result = _bff(tmp_path, "serve", "--port", str(port), BFF_DATABASE_URL=empty_db_url)

    assert result.returncode == 1
    assert "Run `bff migrate` first" in result.stderr
    assert "models.0001_initial" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Uvicorn running" not in result.stderr


def test_serve_answers_health_and_readiness_and_stops_on_sigterm(tmp_path: Path, db_url: str) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    stderr_path = tmp_path / "serve.err"

    with (
        stderr_path.open("w") as stderr,
        _bff_process(
            tmp_path,
            ["serve", "--port", str(port)],
            stderr,
            stdout=subprocess.DEVNULL,
            BFF_DATABASE_URL=db_url,
        ) as server,
    ):
        deadline = time.monotonic() + STARTUP_SECONDS
        _wait_until_ok(f"{base}/healthz", server, deadline)
        _wait_until_ok(f"{base}/readyz", server, deadline)
        shut = (_status(f"{base}/graphql", accept="text/html"), _status(f"{base}/metrics"))
        introspection = _post_graphql(f"{base}/graphql", INTROSPECTION, _token())
        returncode = _stop(server)

    # production defaults: no GraphiQL page, no metrics without BFF_METRICS_TOKEN, no introspection
    assert shut == (404, 404)
    assert introspection["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"

    _assert_clean_exit(returncode, stderr_path.read_text())


# --- demo -------------------------------------------------------------------------------------------

GRAPHIQL_LINE = re.compile(r"GraphiQL:\s+(?P<url>http://\S+/graphql)\s*$")
TOKEN_LINE = re.compile(r'"Authorization": "Bearer (?P<token>[\w-]+\.[\w-]+\.[\w-]+)"')


def _lines(stream: IO[str]) -> queue.Queue[str | None]:
    """The stream's lines, read by a thread so the test can wait for them with a deadline."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_banner(lines: queue.Queue[str | None], deadline: float) -> tuple[str, str]:
    """The GraphiQL URL and the supplier token the demo prints."""
    seen: list[str] = []
    url = token = None
    while url is None or token is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no GraphiQL URL and token within {STARTUP_SECONDS} s; printed:\n{''.join(seen)}")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            pytest.fail(f"the demo closed stdout before printing its token; printed:\n{''.join(seen)}")
        seen.append(line)
        if match := GRAPHIQL_LINE.search(line):
            url = match["url"]
        if match := TOKEN_LINE.search(line):
            token = match["token"]
    return url, token


@pytest.mark.parametrize(
    "settings",
    [pytest.param({}, id="defaults"), pytest.param({"BFF_JWT_AUDIENCE": AUDIENCE}, id="with-audience")],
)
def test_demo_prints_a_url_and_token_that_answer_the_readme_query(
    tmp_path: Path, settings: dict[str, str]
) -> None:
    port = _free_port()
    database = tmp_path / "demo.sqlite3"
    command = ["demo", "--port", str(port), "--sandbox-port", "0", "--database-url", f"sqlite://{database}"]
    stderr_path = tmp_path / "demo.err"

    with (
        stderr_path.open("w") as stderr,
        _bff_process(tmp_path, command, stderr, **settings) as demo,
    ):
        assert demo.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        url, token = _read_banner(_lines(demo.stdout), deadline)
        assert url == f"http://127.0.0.1:{port}/graphql"
        _wait_until_ok(f"http://127.0.0.1:{port}/healthz", demo, deadline)

        body = _post_graphql(url, FIRST_QUERY, token)
        opened = (_status(url, accept="text/html"), _status(f"http://127.0.0.1:{port}/metrics"))
        introspection = _post_graphql(url, INTROSPECTION, token)

        returncode = _stop(demo)

    # the demo is for exploring: GraphiQL, metrics and introspection are on
    assert opened == (200, 200)
    assert introspection["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert "errors" not in introspection

    assert "errors" not in body, body
    viewer = body["data"]["viewer"]
    assert viewer["name"]
    assert viewer["eligibility"] == {"eligible": True, "reasons": []}
    orders = [edge["node"] for edge in viewer["orders"]["edges"]]
    assert {order["source"] for order in orders} == {"MALL", "MRO"}
    assert database.exists()
    _assert_clean_exit(returncode, stderr_path.read_text())


def test_demo_on_a_busy_port_says_so_before_printing_anything(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # A demo that got past the port would serve and never return: `_bff`'s timeout fails the test.
        result = _bff(tmp_path, "demo", "--port", str(port), "--database-url", f"sqlite://{database}")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"bff: port {port} is in use; pass --port"]
    assert result.stdout == ""
    assert "Bearer" not in result.stderr
    assert not database.exists()


# --- sandbox ----------------------------------------------------------------------------------------

NO_WEBHOOK_WARNING = "bff: warning: no --webhook-url, so the sandbox bank cannot notify a BFF"


@pytest.mark.parametrize(
    ("webhook", "warned"),
    [
        pytest.param([], True, id="without-webhook-url"),
        pytest.param(["--webhook-url", "http://127.0.0.1:1/webhooks/webank"], False, id="with-webhook-url"),
    ],
)
def test_sandbox_warns_at_start_when_it_cannot_notify_a_bff(
    tmp_path: Path, webhook: list[str], warned: bool
) -> None:
    port = _free_port()
    stderr_path = tmp_path / "sandbox.err"

    with (
        stderr_path.open("w") as stderr,
        _bff_process(tmp_path, ["sandbox", "--port", str(port), *webhook], stderr) as sandbox,
    ):
        assert sandbox.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        _wait_until_ok(f"http://127.0.0.1:{port}/_sandbox/clock", sandbox, deadline)
        returncode = _stop(sandbox)
        printed = sandbox.stdout.read()

    assert returncode == 0
    assert printed.startswith(f"sandbox upstreams on http://127.0.0.1:{port}:")
    warnings = [line for line in stderr_path.read_text().splitlines() if line.startswith("bff: warning")]
    assert warnings == (
        [f"{NO_WEBHOOK_WARNING} (an admission stalls at the bank's decision)"] if warned else []
    )
