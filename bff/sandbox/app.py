"""One Starlette app serving the three upstreams under `/mall`, `/mro`, `/webank`, plus `/_sandbox` controls."""

from __future__ import annotations

import json
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bff.sandbox.mall import create_mall_app
from bff.sandbox.mro import create_mro_app
from bff.sandbox.state import MALL, MRO, SYSTEMS, WEBANK, SandboxState
from bff.sandbox.webank import create_webank_app


class CallLog:
    """Records every HTTP request to an upstream before anything else looks at it (even a 404 or a 503)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            system, _, rest = str(scope["path"]).lstrip("/").partition("/")
            if system in SYSTEMS:
                query = unquote(bytes(scope.get("query_string", b"")).decode("latin-1"))
                self.state.record_call(system, str(scope["method"]), "/" + rest, query)
        await self.app(scope, receive, send)


class Controls:
    """`/_sandbox`: what tests and demos use to look inside and to break things on purpose."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def calls(self, request: Request) -> Response:
        calls = [
            {"system": c.system, "method": c.method, "path": c.path, "query": c.query}
            for c in self.state.calls(request.query_params.get("system"))
        ]
        return JSONResponse({"calls": calls})

    async def reset_calls(self, request: Request) -> Response:
        self.state.reset_calls()
        return JSONResponse({"calls": []})

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        return JSONResponse({"reset": True})

    async def webank_outage(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        down = body.get("down") if isinstance(body, dict) else None
        if not isinstance(down, bool):
            return JSONResponse({"error": 'body must be {"down": true|false}'}, status_code=400)
        self.state.set_webank_down(down)
        return JSONResponse({"down": down})


def create_sandbox_app(state: SandboxState, *, webank_app_id: str, webank_secret: str) -> Starlette:
    controls = Controls(state)
    app = Starlette(
        routes=[
            Mount(f"/{MALL}", app=create_mall_app(state)),
            Mount(f"/{MRO}", app=create_mro_app(state)),
            Mount(f"/{WEBANK}", app=create_webank_app(state, app_id=webank_app_id, secret=webank_secret)),
            Route("/_sandbox/calls", controls.calls, methods=["GET"]),
            Route("/_sandbox/calls/reset", controls.reset_calls, methods=["POST"]),
            Route("/_sandbox/reset", controls.reset, methods=["POST"]),
            Route("/_sandbox/webank/outage", controls.webank_outage, methods=["POST"]),
        ]
    )
    app.state.sandbox = state
    app.add_middleware(CallLog, state=state)
    return app
