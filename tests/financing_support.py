"""Getting a supplier to an approved limit through the graph and the bank, for the financing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app_fixtures import Bff
from factories import create_admission
from graph_fixtures import Graph

from bff.models import AdmissionStatus, CreditLimit
from bff_sandbox.state import PushedSupplier

AGREE = (
    'mutation { agreeToAuthorization(input: {agreementVersion: "2026-01", entryPoint: SUPPLIER_ORDER_LIST})'
    " { userErrors { code } } }"
)
OPEN = "mutation { openFinancing { userErrors { code } } }"
HANDLER = (
    'mutation { submitHandler(input: {name: "李经办", phone: "13800138000", email: "jb@example.com"})'
    " { userErrors { code } } }"
)
ORDERS = "{ viewer { orders(first: 100) { edges { node { id orderNo source status amount financeableAmount } } } } }"


def credit_code_of(bff: Bff, code: str) -> str:
    return next(s.credit_code for s in bff.sandbox.state.seed.suppliers if s.code == code)


async def approve(bff: Bff, code: str = "GD-BOTH", total: str = "1000000.00") -> None:
    for mutation in (AGREE, OPEN, HANDLER):
        result = await bff.query(mutation, as_supplier=code)
        assert next(iter(result["data"].values()))["userErrors"] == [], result
    status, _ = await bff.notify(
        "limit.approved",
        {
            "credit_code": credit_code_of(bff, code),
            "total": total,
            "order_ratio": "0.4",
            "credit_ratio": "0.6",
            "valid_until": None,
        },
    )
    assert status == 200


async def orders(bff: Bff, code: str = "GD-BOTH") -> list[dict[str, Any]]:
    result = await bff.query(ORDERS, as_supplier=code)
    return [edge["node"] for edge in result["data"]["viewer"]["orders"]["edges"]]


def pick(
    nodes: list[dict[str, Any]], source: str, status: str, count: int = 1, skip: int = 0
) -> list[dict[str, Any]]:
    found = [n for n in nodes if n["source"] == source and n["status"] == status][skip : skip + count]
    assert len(found) == count, f"the seed has fewer than {count + skip} {source} {status} orders"
    return found


async def approve_in_db(graph: Graph, code: str = "GD-BOTH", total_fen: int = 100_000_000) -> None:
    """An APPROVED admission with its credit limit, written directly (the schema tier has no webhook).

    The sandbox bank is told of the supplier too, as 开通 would have: an orders push for a supplier the bank
    never met is refused (404), and a refused push fails its application.
    """
    seed = next(s for s in graph.sandbox.state.seed.suppliers if s.code == code)
    credit_code = seed.credit_code
    graph.sandbox.state.add_supplier_push(
        f"approve-in-db-{code}",
        PushedSupplier(code, seed.name, credit_code, seed.province, seed.city),
        (),
        0,
    )
    admission = await create_admission(code, status=AdmissionStatus.APPROVED, credit_code=credit_code)
    await CreditLimit.create(
        admission=admission, supplier_code=code, total_fen=total_fen, approved_at=datetime.now(UTC)
    )
