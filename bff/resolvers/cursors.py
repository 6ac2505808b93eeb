"""Opaque cursors: url-safe base64 of a small JSON object, validated on the way back in."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from bff.errors import InvalidInputError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def encode_cursor(kind: str, state: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, **state}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInputError("`after` is not a cursor this list gave out.") from None
    if not isinstance(state, dict) or state.get("k") != kind:
        raise InvalidInputError("`after` is not a cursor this list gave out.")
    return state


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"`first` must be between 1 and {MAX_PAGE_SIZE}.")
    return first
