"""Opaque cursors: url-safe base64 of a small JSON object, validated on the way back in."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from bff.errors import InvalidInputError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_DATABASE_ID = 2**63 - 1  # PostgreSQL bigint: a larger id in a query is a driver error, not "no rows"
NOT_OUR_CURSOR = "`after` is not a cursor this list gave out."


def encode_cursor(kind: str, state: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, **state}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInputError(NOT_OUR_CURSOR) from None
    if not isinstance(state, dict) or state.get("k") != kind:
        raise InvalidInputError(NOT_OUR_CURSOR)
    return state


def cursor_int(value: object, *, maximum: int = MAX_DATABASE_ID) -> int:
    """An integer a cursor holds, within 0..`maximum` (a client can write any number into a cursor)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise InvalidInputError(NOT_OUR_CURSOR)
    return value


def cursor_datetime(value: object) -> datetime:
    """A time a cursor holds: ISO-8601 with an offset (naive times cannot be compared with the data), in UTC."""
    try:
        if not isinstance(value, str):
            raise TypeError
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError
        return moment.astimezone(UTC)
    except (TypeError, ValueError, OverflowError):  # year 1 at +08:00 is before year 1 in UTC
        raise InvalidInputError(NOT_OUR_CURSOR) from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"`first` must be between 1 and {MAX_PAGE_SIZE}.")
    return first
