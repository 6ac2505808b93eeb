"""Global ids: base64 of `TypeName:key`, opaque to clients."""

from __future__ import annotations

import base64
import binascii

from strawberry import relay

from bff.errors import InvalidInputError


def encode_global_id(type_name: str, key: str) -> str:
    return str(relay.GlobalID(type_name, key))


def decode_global_id(value: str) -> tuple[str, str]:
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, _, key = base64.b64decode(padded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInputError("That is not an id this graph gave out.") from None
    if not type_name or not key:
        raise InvalidInputError("That is not an id this graph gave out.")
    return type_name, key
