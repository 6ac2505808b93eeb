"""Global ids: base64 of `TypeName:key`, opaque to clients. Every id a client sends is read here.

Each Node type resolves its own keys (`resolve_nodes`, strawberry's relay API); a node the viewer may not
read resolves to None, exactly as one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import re
from collections.abc import Iterable, Sequence
from typing import Literal, Self, overload

from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from bff.errors import InvalidInputError, NotFoundError
from bff.schema.context import Info, context_of

NOT_OUR_ID = "That is not an id this graph gave out."
MAX_KEY_LENGTH = 200
MAX_DATABASE_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def decode_global_id(value: str) -> tuple[str, str]:
    """(type name, key) of a global id; anything this graph could not have given out is bad input."""
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, _, key = base64.b64decode(padded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInputError(NOT_OUR_ID) from None
    # Keys end up in SQL parameters and upstream URLs: one with control characters (NUL, which PostgreSQL
    # refuses in text) or longer than any key this graph gives out is not ours.
    if not type_name or not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInputError(NOT_OUR_ID)
    return type_name, key


def key_of(value: str, type_name: str, refusal: str) -> str:
    """The key of a global id that must name a `type_name`; an id of another type is refused with `refusal`."""
    decoded_type, key = decode_global_id(value)
    if decoded_type != type_name:
        raise InvalidInputError(refusal)
    return key


def numeric_key(key: str) -> int:
    """The key of a node stored under a numeric id (a PostgreSQL bigint)."""
    # Not `str.isdigit`, which is true for "²" and other digits `int()` cannot read.
    if not _DIGITS.fullmatch(key) or int(key) > MAX_DATABASE_ID:
        raise InvalidInputError(NOT_OUR_ID)
    return int(key)


async def resolve_node(info: Info, global_id: str) -> relay.Node | None:
    """Any node by global id, through its type's `resolve_nodes`."""
    type_name, key = decode_global_id(global_id)
    context_of(info).viewer  # noqa: B018 - authenticate before telling anything about ids
    try:
        node_type = relay.GlobalID(type_name, key).resolve_type(info)
    except GlobalIDValueError:
        raise InvalidInputError(NOT_OUR_ID) from None
    node = node_type.resolve_node(key, info=info)
    return await node if inspect.isawaitable(node) else node


class ResolvedByKeys:
    """Strawberry's `Node.resolve_nodes` for the graph's node types, typed once: each type only says how
    to read its keys (`load_nodes`), in order, None for what the viewer may not read or what does not exist.

    Mixed in before `relay.Node`, whose own `resolve_nodes` raises NotImplementedError.
    """

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> Sequence[Self | None]:
        raise NotImplementedError

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[True]
    ) -> list[Self]: ...

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[False] = ...
    ) -> list[Self | None]: ...

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool
    ) -> list[Self] | list[Self | None]: ...

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self] | list[Self | None]:
        nodes = list(await cls.load_nodes(info, list(node_ids)))
        if not required:
            return nodes
        found = [node for node in nodes if node is not None]
        if len(found) < len(nodes):
            raise NotFoundError("No such node.")
        return found
