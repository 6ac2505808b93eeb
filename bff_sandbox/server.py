"""Running the sandbox on a real socket from a background thread with its own event loop.

A thread (rather than a task on the caller's loop) lets one session-scoped pytest fixture serve tests
that each run on their own event loop, and lets synchronous code such as `bff demo` start it too.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from types import TracebackType
from typing import Any

import uvicorn

from bff_sandbox.app import create_sandbox_app
from bff_sandbox.data import shanghai_today
from bff_sandbox.notifier import Notifier
from bff_sandbox.seed import build_seed
from bff_sandbox.state import SandboxState, SentNotification

STARTUP_TIMEOUT_SECONDS = 10.0
SHUTDOWN_TIMEOUT_SECONDS = 5.0


class SandboxStartupError(RuntimeError):
    """The sandbox server did not start listening (port taken, or too slow)."""


class RunningSandbox:
    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        state: SandboxState,
        url: str,
        notifier: Notifier,
    ) -> None:
        self._server = server
        self._thread = thread
        self.state = state
        self.url = url
        self.notifier = notifier

    def notify(self, type: str, data: dict[str, Any]) -> SentNotification:
        """Send a notification to the webhook (retried until SUCCESS); see `state.notifications()`."""
        return self.notifier.send(type, data)

    def set_webhook_url(self, url: str | None) -> None:
        self.state.set_webhook_url(url)

    @property
    def mall_url(self) -> str:
        return self.url + "/mall"

    @property
    def mro_url(self) -> str:
        return self.url + "/mro"

    @property
    def webank_url(self) -> str:
        return self.url + "/webank"

    @property
    def sms_url(self) -> str:
        return self.url + "/messages/sms"

    @property
    def email_url(self) -> str:
        return self.url + "/messages/email"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    today: date | None = None,
    webank_app_id: str,
    webank_secret: str,
    webhook_url: str | None = None,
) -> RunningSandbox:
    """Serve the three upstreams on `host:port` (0 picks a free port) until `.stop()`.

    `webhook_url` is where the bank sends its notifications (the BFF's `/webhooks/webank`); it may be
    set later with `set_webhook_url`, notifications wait until then.
    """
    state = SandboxState(build_seed(today or shanghai_today()))
    state.set_webhook_url(webhook_url)
    notifier = Notifier(state, app_id=webank_app_id, secret=webank_secret)
    app = create_sandbox_app(
        state, webank_app_id=webank_app_id, webank_secret=webank_secret, notifier=notifier
    )
    # The lifespan runs the notifier; no websockets, and leave the process's logging configuration alone.
    config = uvicorn.Config(
        app, host=host, port=port, lifespan="on", ws="none", log_config=None, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{host}:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise SandboxStartupError(f"the sandbox could not listen on {host}:{port}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise SandboxStartupError(f"the sandbox did not start within {STARTUP_TIMEOUT_SECONDS} s")
        time.sleep(0.005)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    url_host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in url_host and not url_host.startswith("["):
        url_host = f"[{url_host}]"
    return RunningSandbox(server, thread, state, f"http://{url_host}:{bound_port}", notifier)
