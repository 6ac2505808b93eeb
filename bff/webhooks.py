"""`POST /webhooks/webank`: WeBank's signed notifications, acknowledged once durably stored.

Order matters: verify the raw bytes, then parse, then store under the unique `event_id`, then answer
SUCCESS (a repeated `event_id` gets the same answer and changes nothing), then process — a processing
failure stays recorded on the stored event and does not change the answer, and neither does Redis being
away when the live updates are published. A signed body that does not parse as a notification is
quarantined (`notifications.quarantine`) and answered SUCCESS too.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bff import notifications
from bff.config import Settings
from bff.events import admission_topic, application_topic, loan_topic
from bff.models import Loan
from bff.signing import APP_ID_HEADER, verify
from bff.store import current_admissions_by_credit_code

__all__ = ["webank_webhook"]

logger = logging.getLogger("bff.webhooks")

PUBLISH_TIMEOUT = 3.0  # seconds; the bank waits for the answer


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
        event = await notifications.store(notification)
    except Exception:  # not stored (database away): the bank must retry, so no SUCCESS
        logger.exception("could not store webank event %s", notification.event_id)
        return _answer(503, "UNAVAILABLE", "The event could not be stored; retry later.")
    if event is None:
        logger.info("webank event %s repeated; already stored", notification.event_id)
        return _answer(200, "SUCCESS")

    await notifications.process(event)  # records and logs its own failures
    try:
        # Stored and processed: the answer is SUCCESS whatever happens to the live updates. Answering
        # otherwise would only make the bank send the event again.
        async with asyncio.timeout(PUBLISH_TIMEOUT):
            await _publish(request, notification)
    except (RedisError, OSError) as exc:  # Redis away or silent (TimeoutError is an OSError)
        logger.warning(
            "webank event %s processed; live updates not sent (%s: %s)",
            notification.event_id,
            type(exc).__name__,
            exc,
        )
    except Exception:
        logger.exception("webank event %s processed; live updates failed", notification.event_id)
    return _answer(200, "SUCCESS")


async def _publish(request: Request, notification: notifications.Notification) -> None:
    """Tell the supplier's live subscriptions what may have changed; they reload it themselves."""
    broker = request.app.state.services.broker
    data = notification.data
    credit_code, loan_no = data.get("credit_code"), data.get("loan_no")
    if isinstance(credit_code, str) and notification.type.value.startswith(("realname.", "limit.")):
        admissions = await current_admissions_by_credit_code(credit_code)
        for code in {admission.supplier_code for admission in admissions}:
            await broker.publish(admission_topic(code), {"kind": "admission"})
    if isinstance(loan_no, str):
        loan = await Loan.get_or_none(loan_no=loan_no)
        if loan is not None:
            await broker.publish(loan_topic(loan.supplier_code), {"kind": "loan", "loanNo": loan_no})
            if loan.application_id is not None:
                await broker.publish(application_topic(loan.supplier_code), {"kind": "application"})
