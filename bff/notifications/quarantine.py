"""Quarantine for signed bank notifications the BFF cannot understand.

Refusing such a notification would make the bank resend it forever (it retries anything but SUCCESS), and
dropping it would lose a bank event. So it is stored here, acknowledged, counted in `/metrics` and listed
to operators (`Query.quarantinedBankEvents`), who settle it with the bank. Two ways in: the envelope does
not parse (`quarantine_body`, from the webhook), or the envelope was stored as a `BankEvent` and its data
proved unreadable when processed (`quarantine_stored`, from the inbox); the latter is never retried.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bff import db
from bff.metrics import QUARANTINED_BANK_EVENTS
from bff.models import BankEvent, QuarantinedBankEvent

__all__ = ["quarantine_body", "quarantine_stored"]

logger = logging.getLogger("bff.notifications")

EVENT_ID_LENGTH = 128
TYPE_LENGTH = 64


def _text(raw: bytes) -> str:
    # Kept as readable as possible; PostgreSQL text cannot hold NUL, so it is spelled out.
    return raw.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")


def _envelope_field(raw: bytes, name: str, max_length: int) -> str | None:
    """`event_id` or `type` when the body is at least a JSON object carrying it as a short string."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    value = parsed.get(name) if isinstance(parsed, dict) else None
    if not isinstance(value, str) or not value or len(value) > max_length:
        return None
    return _text(value.encode())


async def quarantine_body(raw: bytes, reason: str) -> bool:
    """Keep an unparseable notification; False when the same body is quarantined already."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        await QuarantinedBankEvent.create(
            body_sha256=digest,
            event_id=_envelope_field(raw, "event_id", EVENT_ID_LENGTH),
            type=_envelope_field(raw, "type", TYPE_LENGTH),
            reason=reason,
            body=_text(raw),
        )
    except IntegrityError:
        logger.info("bank notification %s already in quarantine", digest[:12])
        return False
    QUARANTINED_BANK_EVENTS.labels("envelope").inc()
    logger.warning("bank notification quarantined (%s): %s", digest[:12], reason)
    return True


async def quarantine_stored(event: BankEvent, reason: str) -> bool:
    """Move a stored event whose data is unreadable to quarantine; False when it was already."""
    body = json.dumps(event.payload, ensure_ascii=False, sort_keys=True).encode()
    async with in_transaction(db.CONNECTION) as connection:
        marked = await _mark(event, connection)
        if not marked:
            return False
        await QuarantinedBankEvent.create(
            body_sha256=hashlib.sha256(body).hexdigest(),
            event_id=event.event_id,
            type=event.type,
            reason=reason,
            body=_text(body),
            bank_event_id=event.id,
            using_db=connection,
        )
    QUARANTINED_BANK_EVENTS.labels("data").inc()
    logger.warning("bank event %s (%s) quarantined: %s", event.event_id, event.type, reason)
    return True


async def _mark(event: BankEvent, connection: BaseDBAsyncClient) -> bool:
    changed = (
        await BankEvent.filter(id=event.id, processed_at=None, quarantined_at=None)
        .using_db(connection)
        .update(quarantined_at=datetime.now(UTC), last_error=None)
    )
    return bool(changed)
