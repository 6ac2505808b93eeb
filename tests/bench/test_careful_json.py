"""The benchmark's baseline stays honest: each careful JSON route answers exactly the graph's `data`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import Bff
from financing_support import approve, credit_code_of

from bff.auth import viewer_from_authorization
from bff.context import Context

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import careful_json


async def graph_data(bff: Bff, document: str, variables: dict[str, Any]) -> Any:
    result = await bff.query(document, variables)
    assert "errors" not in result, result
    return result["data"]


@pytest.mark.parametrize(
    ("document", "variables", "route"),
    [
        pytest.param(careful_json.ORDERS, {"first": 50}, lambda c: careful_json.orders(c, 50), id="orders"),
        pytest.param(careful_json.LOANS, {}, careful_json.loans, id="loans"),
        pytest.param(careful_json.DASHBOARD, {}, careful_json.dashboard, id="dashboard"),
    ],
)
async def test_the_json_baseline_is_byte_for_byte_the_graphs_data(
    bff: Bff, document: str, variables: dict[str, Any], route: Any
) -> None:
    # given: an approved supplier with a loan the sandbox bank knows (its plan comes from the bank)
    await approve(bff)
    applied = {
        "credit_code": credit_code_of(bff, "GD-BOTH"),
        "loan_no": "WBL0001",
        "kind": "CREDIT",
        "amount": "100000.00",
        "order_nos": [],
        "batch_no": None,
    }
    assert (await bff.notify("loan.applied", applied))[0] == 200
    settings = bff.settings
    viewer = viewer_from_authorization(
        f"Bearer {bff.token()}", settings.jwt_secret, audience=settings.jwt_audience
    )

    # when
    plain = careful_json.dump(await route(Context.build(bff.app.state.services, viewer)))

    # then
    assert plain == careful_json.dump(await graph_data(bff, document, variables))
