"""`quarantinedBankEvents`: operators page through the bank notifications the BFF could not understand."""

from __future__ import annotations

from graph_fixtures import Graph
from prometheus_client import REGISTRY

from bff.auth import Role
from bff.notifications import quarantine_body
from bff.resolvers.cursors import encode_cursor

QUARANTINE = """
query ($first: Int, $after: String) { quarantinedBankEvents(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { eventId type reason body storedAsEvent } } } }
"""


def quarantined_total() -> float:
    return REGISTRY.get_sample_value("bff_bank_events_quarantined_total", {"stage": "envelope"}) or 0.0


async def test_operators_page_through_quarantined_notifications_newest_first(graph: Graph) -> None:
    # given: three unreadable notifications, one of them delivered twice
    counted = quarantined_total()
    for n in range(3):
        assert await quarantine_body(f'{{"event_id": "e{n}", "type": "odd.{n}"}}'.encode(), f"reason {n}")
    assert not await quarantine_body(b'{"event_id": "e2", "type": "odd.2"}', "reason 2")
    assert quarantined_total() == counted + 3

    # when
    first = await graph.query(QUARANTINE, {"first": 2}, role=Role.OPERATOR)
    connection = first["data"]["quarantinedBankEvents"]
    rest = await graph.query(
        QUARANTINE, {"first": 2, "after": connection["pageInfo"]["endCursor"]}, role=Role.OPERATOR
    )

    # then
    assert connection["totalCount"] == 3
    assert [e["node"]["eventId"] for e in connection["edges"]] == ["e2", "e1"]
    assert connection["edges"][0]["node"] == {
        "eventId": "e2",
        "type": "odd.2",
        "reason": "reason 2",
        "body": '{"event_id": "e2", "type": "odd.2"}',
        "storedAsEvent": False,
    }
    assert connection["pageInfo"]["hasNextPage"] is True
    later = rest["data"]["quarantinedBankEvents"]
    assert [e["node"]["eventId"] for e in later["edges"]] == ["e0"]
    assert later["pageInfo"]["hasNextPage"] is False


async def test_an_unparseable_body_is_kept_escaped_without_envelope_fields(graph: Graph) -> None:
    await quarantine_body(b"\xff\x00 not json", "The body is not valid UTF-8 JSON.")

    result = await graph.query(QUARANTINE, role=Role.OPERATOR)

    node = result["data"]["quarantinedBankEvents"]["edges"][0]["node"]
    assert (node["eventId"], node["type"], node["body"]) == (None, None, "\\xff\\x00 not json")


async def test_suppliers_may_not_see_the_quarantine(graph: Graph) -> None:
    await quarantine_body(b"{}", "Missing fields.")

    result = await graph.query(QUARANTINE)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_a_cursor_of_another_list_or_out_of_range_is_refused(graph: Graph) -> None:
    for cursor in (encode_cursor("loans", {"i": 1}), encode_cursor("quarantine", {"i": 2**63})):
        result = await graph.query(QUARANTINE, {"after": cursor}, role=Role.OPERATOR)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID_INPUT"]
