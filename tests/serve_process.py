"""`bff serve` as a real process of its own, for tests of what only a separate process shows (several
instances on one database, signals, everything a client can send to a production server)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app_fixtures import JWT_SECRET, WEBANK_APP_ID, WEBANK_SECRET

from bff_sandbox import RunningSandbox

START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServeProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def serve_process(
    sandbox: RunningSandbox, database_url: str, log_dir: Path, **settings: str
) -> Iterator[ServeProcess]:
    """`bff serve` on a free port with the sandbox upstreams; `settings` are more `BFF_*` variables
    (`redis_url="redis://…"` → `BFF_REDIS_URL`). Yields once `/healthz` answers; stopped on exit."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONUNBUFFERED": "1",
        "BFF_DATABASE_URL": database_url,
        "BFF_JWT_SECRET": JWT_SECRET,
        "BFF_WEBANK_APP_ID": WEBANK_APP_ID,
        "BFF_WEBANK_SECRET": WEBANK_SECRET,
        "BFF_MALL_URL": sandbox.mall_url,
        "BFF_MRO_URL": sandbox.mro_url,
        "BFF_WEBANK_URL": sandbox.webank_url,
        **{f"BFF_{name.upper()}": value for name, value in settings.items()},
    }
    log = log_dir / f"serve-{port}.log"
    # Its log goes to a file: a pipe nobody reads would block the process once the pipe buffer is full.
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bff", "serve", "--port", str(port)], env=env, stdout=sink, stderr=sink
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process, log)
            yield ServeProcess(url=url, process=process, log=log)
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"bff serve exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # still starting: poll its health endpoint
    raise AssertionError(f"bff serve did not become healthy within {START_SECONDS} s")
