"""The back office over the schema: every operator query, refused to suppliers, audited."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest
import ws_support
from app_fixtures import Bff
from factories import create_admission, create_consent, create_loan
from graph_fixtures import Graph

from bff.auth import Role
from bff.models import AdmissionStatus, EntryPoint, LoanStatus

SUPPLIERS = """
query ($statuses: [AdmissionStatus!], $points: [EntryPoint!], $overdue: Boolean, $first: Int, $after: String) {
  suppliers(admissionStatuses: $statuses, entryPoints: $points, overdue: $overdue, first: $first, after: $after) {
    edges { node { code } cursor }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""
FUNNEL = """
query ($from: Date!, $to: Date!) {
  entryPointFunnel(from: $from, to: $to) { entryPoint agreed opened approved rejected }
}
"""
OVERDUE = """
query ($first: Int, $after: String) {
  overdueLoans(first: $first, after: $after) {
    edges { node { loanNo status } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""
CONSENTS = """
query ($code: String!) {
  supplier(code: $code) { admission { status consents { agreementVersion agreedAt ip userAgent } } }
}
"""
VIEWER_CONSENTS = "{ viewer { admission { status consents { agreementVersion } } } }"
OPEN_FINANCING = "mutation { openFinancing { userErrors { code } } }"
AGREE = """
mutation { agreeToAuthorization(input: {agreementVersion: "2026-01", entryPoint: FINTECH_HOME_BANNER}) {
  userErrors { code } } }
"""

pytestmark = pytest.mark.usefixtures("db")


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 4, 0, tzinfo=UTC)  # noon in Shanghai


async def known_suppliers() -> None:
    """Four suppliers: two from the banner (one approved with an overdue loan, one rejected), one from the
    MRO order list still verifying, one from the order list that only agreed (a day later)."""
    await create_admission(
        "GD-BOTH",
        status=AdmissionStatus.APPROVED,
        entry_point=EntryPoint.FINTECH_HOME_BANNER,
        agreed_at=at(1),
        opened_at=at(1),
    )
    await create_admission(
        "HN-MALL",
        status=AdmissionStatus.REJECTED,
        entry_point=EntryPoint.FINTECH_HOME_BANNER,
        agreed_at=at(2),
        opened_at=at(2),
    )
    await create_admission(
        "SC-MRO",
        status=AdmissionStatus.VERIFIED,
        entry_point=EntryPoint.MRO_ORDER_MANAGEMENT,
        agreed_at=at(3),
        opened_at=at(3),
    )
    await create_admission(
        "YN-NEW", status=AdmissionStatus.AGREED, entry_point=EntryPoint.SUPPLIER_ORDER_LIST, agreed_at=at(10)
    )
    await create_loan("L-OVER", "GD-BOTH", status=LoanStatus.OVERDUE, overdue_since=date(2026, 3, 5))
    await create_loan("L-OK", "SC-MRO", status=LoanStatus.DISBURSED)


async def operator(graph: Graph, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    return await graph.query(query, variables, as_supplier="OPS-ZHANG", role=Role.OPERATOR)


def codes(result: dict[str, object]) -> list[str]:
    data = result["data"]
    assert isinstance(data, dict), result
    return [edge["node"]["code"] for edge in data["suppliers"]["edges"]]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(SUPPLIERS, {}, id="suppliers"),
        pytest.param(FUNNEL, {"from": "2026-03-01", "to": "2026-03-31"}, id="entryPointFunnel"),
        pytest.param(OVERDUE, {}, id="overdueLoans"),
    ],
)
async def test_operator_queries_are_refused_to_suppliers(
    graph: Graph, query: str, variables: dict[str, object]
) -> None:
    # given
    await known_suppliers()
    # when
    result = await graph.query(query, variables, as_supplier="GD-BOTH")
    # then
    assert result["data"] is None
    assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]


async def test_consents_are_refused_to_the_supplier_itself(graph: Graph) -> None:
    await known_suppliers()
    result = await graph.query(VIEWER_CONSENTS, as_supplier="GD-BOTH")
    assert result["data"] == {"viewer": {"admission": {"status": "APPROVED", "consents": None}}}
    assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]


async def test_suppliers_filter_by_status_entry_point_and_overdue(graph: Graph) -> None:
    await known_suppliers()
    assert codes(await operator(graph, SUPPLIERS)) == ["YN-NEW", "SC-MRO", "HN-MALL", "GD-BOTH"]
    assert codes(await operator(graph, SUPPLIERS, {"statuses": ["APPROVED", "REJECTED"]})) == [
        "HN-MALL",
        "GD-BOTH",
    ]
    assert codes(await operator(graph, SUPPLIERS, {"points": ["MRO_ORDER_MANAGEMENT"]})) == ["SC-MRO"]
    assert codes(await operator(graph, SUPPLIERS, {"overdue": True})) == ["GD-BOTH"]
    assert codes(await operator(graph, SUPPLIERS, {"overdue": False})) == ["YN-NEW", "SC-MRO", "HN-MALL"]
    assert codes(await operator(graph, SUPPLIERS, {"points": ["FINTECH_HOME_BANNER"], "overdue": False})) == [
        "HN-MALL"
    ]


async def test_suppliers_page_through_with_cursors(graph: Graph) -> None:
    await known_suppliers()
    first = await operator(graph, SUPPLIERS, {"first": 3})
    assert codes(first) == ["YN-NEW", "SC-MRO", "HN-MALL"]
    connection = first["data"]["suppliers"]  # type: ignore[index]
    assert connection["totalCount"] == 4
    assert connection["pageInfo"]["hasNextPage"] is True
    rest = await operator(graph, SUPPLIERS, {"first": 3, "after": connection["pageInfo"]["endCursor"]})
    assert codes(rest) == ["GD-BOTH"]
    assert rest["data"]["suppliers"]["pageInfo"]["hasNextPage"] is False  # type: ignore[index]


async def test_funnel_counts_the_admissions_agreed_in_the_window(graph: Graph) -> None:
    await known_suppliers()
    result = await operator(graph, FUNNEL, {"from": "2026-03-01", "to": "2026-03-09"})
    rows = {row["entryPoint"]: row for row in result["data"]["entryPointFunnel"]}  # type: ignore[index]
    assert len(rows) == len(EntryPoint)
    assert rows["FINTECH_HOME_BANNER"] == {
        "entryPoint": "FINTECH_HOME_BANNER",
        "agreed": 2,
        "opened": 2,
        "approved": 1,
        "rejected": 1,
    }
    assert rows["MRO_ORDER_MANAGEMENT"] == {
        "entryPoint": "MRO_ORDER_MANAGEMENT",
        "agreed": 1,
        "opened": 1,
        "approved": 0,
        "rejected": 0,
    }
    # YN-NEW agreed on the 10th: outside the window
    assert rows["SUPPLIER_ORDER_LIST"]["agreed"] == 0
    later = await operator(graph, FUNNEL, {"from": "2026-03-10", "to": "2026-03-10"})
    rows = {row["entryPoint"]: row for row in later["data"]["entryPointFunnel"]}  # type: ignore[index]
    assert rows["SUPPLIER_ORDER_LIST"] == {
        "entryPoint": "SUPPLIER_ORDER_LIST",
        "agreed": 1,
        "opened": 0,
        "approved": 0,
        "rejected": 0,
    }


async def test_funnel_refuses_a_window_that_ends_before_it_starts(graph: Graph) -> None:
    result = await operator(graph, FUNNEL, {"from": "2026-03-10", "to": "2026-03-01"})
    assert [error["extensions"]["code"] for error in result["errors"]] == ["INVALID_INPUT"]


async def test_overdue_loans_of_every_supplier(graph: Graph) -> None:
    await known_suppliers()
    await create_loan("L-OVER-2", "SC-MRO", status=LoanStatus.OVERDUE, overdue_since=date(2026, 3, 7))
    first = await operator(graph, OVERDUE, {"first": 1})
    connection = first["data"]["overdueLoans"]  # type: ignore[index]
    assert connection["edges"] == [{"node": {"loanNo": "L-OVER", "status": "OVERDUE"}}]
    assert connection["totalCount"] == 2
    rest = await operator(graph, OVERDUE, {"first": 1, "after": connection["pageInfo"]["endCursor"]})
    assert rest["data"]["overdueLoans"]["edges"] == [  # type: ignore[index]
        {"node": {"loanNo": "L-OVER-2", "status": "OVERDUE"}}
    ]


async def test_consents_show_every_agreement_of_the_supplier(graph: Graph) -> None:
    await known_suppliers()
    await create_consent("GD-BOTH", agreement_version="2025-06", agreed_at=datetime(2025, 6, 1, tzinfo=UTC))
    result = await operator(graph, CONSENTS, {"code": "GD-BOTH"})
    assert result == {
        "data": {
            "supplier": {
                "admission": {
                    "status": "APPROVED",
                    "consents": [
                        {
                            "agreementVersion": "2026-01",
                            "agreedAt": "2026-03-01T12:00:00+08:00",
                            "ip": "127.0.0.1",
                            "userAgent": "test",
                        },
                        {
                            "agreementVersion": "2025-06",
                            "agreedAt": "2025-06-01T08:00:00+08:00",
                            "ip": "127.0.0.1",
                            "userAgent": "test",
                        },
                    ],
                }
            }
        }
    }


async def test_every_operator_read_is_audited_with_the_operators_sub(
    graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    await known_suppliers()
    with caplog.at_level(logging.INFO, logger="bff.audit"):
        await operator(graph, SUPPLIERS, {"overdue": True})
        await operator(graph, OVERDUE)
        await operator(graph, FUNNEL, {"from": "2026-03-01", "to": "2026-03-09"})
        await operator(graph, CONSENTS, {"code": "GD-BOTH"})
    audited = [r.getMessage() for r in caplog.records if r.name == "bff.audit"]
    assert len(audited) == 5
    assert all("operator OPS-ZHANG read" in message for message in audited)
    assert [message.split(" read ")[1].split()[0] for message in audited] == [
        "suppliers",
        "overdueLoans",
        "entryPointFunnel",
        "supplier",  # the consents are read through supplier(code:)
        "Admission.consents",
    ]


@pytest.mark.parametrize("mutation", [OPEN_FINANCING, AGREE], ids=["openFinancing", "agreeToAuthorization"])
async def test_operators_cannot_act_as_a_supplier(graph: Graph, mutation: str) -> None:
    result = await operator(graph, mutation)
    assert result["data"] is None
    assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]


SUPPLIER_SUBSCRIPTIONS = [
    pytest.param("subscription { admissionChanged { status } }", id="admissionChanged"),
    pytest.param("subscription { loanStatusChanged { loanNo } }", id="loanStatusChanged"),
    pytest.param("subscription { noticeReceived { kind } }", id="noticeReceived"),
]


@pytest.mark.parametrize("subscription", SUPPLIER_SUBSCRIPTIONS)
async def test_operators_cannot_subscribe_as_a_supplier(bff: Bff, subscription: str) -> None:
    ws = await ws_support.subscribe(
        bff.http, bff.url, bff.token("OPS", Role.OPERATOR), subscription, subscribers=None
    )
    try:
        message = await ws.receive(timeout=10)
        frame = json.loads(message.data)
    finally:
        await ws.close()
    # a `next` carrying the refusal (the subscription's generator raised before yielding)
    assert frame["type"] == "next"
    assert frame["payload"]["data"] is None
    assert [error["extensions"]["code"] for error in frame["payload"]["errors"]] == ["FORBIDDEN"]


async def test_supplier_lookup_and_quarantine_are_audited_too(
    graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bff.audit"):
        await operator(graph, 'query { supplier(code: "GD-BOTH") { code } }')
        await operator(graph, "query { quarantinedBankEvents { totalCount } }")
        refused = await graph.query("query { quarantinedBankEvents { totalCount } }", as_supplier="GD-BOTH")
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["FORBIDDEN"]
    audited = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bff.audit"]
    assert [level for level, _ in audited] == ["INFO", "INFO", "WARNING"]
    assert audited[0][1].startswith("operator OPS-ZHANG read supplier code='GD-BOTH'")
    assert audited[1][1].startswith("operator OPS-ZHANG read quarantinedBankEvents")
    assert audited[2][1].startswith("refused quarantinedBankEvents to supplier GD-BOTH")
