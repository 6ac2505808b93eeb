"""Who may read what: tokens, the operator role, and `node(id:)` never crossing suppliers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from app_fixtures import JWT_SECRET, Bff

from bff.auth import Role, mint_token

VIEWER_NAME = "{ viewer { code name } }"
NODE = (
    "query ($id: ID!) { node(id: $id) { __typename id ... on Order { orderNo } ... on Supplier { code } } }"
)
FIRST_ORDER_ID = "{ viewer { id orders(first: 1) { edges { node { id orderNo } } } } }"
SUPPLIER = "query ($code: String!) { supplier(code: $code) { code name eligibility { eligible } } }"


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def error_codes(result: dict[str, object]) -> list[str]:
    errors = result.get("errors") or []
    assert isinstance(errors, list)
    return [error["extensions"]["code"] for error in errors]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="no-token"),
        pytest.param("Bearer not-a-jwt", id="garbage-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="wrong-scheme"),
        pytest.param(
            f"Bearer {mint_token('another-secret-0123456789abcdef-xyz', 'GD-BOTH')}", id="wrong-secret"
        ),
        pytest.param(
            "Bearer "
            + mint_token(
                JWT_SECRET, "GD-BOTH", ttl=timedelta(minutes=5), now=datetime.now(UTC) - timedelta(hours=1)
            ),
            id="expired",
        ),
    ],
)
async def test_a_missing_or_bad_token_is_unauthenticated_and_reveals_nothing(
    bff: Bff, header: str | None
) -> None:
    # given
    headers = {"Authorization": header} if header else {}
    # when
    result = await bff.query(VIEWER_NAME, as_supplier=None, headers=headers)
    # then
    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_a_token_names_its_supplier(bff: Bff) -> None:
    result = await bff.query(VIEWER_NAME, as_supplier="HN-MALL")
    assert result["data"]["viewer"]["code"] == "HN-MALL"


async def test_node_resolves_the_viewers_own_order(bff: Bff) -> None:
    # given
    listed = await bff.query(FIRST_ORDER_ID)
    order = listed["data"]["viewer"]["orders"]["edges"][0]["node"]
    # when
    result = await bff.query(NODE, {"id": order["id"]})
    # then
    assert result["data"]["node"] == {"__typename": "Order", "id": order["id"], "orderNo": order["orderNo"]}


async def test_another_suppliers_order_is_null_through_node_even_with_a_valid_id(bff: Bff) -> None:
    # given: GD-BOTH's first order id, obtained legitimately by GD-BOTH
    listed = await bff.query(FIRST_ORDER_ID)
    order_id = listed["data"]["viewer"]["orders"]["edges"][0]["node"]["id"]
    # when: HN-MALL asks for it
    result = await bff.query(NODE, {"id": order_id}, as_supplier="HN-MALL")
    # then: exactly as if it did not exist
    assert result == {"data": {"node": None}}


@pytest.mark.parametrize(
    "guessed",
    [
        pytest.param(gid("Supplier", "GD-BOTH"), id="supplier"),
        pytest.param(gid("Order", "MALL:100001"), id="mall-order"),
        pytest.param(gid("Order", "MRO:500001"), id="mro-order"),
        pytest.param(gid("Loan", "WBL0001"), id="loan"),
        pytest.param(gid("Admission", "1"), id="admission"),
        pytest.param(gid("Repayment", "R1"), id="repayment"),
    ],
)
async def test_guessed_ids_of_another_supplier_resolve_to_null(bff: Bff, guessed: str) -> None:
    result = await bff.query(NODE, {"id": guessed}, as_supplier="HN-MALL")
    assert result == {"data": {"node": None}}


async def test_an_operator_reads_any_supplier_through_node(bff: Bff) -> None:
    result = await bff.query(NODE, {"id": gid("Supplier", "GD-BOTH")}, as_supplier="OPS", role=Role.OPERATOR)
    assert result["data"]["node"] == {
        "__typename": "Supplier",
        "id": gid("Supplier", "GD-BOTH"),
        "code": "GD-BOTH",
    }


@pytest.mark.parametrize(
    "bad_id",
    [
        pytest.param("not base64 at all!", id="not-base64"),
        pytest.param(base64.b64encode(b"no-colon").decode(), id="no-type"),
        pytest.param(gid("Nonsense", "1"), id="unknown-type"),
        pytest.param(gid("Order", "PAPER:1"), id="unknown-order-source"),
        pytest.param(gid("Admission", "abc"), id="non-numeric-admission"),
    ],
)
async def test_a_malformed_id_is_an_invalid_input_error(bff: Bff, bad_id: str) -> None:
    result = await bff.query(NODE, {"id": bad_id})
    assert result["data"] == {"node": None}
    assert error_codes(result) == ["INVALID_INPUT"]


async def test_supplier_by_code_is_for_operators_only(bff: Bff) -> None:
    # when
    as_supplier = await bff.query(SUPPLIER, {"code": "HN-MALL"}, as_supplier="GD-BOTH")
    as_operator = await bff.query(SUPPLIER, {"code": "HN-MALL"}, as_supplier="OPS", role=Role.OPERATOR)
    # then
    assert error_codes(as_supplier) == ["FORBIDDEN"]
    assert as_supplier["data"] == {"supplier": None}
    assert as_operator["data"]["supplier"]["code"] == "HN-MALL"
    assert as_operator["data"]["supplier"]["eligibility"] == {"eligible": True}


async def test_an_unknown_supplier_code_is_null_for_an_operator(bff: Bff) -> None:
    result = await bff.query(SUPPLIER, {"code": "NO-SUCH"}, as_supplier="OPS", role=Role.OPERATOR)
    assert result == {"data": {"supplier": None}}


async def test_a_token_for_a_supplier_the_platform_does_not_know_gets_not_found(bff: Bff) -> None:
    result = await bff.query(VIEWER_NAME, as_supplier="NO-SUCH")
    assert error_codes(result) == ["NOT_FOUND"]


async def test_malformed_queries_get_stable_codes_and_no_internals(bff: Bff) -> None:
    syntax = await bff.query("{ viewer { name ")
    unknown_field = await bff.query("{ viewer { password } }")
    bad_variable = await bff.query(
        "query ($n: Int) { viewer { orders(first: $n) { totalCount } } }", {"n": "x"}
    )
    assert error_codes(syntax) == ["GRAPHQL_PARSE_FAILED"]
    assert error_codes(unknown_field) == ["GRAPHQL_VALIDATION_FAILED"]
    assert error_codes(bad_variable) == ["BAD_USER_INPUT"]
    for result in (syntax, unknown_field, bad_variable):
        text = str(result)
        assert "Traceback" not in text
        assert "bff/" not in text
        assert "SELECT" not in text


async def test_a_cyclic_query_is_refused_by_its_cost_before_it_runs(bff: Bff) -> None:
    # No depth limit: a cycle (Order.loans.orders…) costs one per field, times the page it sits in.
    cycle = "loans { orders { " * 25 + "orderNo" + " } }" * 25
    result = await bff.query("{ viewer { orders(first: 100) { edges { node { " + cycle + " } } } } }")
    assert result["data"] is None
    assert error_codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result["errors"][0]["extensions"]["maxCost"] == 5000
    assert bff.upstream_calls() == []
