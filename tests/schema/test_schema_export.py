"""`schema.graphql` is the contract frontends code against: it must be exactly what the code builds."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, print_schema

from bff.schema import schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_equals_the_schema_the_code_builds() -> None:
    # the same text `strawberry export-schema bff.schema:schema` prints
    assert SDL_PATH.read_text(encoding="utf-8").rstrip("\n") == schema.as_str().rstrip("\n"), (
        "schema.graphql is stale: run `strawberry export-schema bff.schema:schema --output schema.graphql`"
    )


def _sdl_without_descriptions() -> str:
    """The SDL with descriptions dropped: a described argument would otherwise print on its own lines."""
    built = build_schema(schema.as_str())  # a fresh copy to change
    for type_ in built.type_map.values():
        type_.description = None
        for field in getattr(type_, "fields", {}).values():
            field.description = None
            for arg in getattr(field, "args", {}).values():
                arg.description = None
    return print_schema(built)


def test_fixed_names_of_the_contract_are_in_the_schema() -> None:
    sdl = _sdl_without_descriptions()
    for name in (
        "viewer: Supplier!",
        "node(id: ID!): Node",
        "supplier(code: String!): Supplier",
        "admissionRegions: [AdmissionRegion!]!",
        "type Supplier implements Node",
        "type Admission implements Node",
        "type Loan implements Node",
        "type Repayment implements Node",
        "type Order implements Node",
        "type CreditLimit",
        "repaymentRecord: RepaymentRecord!",
    ):
        assert name in sdl, name
