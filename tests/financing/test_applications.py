"""`Supplier.financingApplications` and `cancelFinancingApplication` (DESIGN §6.2), at the schema tier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from financing_support import approve_in_db, pick
from graph_fixtures import Graph
from test_financing_status import apply, by_id, order_nodes

from bff.events import application_topic
from bff.models import ApplicationStatus, FinancingApplication, OrderClaim
from bff.schema.node import key_of

LIST = """
query ($first: Int, $after: String, $statuses: [FinancingApplicationStatus!]) {
  viewer { financingApplications(first: $first, after: $after, statuses: $statuses) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } } } } }
"""
CANCEL = """
mutation ($id: ID!) { cancelFinancingApplication(input: {applicationId: $id}) {
  application { id status orders { orderNo } } userErrors { code message field } } }
"""
NOW = datetime.now(UTC)


async def make_application(code: str, status: ApplicationStatus, age_minutes: int, **fields: Any) -> int:
    values: dict[str, Any] = {
        "supplier_code": code,
        "status": status,
        "ceiling_fen": 100,
        "financeable_total_fen": 100,
        "expires_at": NOW + timedelta(hours=72),
    }
    row = await FinancingApplication.create(**(values | fields))
    # `created_at` is set on insert; the list orders by it, so give each row its own age.
    await FinancingApplication.filter(id=row.id).update(created_at=NOW - timedelta(minutes=age_minutes))
    return row.id


def application_key(global_id: str) -> int:
    return int(key_of(global_id, "FinancingApplication", ""))


async def list_page(graph: Graph, code: str = "GD-BOTH", **variables: Any) -> dict[str, Any]:
    result = await graph.query(LIST, variables, as_supplier=code)
    assert "errors" not in result, result
    page: dict[str, Any] = result["data"]["viewer"]["financingApplications"]
    return page


async def cancel(graph: Graph, global_id: str, code: str = "GD-BOTH") -> dict[str, Any]:
    result = await graph.query(CANCEL, {"id": global_id}, as_supplier=code)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["cancelFinancingApplication"]
    return payload


async def test_the_list_pages_newest_first_and_shows_only_the_viewers_applications(graph: Graph) -> None:
    # given: five of the viewer's applications (the newest has age 0) and one of another supplier
    mine = [await make_application("GD-BOTH", ApplicationStatus.HANDED_OVER, age) for age in range(5)]
    await make_application("HN-MALL", ApplicationStatus.HANDED_OVER, 0)
    # when: paging two at a time
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = await list_page(graph, first=2, after=after)
        assert page["totalCount"] == 5
        seen += [application_key(edge["node"]["id"]) for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert seen == mine
    assert pages == 3
    # a new application does not shift the pages already handed out
    await make_application("GD-BOTH", ApplicationStatus.HANDED_OVER, -1)
    second = await list_page(graph, first=2, after=(await list_page(graph, first=2))["pageInfo"]["endCursor"])
    assert [application_key(edge["node"]["id"]) for edge in second["edges"]] == [mine[1], mine[2]]


async def test_the_status_filter_goes_by_what_applications_are_now(graph: Graph) -> None:
    open_one = await make_application("GD-BOTH", ApplicationStatus.HANDED_OVER, 1)
    lapsed = await make_application(
        "GD-BOTH", ApplicationStatus.HANDED_OVER, 2, expires_at=NOW - timedelta(minutes=1)
    )
    expired = await make_application("GD-BOTH", ApplicationStatus.EXPIRED, 3)
    cancelled = await make_application("GD-BOTH", ApplicationStatus.CANCELLED, 4)
    made_loan = await make_application("GD-BOTH", ApplicationStatus.LOAN_CREATED, 5)

    async def keys(statuses: list[str]) -> list[int]:
        page = await list_page(graph, statuses=statuses)
        return [application_key(edge["node"]["id"]) for edge in page["edges"]]

    assert await keys(["HANDED_OVER", "PENDING_PUSH"]) == [open_one]
    assert await keys(["EXPIRED"]) == [lapsed, expired]
    assert await keys(["CANCELLED", "LOAN_CREATED"]) == [cancelled, made_loan]
    assert await keys([]) == []
    everything = (await list_page(graph))["edges"]
    assert [edge["node"]["status"] for edge in everything] == [
        "HANDED_OVER",
        "EXPIRED",
        "EXPIRED",
        "CANCELLED",
        "LOAN_CREATED",
    ]


async def test_a_foreign_cursor_is_invalid_input(graph: Graph) -> None:
    result = await graph.query(LIST, {"after": "bm90LWEtY3Vyc29y"})
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_cancelling_frees_the_orders_at_once_and_is_published(graph: Graph) -> None:
    # given: an open application over two orders
    await approve_in_db(graph)
    nodes = await order_nodes(graph)
    chosen = [pick(nodes, "MALL", "PROCESSING")[0]["id"], pick(nodes, "MRO", "PENDING_SHIPMENT")[0]["id"]]
    application = (await apply(graph, chosen))["application"]
    assert application["status"] == "HANDED_OVER"
    async with graph.services.broker.subscribe(application_topic("GD-BOTH")) as events:
        # when
        cancelled = await cancel(graph, application["id"])
        # then: subscribers of the supplier's applications hear of it
        event = await anext(events)
    assert event["kind"] == "application"
    assert cancelled["userErrors"] == []
    assert cancelled["application"]["status"] == "CANCELLED"
    assert await OrderClaim.all().count() == 0
    nodes = await order_nodes(graph)
    assert {by_id(nodes, node_id)["financingStatus"] for node_id in chosen} == {"NOT_FINANCED"}
    listed = await list_page(graph, statuses=["CANCELLED"])
    assert [edge["node"]["id"] for edge in listed["edges"]] == [application["id"]]
    # and the same orders can be applied for again at once
    again = await apply(graph, list(reversed(chosen)))
    assert again["userErrors"] == []
    # cancelling the cancelled one again answers it unchanged
    repeated = await cancel(graph, application["id"])
    assert (repeated["userErrors"], repeated["application"]["status"]) == ([], "CANCELLED")
    assert await OrderClaim.all().count() == 2


async def test_an_unknown_or_foreign_application_is_not_found(graph: Graph) -> None:
    theirs = await make_application("HN-MALL", ApplicationStatus.HANDED_OVER, 0)
    foreign = await cancel(graph, _global_id(theirs))
    unknown = await cancel(graph, _global_id(theirs + 1000))
    for payload in (foreign, unknown):
        assert payload["application"] is None
        assert [e["code"] for e in payload["userErrors"]] == ["APPLICATION_NOT_FOUND"]
    assert (await FinancingApplication.get(id=theirs)).status is ApplicationStatus.HANDED_OVER
    malformed = await graph.query(CANCEL, {"id": "not-an-id"})
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_applications_with_a_loan_or_past_their_expiry_are_not_cancellable(graph: Graph) -> None:
    made_loan = await make_application("GD-BOTH", ApplicationStatus.LOAN_CREATED, 0)
    expired = await make_application("GD-BOTH", ApplicationStatus.EXPIRED, 1)
    lapsed = await make_application(
        "GD-BOTH", ApplicationStatus.HANDED_OVER, 2, expires_at=NOW - timedelta(seconds=1)
    )
    failed = await make_application("GD-BOTH", ApplicationStatus.FAILED, 3)
    for application_id, status in [
        (made_loan, "LOAN_CREATED"),
        (expired, "EXPIRED"),
        (lapsed, "EXPIRED"),
        (failed, "FAILED"),
    ]:
        payload = await cancel(graph, _global_id(application_id))
        assert [e["code"] for e in payload["userErrors"]] == ["APPLICATION_NOT_CANCELLABLE"], status
        assert payload["application"]["status"] == status
    assert await FinancingApplication.filter(status=ApplicationStatus.CANCELLED).count() == 0


def _global_id(application_id: int) -> str:
    import base64

    return base64.b64encode(f"FinancingApplication:{application_id}".encode()).decode()
