"""The sandbox's SMS and e-mail gateways: what the BFF would have sent, recorded instead of delivered.

- `POST /messages/sms` `{"phone", "text"}` and `POST /messages/email` `{"to", "subject", "body"}`, each with
  an `Idempotency-Key` header (required): a key seen before is answered `{"id", "duplicate": true}` and
  recorded once — how a sender that retries after a crash still sends exactly once.
- `GET /_sandbox/messages` → `{"messages": [{"id", "channel", "to", "subject", "text", "key", "received_at"}]}`,
  oldest first; `GET /_sandbox/messages/page` shows them on a page (短信与邮件).
- `POST /_sandbox/messages/failures` `{"count": N}`: the next N sends answer 503 (to watch retries).

Kept apart from `SandboxState` (already long); the state inherits it, and `SandboxState.reset()` clears it.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class SentMessage:
    id: int
    channel: str  # SMS or EMAIL
    to: str
    subject: str | None
    text: str
    key: str
    received_at: str


class MessageGateways:
    def __init__(self) -> None:
        self._messages_lock = threading.Lock()
        self._messages: list[SentMessage] = []
        self._message_keys: dict[str, SentMessage] = {}
        self._failures_left = 0

    def messages(self) -> list[SentMessage]:
        with self._messages_lock:
            return list(self._messages)

    def fail_next_messages(self, count: int) -> None:
        with self._messages_lock:
            self._failures_left = count

    def clear_messages(self) -> None:
        with self._messages_lock:
            self._messages.clear()
            self._message_keys.clear()
            self._failures_left = 0

    def receive_message(
        self, channel: str, to: str, subject: str | None, text: str, key: str
    ) -> tuple[SentMessage, bool] | None:
        """(the message, whether it was a duplicate), or None when the failure switch refuses it."""
        with self._messages_lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                return None
            known = self._message_keys.get(key)
            if known is not None:
                return known, True
            message = SentMessage(
                id=len(self._messages) + 1,
                channel=channel,
                to=to,
                subject=subject,
                text=text,
                key=key,
                received_at=datetime.now(UTC).isoformat(),
            )
            self._messages.append(message)
            self._message_keys[key] = message
            return message, False


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        parsed = json.loads(await request.body())
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value.strip() else None


class _Gateway:
    def __init__(self, gateways: MessageGateways) -> None:
        self.gateways = gateways

    async def _receive(self, request: Request, channel: str, fields: tuple[str, ...]) -> Response:
        key = request.headers.get(KEY_HEADER, "")
        if not key or len(key) > MAX_KEY_LENGTH:
            return JSONResponse({"error": f"{KEY_HEADER} header required"}, status_code=400)
        body = await _body(request)
        found = {} if body is None else {name: _text(body, name) for name in fields}
        values = {name: value for name, value in found.items() if value is not None}
        if len(values) != len(fields):
            return JSONResponse({"error": f"body must be {{{', '.join(fields)}}}"}, status_code=400)
        to, text = values[fields[0]], values[fields[-1]]
        subject = values.get("subject")
        received = self.gateways.receive_message(channel, to, subject, text, key)
        if received is None:
            return JSONResponse({"error": "gateway unavailable (sandbox failure switch)"}, status_code=503)
        message, duplicate = received
        return JSONResponse({"id": message.id, "duplicate": duplicate})

    async def sms(self, request: Request) -> Response:
        return await self._receive(request, "SMS", ("phone", "text"))

    async def email(self, request: Request) -> Response:
        return await self._receive(request, "EMAIL", ("to", "subject", "body"))

    async def listing(self, request: Request) -> Response:
        return JSONResponse({"messages": [asdict(m) for m in self.gateways.messages()]})

    async def failures(self, request: Request) -> Response:
        body = await _body(request)
        count = None if body is None else body.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 1000:
            return JSONResponse({"error": 'body must be {"count": 0..1000}'}, status_code=400)
        self.gateways.fail_next_messages(count)
        return JSONResponse({"count": count})

    async def page(self, request: Request) -> Response:
        rows = "".join(
            "<tr>"
            f"<td>{m.id}</td><td>{'短信' if m.channel == 'SMS' else '邮件'}</td><td>{html.escape(m.to)}</td>"
            f"<td>{html.escape(m.subject or '')}</td><td>{html.escape(m.text)}</td>"
            f"<td>{html.escape(m.received_at)}</td>"
            "</tr>"
            for m in reversed(self.gateways.messages())
        )
        empty = '<p class="empty">还没有发送任何消息。</p>' if not rows else ""
        return HTMLResponse(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>沙箱 · 短信与邮件</title><style>"
            "body{font-family:system-ui,sans-serif;margin:1rem;color:#222}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.4rem;"
            "vertical-align:top;text-align:left;font-size:.9rem}th{background:#f4f6f8}"
            ".empty{color:#666}</style></head><body>"
            "<h1>短信与邮件</h1><p>沙箱记录了 BFF 本应发送给经办人的消息（最新在前）。"
            '数据：<a href="/_sandbox/messages">/_sandbox/messages</a></p>'
            f"{empty}<table><thead><tr><th>#</th><th>渠道</th><th>收件人</th><th>主题</th><th>内容</th>"
            f"<th>收到时间</th></tr></thead><tbody>{rows}</tbody></table></body></html>"
        )


def message_routes(gateways: MessageGateways) -> list[Route]:
    gateway = _Gateway(gateways)
    return [
        Route("/messages/sms", gateway.sms, methods=["POST"]),
        Route("/messages/email", gateway.email, methods=["POST"]),
        Route("/_sandbox/messages", gateway.listing, methods=["GET"]),
        Route("/_sandbox/messages/page", gateway.page, methods=["GET"]),
        Route("/_sandbox/messages/failures", gateway.failures, methods=["POST"]),
    ]


__all__ = ["MessageGateways", "SentMessage", "message_routes"]
