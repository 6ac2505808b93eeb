"""Register a plain (domain) enum with strawberry, with a description on the enum and on every value.

Domain enums stay free of GraphQL (bff/domain knows nothing of strawberry), so their values cannot be
`strawberry.enum_value(...)`. `described_enum` takes the descriptions beside the enum instead, keyed by
member so a typo or a forgotten value fails at import, not silently in the schema:

    described_enum(OrderStatus, "Status of an order (订单状态).", {
        OrderStatus.PENDING_SHIPMENT: "Awaiting shipment (待发货).",
        ...
    })
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[enum.Enum])


def described_enum(
    cls: E,
    description: str,
    values: Mapping[enum.Enum, str],
    *,
    name: str | None = None,
) -> E:
    """`strawberry.enum(cls, ...)` with `values[member]` as each value's description; all members required."""
    members = list(cls)
    missing = [m.name for m in members if not values.get(m)]
    unknown = [v for v in values if v not in members]
    if missing or unknown:
        raise ValueError(f"described_enum({cls.__name__}): missing {missing}, not members {unknown}")
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    by_name = {m.name: values[m] for m in members}
    definition.values = [dataclasses.replace(v, description=by_name[v.name]) for v in definition.values]
    return cls
