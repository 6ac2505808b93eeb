"""The WeBank partner-API signature, shared by the adapter, the webhook receiver and the sandbox bank."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

APP_ID_HEADER = "X-WB-AppId"
TIMESTAMP_HEADER = "X-WB-Timestamp"
NONCE_HEADER = "X-WB-Nonce"
SIGNATURE_HEADER = "X-WB-Signature"
REQUEST_ID_HEADER = "X-WB-Request-Id"
MAX_CLOCK_SKEW_SECONDS = 300


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(app_id: str, secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return {
        APP_ID_HEADER: app_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, timestamp, nonce, body),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> bool:
    """True when the raw body carries a valid signature made within the allowed clock skew."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    nonce = headers.get(NONCE_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    # isascii: headers arrive as latin-1, and "²".isdigit() is true but int() cannot read it.
    if not (timestamp.isascii() and timestamp.isdigit() and nonce and given):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, nonce, body), given.lower())
