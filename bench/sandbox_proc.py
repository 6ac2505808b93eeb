"""The sandbox upstreams as the benchmark's own process: `bff sandbox`'s app, plus bench loans and a timer.

    .venv/bin/python bench/sandbox_proc.py --port 0 --loans 24 --prefix WBB

Serves what `bff sandbox` serves (`bff_sandbox.create_sandbox_app` on the seed), with `--loans` extra bank
loans of GD-BOTH (copies of the seed's WBL0001 numbered `<prefix>0001`…, for the loan list), and under
`/_bench`: `POST latency {"ms": N}` (every upstream call then answers N ms later), `GET calls` (each upstream
call as `[path, started, ended]`, monotonic seconds) and `POST calls/reset`. Prints `READY <url>` once
listening.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import socket
import time
from typing import Any

import uvicorn

from bff_sandbox.app import create_sandbox_app
from bff_sandbox.data import shanghai_today
from bff_sandbox.notifier import Notifier
from bff_sandbox.seed import build_seed
from bff_sandbox.state import SandboxState

Scope = dict[str, Any]


class Timed:
    """Latency injection and a call log around the sandbox app (only `/mall`, `/mro`, `/webank` count)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.latency = 0.0
        self.calls: list[tuple[str, float, float]] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/_bench/"):
            await self._control(scope, receive, send)
            return
        if scope["type"] != "http" or not path.startswith(("/mall", "/mro", "/webank")):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        if self.latency:
            await asyncio.sleep(self.latency)
        await self.app(scope, receive, send)
        self.calls.append((path, started, time.monotonic()))

    async def _control(self, scope: Scope, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        answer: object = {"ok": True}
        if path == "/_bench/latency":
            self.latency = float(json.loads(body)["ms"]) / 1000
        elif path == "/_bench/calls" and scope["method"] == "GET":
            answer = self.calls
        elif path == "/_bench/calls/reset":
            self.calls = []
        payload = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def build(loans: int, prefix: str) -> Any:
    state = SandboxState(build_seed(shanghai_today()))
    template = state.loan("WBL0001")
    assert template is not None
    for n in range(1, loans + 1):
        state.add_loan(dataclasses.replace(template, loan_no=f"{prefix}{n:04d}", documents=()))
    app_id = os.environ.get("BFF_WEBANK_APP_ID", "bench")
    secret = os.environ["BFF_WEBANK_SECRET"]
    notifier = Notifier(state, app_id=app_id, secret=secret)
    return create_sandbox_app(state, webank_app_id=app_id, webank_secret=secret, notifier=notifier)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loans", type=int, default=24)
    parser.add_argument("--prefix", default="WBB")
    args = parser.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)  # connections wait in the backlog until uvicorn serves
    app = Timed(build(args.loans, args.prefix))
    print(f"READY http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, lifespan="on", ws="none", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
