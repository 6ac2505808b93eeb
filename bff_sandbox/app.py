"""One Starlette app serving the three upstreams under `/mall`, `/mro`, `/webank`, plus `/_sandbox` controls.

Its lifespan runs the bank's notifier (`bff_sandbox.notifier`), so serve it with the lifespan on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bff_sandbox.mall import create_mall_app
from bff_sandbox.messages import message_routes
from bff_sandbox.mro import create_mro_app
from bff_sandbox.notifier import Notifier
from bff_sandbox.state import MALL, MRO, SYSTEMS, WEBANK, SandboxState, SentNotification
from bff_sandbox.webank import create_webank_app

MAX_CLOCK_DAYS = 3660  # running the bank day by day: ten years per call is plenty


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
                if system in (MALL, MRO) and self.state.order_system_down(system):
                    await JSONResponse(
                        {"error": f"{system} is down (sandbox outage switch)"}, status_code=503
                    )(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def notification_json(notification: SentNotification) -> dict[str, Any]:
    return {
        "event_id": notification.event_id,
        "type": notification.type,
        "occurred_at": notification.occurred_at.isoformat(),
        "data": notification.data,
        "status": notification.status,
        "attempts": [
            {"at": a.at.isoformat(), "url": a.url, "status_code": a.status_code, "error": a.error}
            for a in notification.attempts
        ],
    }


class Controls:
    """`/_sandbox`: what tests and demos use to look inside and to break things on purpose."""

    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

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
        body = await _json_object(request)
        down = None if body is None else body.get("down")
        if not isinstance(down, bool):
            return JSONResponse({"error": 'body must be {"down": true|false}'}, status_code=400)
        self.state.set_webank_down(down)
        return JSONResponse({"down": down})

    async def order_system_outage(self, request: Request) -> Response:
        """`POST /_sandbox/{mall|mro}/outage {"down": true|false}`: that order system answers 503 while down."""
        system = request.path_params["system"]
        body = await _json_object(request)
        down = None if body is None else body.get("down")
        if system not in (MALL, MRO) or not isinstance(down, bool):
            return JSONResponse(
                {"error": 'POST /_sandbox/{mall|mro}/outage {"down": true|false}'}, status_code=400
            )
        self.state.set_order_system_down(system, down)
        return JSONResponse({"system": system, "down": down})

    async def notify(self, request: Request) -> Response:
        """Send any notification: `{"type": "loan.disbursed", "data": {...}}` → 202 with the event."""
        body = await _json_object(request)
        kind = None if body is None else body.get("type")
        data = None if body is None else body.get("data")
        if not isinstance(kind, str) or not kind.strip() or not isinstance(data, dict):
            return JSONResponse({"error": 'body must be {"type": "...", "data": {...}}'}, status_code=400)
        return JSONResponse(notification_json(self.notifier.send(kind.strip(), data)), status_code=202)

    async def drop_notifications(self, request: Request) -> Response:
        """`{"drop": true|false}`: while on, the bank's notifications are lost (recorded as DROPPED)."""
        body = await _json_object(request)
        drop = None if body is None else body.get("drop")
        if not isinstance(drop, bool):
            return JSONResponse({"error": 'body must be {"drop": true|false}'}, status_code=400)
        self.state.drop_notifications(drop)
        return JSONResponse({"drop": drop})

    async def notifications(self, request: Request) -> Response:
        return JSONResponse(
            {
                "webhook_url": self.state.webhook_url,
                "notifications": [notification_json(n) for n in self.state.notifications()],
            }
        )

    async def clock(self, request: Request) -> Response:
        """`GET` → `{"today"}`; `POST {"days": N}` or `{"today": "YYYY-MM-DD"}` runs the bank up to that day."""
        if request.method == "POST":
            body = await _json_object(request)
            days = None if body is None else body.get("days")
            today = None if body is None else body.get("today")
            try:
                if isinstance(days, int) and not isinstance(days, bool) and today is None:
                    target = self.state.today + timedelta(days=days)
                elif isinstance(today, str) and days is None:
                    target = date.fromisoformat(today)
                else:
                    raise ValueError('body must be {"days": N} or {"today": "YYYY-MM-DD"}')
                if (target - self.state.today).days > MAX_CLOCK_DAYS:
                    raise ValueError(f"the clock moves at most {MAX_CLOCK_DAYS} days at a time")
                self.state.set_today(target)
            except (ValueError, OverflowError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"today": self.state.today.isoformat()})

    async def funds(self, request: Request) -> Response:
        """`{"loan_no": "...", "insufficient": true|false}`: empty or refill a loan's repayment account."""
        body = await _json_object(request)
        loan_no = None if body is None else body.get("loan_no")
        short = None if body is None else body.get("insufficient")
        if not isinstance(loan_no, str) or not isinstance(short, bool):
            return JSONResponse(
                {"error": 'body must be {"loan_no": "...", "insufficient": true|false}'}, status_code=400
            )
        if self.state.loan(loan_no) is None:
            return JSONResponse({"error": f"no loan {loan_no}"}, status_code=404)
        self.state.set_insufficient_funds(loan_no, short)
        return JSONResponse({"loan_no": loan_no, "insufficient": short})

    async def webhook(self, request: Request) -> Response:
        """Point notifications elsewhere at runtime: `{"url": "http://…/webhooks/webank" | null}`."""
        body = await _json_object(request)
        url = None if body is None else body.get("url", ...)
        if not (url is None or (isinstance(url, str) and url.startswith(("http://", "https://")))):
            return JSONResponse({"error": 'body must be {"url": "http(s)://..." | null}'}, status_code=400)
        self.state.set_webhook_url(url)
        return JSONResponse({"webhook_url": url})


def create_sandbox_app(
    state: SandboxState, *, webank_app_id: str, webank_secret: str, notifier: Notifier | None = None
) -> Starlette:
    notifier = notifier or Notifier(state, app_id=webank_app_id, secret=webank_secret)
    controls = Controls(state, notifier)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with notifier.running():
            yield

    webank = create_webank_app(state, app_id=webank_app_id, secret=webank_secret, notifier=notifier)
    app = Starlette(
        routes=[
            Mount(f"/{MALL}", app=create_mall_app(state)),
            Mount(f"/{MRO}", app=create_mro_app(state)),
            Mount(f"/{WEBANK}", app=webank),
            Route("/_sandbox/calls", controls.calls, methods=["GET"]),
            Route("/_sandbox/calls/reset", controls.reset_calls, methods=["POST"]),
            Route("/_sandbox/reset", controls.reset, methods=["POST"]),
            Route("/_sandbox/webank/outage", controls.webank_outage, methods=["POST"]),
            Route("/_sandbox/{system}/outage", controls.order_system_outage, methods=["POST"]),
            Route("/_sandbox/webank/notify", controls.notify, methods=["POST"]),
            Route("/_sandbox/webank/notifications", controls.notifications, methods=["GET"]),
            Route("/_sandbox/webank/drop-notifications", controls.drop_notifications, methods=["POST"]),
            Route("/_sandbox/webank/webhook", controls.webhook, methods=["POST"]),
            Route("/_sandbox/webank/funds", controls.funds, methods=["POST"]),
            Route("/_sandbox/clock", controls.clock, methods=["GET", "POST"]),
            *message_routes(state),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = state
    app.state.notifier = notifier
    app.add_middleware(CallLog, state=state)
    return app
