"""`Supplier.eligibility` for every seeded admission case, computed from mall and MRO together."""

from __future__ import annotations

import pytest
from graph_fixtures import Graph

from bff.auth import Role

ELIGIBILITY = """
query ($code: String!) { supplier(code: $code) {
  region { province city } creditCodeValid
  eligibility { eligible eligibleFrom reasons { code message } } } }
"""

REGION = "REGION_NOT_COVERED"
COOPERATION = "COOPERATION_UNDER_12_MONTHS"
RECENT = "NO_FULFILLMENT_IN_6_MONTHS"


@pytest.mark.parametrize(
    ("code", "reasons"),
    [
        pytest.param("GD-BOTH", [], id="guangdong-mall-and-mro-eligible"),
        pytest.param("HN-MALL", [], id="mall-only-eligible"),
        pytest.param("SX-MRO", [], id="mro-only-eligible"),
        pytest.param("XZ-FAR", [REGION], id="tibet-not-covered"),
        pytest.param("JL-CC", [], id="changchun-in-the-province-field-covered"),
        pytest.param("JL-JL", [REGION], id="jilin-city-not-covered"),
        pytest.param("JL-NOCITY", [REGION], id="jilin-without-city-not-covered"),
        pytest.param("LN-SY", [], id="shenyang-short-names-covered"),
        pytest.param("LN-DL", [REGION], id="dalian-not-covered"),
        pytest.param("ZJ-NEW", [COOPERATION], id="under-12-months-only"),
        pytest.param("JS-IDLE", [RECENT], id="no-statement-in-6-months-only"),
        pytest.param("CQ-EARLY", [], id="mro-history-older-than-mall-counts"),
        pytest.param("XJ-NONE", [REGION, COOPERATION, RECENT], id="all-three-fail"),
    ],
)
async def test_seeded_admission_cases(graph: Graph, code: str, reasons: list[str]) -> None:
    # when
    result = await graph.query(ELIGIBILITY, {"code": code}, as_supplier="OPS", role=Role.OPERATOR)
    # then
    eligibility = result["data"]["supplier"]["eligibility"]
    assert [reason["code"] for reason in eligibility["reasons"]] == reasons
    assert eligibility["eligible"] is (not reasons)
    assert all(reason["message"] for reason in eligibility["reasons"])
    assert (eligibility["eligibleFrom"] is not None) is (reasons == [COOPERATION])


async def test_an_invalid_credit_code_is_reported(graph: Graph) -> None:
    bad = await graph.query(ELIGIBILITY, {"code": "BAD-CREDIT"}, as_supplier="OPS", role=Role.OPERATOR)
    good = await graph.query(ELIGIBILITY, {"code": "GD-BOTH"}, as_supplier="OPS", role=Role.OPERATOR)
    assert bad["data"]["supplier"]["creditCodeValid"] is False
    assert good["data"]["supplier"]["creditCodeValid"] is True


async def test_admission_regions_list_the_contract_table(graph: Graph) -> None:
    result = await graph.query("{ admissionRegions { province cities } }")
    regions = {r["province"]: r["cities"] for r in result["data"]["admissionRegions"]}
    assert len(regions) == 24
    assert regions["吉林省"] == ["长春市"]
    assert regions["辽宁省"] == ["沈阳市"]
    assert regions["广东省"] == []
    assert "西藏自治区" not in regions
