"""`Money` (exact decimal string, two places, CNY) and `DateTime` (ISO-8601 with offset, Asia/Shanghai).

Fields are annotated with plain `Decimal` and `datetime`; `SCALARS` maps those types to these GraphQL
scalars in the schema config. The built-in Decimal scalar would accept "NaN", "Infinity" and "1e3".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.types.scalar import ScalarDefinition

from bff.domain.calendar import SHANGHAI
from bff.domain.money import format_yuan, parse_yuan


def _serialize_money(value: Decimal) -> str:
    return format_yuan(value)


def _parse_money(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('Money is a decimal string such as "1234.50".')
    return parse_yuan(value)


def _serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("refusing to serialize a naive datetime")
    return value.astimezone(SHANGHAI).isoformat()


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime is an ISO-8601 string with an offset, e.g. 2026-01-31T09:30:00+08:00.")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs an offset, e.g. 2026-01-31T09:30:00+08:00.")
    return parsed


SCALARS: dict[object, ScalarDefinition] = {
    Decimal: strawberry.scalar(
        name="Money",
        description='An exact amount of CNY (yuan): a decimal string with two places, e.g. "1234.50".',
        serialize=_serialize_money,
        parse_value=_parse_money,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description="An ISO-8601 date and time with offset, given in Asia/Shanghai (+08:00).",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    ),
}
