"""`POST /webhooks/webank`: WeBank's signed notifications, acknowledged once durably stored.

Order matters: verify the raw bytes, then parse, then store under the unique `event_id` and apply in one
transaction (`notifications.receive`), then answer SUCCESS (a repeated `event_id` gets the same answer and
changes nothing) — a failure to apply stays recorded on the stored event and does not change the answer,
and neither does Redis being away when the live updates are published. A signed body that does not parse as a notification is
quarantined (`notifications.quarantine`) and answered SUCCESS too.
"""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bff import notifications
from bff.config import Settings
from bff.events import tell
from bff.signing import APP_ID_HEADER, verify

__all__ = ["webank_webhook"]

logger = logging.getLogger("bff.webhooks")


def _answer(status: int, code: str, message: str | None = None) -> Response:
    body = {"code": code} if message is None else {"code": code, "message": message}
    return JSONResponse(body, status_code=status)


def _authentic(settings: Settings, request: Request, body: bytes) -> bool:
    app_id = request.headers.get(APP_ID_HEADER, "")
    same_app = hmac.compare_digest(app_id.encode(), settings.webank_app_id.encode())
    return verify(settings.webank_secret, request.headers, body) and same_app


async def webank_webhook(request: Request) -> Response:
    settings: Settings = request.app.state.services.settings
    body = await request.body()
    if not _authentic(settings, request, body):
        logger.warning("webank notification refused: invalid signature, app id or timestamp")
        return _answer(401, "INVALID_SIGNATURE")
    try:
        notification = notifications.parse_notification(body)
    except notifications.InvalidEventError as exc:
        # Signed, so the bank's; refused, it would be resent for ever. Kept for operators instead.
        try:
            await notifications.quarantine_body(body, exc.message)
        except Exception:  # not stored (database away): the bank must retry, so no SUCCESS
            logger.exception("could not quarantine a webank notification")
            return _answer(503, "UNAVAILABLE", "The event could not be stored; retry later.")
        return _answer(200, "SUCCESS")

    try:
        # stored and applied in one transaction; a failure to apply is recorded on the stored event
        event = await notifications.receive(notification)
    except Exception:  # not stored (database away): the bank must retry, so no SUCCESS
        logger.exception("could not store webank event %s", notification.event_id)
        return _answer(503, "UNAVAILABLE", "The event could not be stored; retry later.")
    if event is None:
        logger.info("webank event %s repeated; already stored", notification.event_id)
        return _answer(200, "SUCCESS")

    # Stored and processed: the answer is SUCCESS whatever happens to the live updates (`tell` never
    # raises). Answering otherwise would only make the bank send the event again.
    await _tell(request, notification)
    return _answer(200, "SUCCESS")


async def _tell(request: Request, notification: notifications.Notification) -> None:
    """Tell the supplier's live subscriptions what may have changed; they reload it themselves."""
    try:
        changes = await notifications.changes_of(notification.type.value, notification.data)
    except Exception:  # the database, gone since the event was stored: subscribers hear of it later
        logger.exception(
            "webank event %s processed; what it changed could not be read", notification.event_id
        )
        return
    await tell(request.app.state.services.broker, changes)
