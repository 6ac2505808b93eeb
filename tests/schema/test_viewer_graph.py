"""The viewer's graph end to end: real sandbox upstreams, the BFF on a real socket, both databases."""

from __future__ import annotations

from graph_fixtures import Graph

FIRST_QUERY = """
{ viewer { name eligibility { eligible reasons { code } }
  orders(first: 20) { edges { node { orderNo source status amount } } } } }
"""


async def test_first_query_of_the_readme_federates_mall_and_mro(graph: Graph) -> None:
    # when
    result = await graph.query(FIRST_QUERY)
    # then
    assert "errors" not in result, result
    viewer = result["data"]["viewer"]
    assert viewer["eligibility"] == {"eligible": True, "reasons": []}
    sources = {edge["node"]["source"] for edge in viewer["orders"]["edges"]}
    assert sources == {"MALL", "MRO"}
    assert len(viewer["orders"]["edges"]) == 20
