"""Every type, field, argument and enum value of the built schema explains itself (DESIGN §6.4).

A new element without a `description` fails here, naming its coordinate. Enums of plain domain modules get
theirs through `bff.schema.described_enum`.
"""

from __future__ import annotations

import enum

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from bff.schema import schema
from bff.schema.described_enum import described_enum

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, type_ in graphql_schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name}:)")
        elif isinstance(type_, GraphQLEnumType):
            missing += [f"{name}.{value}" for value, each in type_.values.items() if not each.description]
    return missing


def test_every_element_of_the_schema_has_a_description() -> None:
    assert undescribed(schema._schema) == []


def test_order_status_speaks_the_manuals_chinese() -> None:
    values = schema._schema.type_map["OrderStatus"].values  # type: ignore[union-attr]
    assert "待发货" in values["PENDING_SHIPMENT"].description
    assert "处理中" in values["PROCESSING"].description


class _Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


def test_described_enum_refuses_a_value_without_a_description() -> None:
    with pytest.raises(ValueError, match="missing \\['BLUE'\\]"):
        described_enum(_Colour, "A colour.", {_Colour.RED: "Red (红)."})
