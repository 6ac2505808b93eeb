"""`operations/`: each document is valid against `schema.graphql`, is named after its file, and does what its
page needs against the sandbox — a supplier's whole way from the entry-point banner to a repayment hand-off."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from app_fixtures import Bff
from bank_http import borrow_on_order_page, register_and_apply
from financing_support import credit_code_of
from graphql import OperationDefinitionNode, build_schema, parse, validate
from ws_support import next_payload

from bff.auth import Role
from bff.cli import main
from bff.clock import SHANGHAI
from bff.operations import DEFAULT_DIRECTORY, Operation, load_operations

SCHEMA = build_schema((DEFAULT_DIRECTORY.parent / "schema.graphql").read_text(encoding="utf-8"))
OPERATIONS = {operation.name: operation for operation in load_operations(DEFAULT_DIRECTORY)}
WRONG_STATUS_MESSAGE = "请勾选待发货、处理中的订单发起贷款申请"


def test_there_is_a_document_for_each_page_and_widget() -> None:
    assert {
        "EntryPointBanner",
        "ProductAccess",
        "AgreeToAuthorization",
        "OpenFinancing",
        "SubmitHandler",
        "MallOrderList",
        "MroOrderManagement",
        "FinancingPreview",
        "ApplyForOrderFinancing",
        "DataList",
        "LoanDetails",
        "StartRepayment",
        "MroFinancingQuery",
        "LoanStatusChanged",
        "AdmissionChanged",
        "FinancingApplicationChanged",
        "Dashboard",
        "Notices",
        "MarkNoticesRead",
        "NoticeReceived",
        "BackOfficeSuppliers",
        "EntryPointFunnel",
        "OverdueLoans",
    } <= set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=list(OPERATIONS))
def test_each_document_is_valid_against_schema_graphql(operation: Operation) -> None:
    document = parse(operation.text)
    assert validate(SCHEMA, document) == []
    [defined] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert defined.name is not None
    assert defined.name.value == operation.name
    assert Path(operation.file).stem == operation.name
    assert defined.operation.value == operation.kind


class Pages:
    """The operations as a portal sends them: by name, with variables; records which ran."""

    def __init__(self, bff: Bff) -> None:
        self.bff = bff
        self.ran: set[str] = set()

    async def run(self, name: str, /, **variables: Any) -> dict[str, Any]:
        self.ran.add(name)
        result = await self.bff.query(OPERATIONS[name].text, variables)
        assert "errors" not in result, result
        data: dict[str, Any] = result["data"]
        return data

    async def operate(self, name: str, /, **variables: Any) -> dict[str, Any]:
        """As a platform operator (the back office's documents)."""
        self.ran.add(name)
        result = await self.bff.query(OPERATIONS[name].text, variables, as_supplier="OPS", role=Role.OPERATOR)
        assert "errors" not in result, result
        data: dict[str, Any] = result["data"]
        return data

    async def subscribe(self, name: str, /, **variables: Any) -> aiohttp.ClientWebSocketResponse:
        self.ran.add(name)
        return await self.bff.subscribe(OPERATIONS[name].text, variables)


async def pushed(ws: aiohttp.ClientWebSocketResponse, field: str) -> dict[str, Any]:
    payload = await next_payload(ws)
    assert "errors" not in payload, payload
    value: dict[str, Any] = payload["data"][field]
    return value


async def whole_journey(bff: Bff) -> None:
    """`supplier_journey`, its subscriptions open to the end: closing a socket while the server still
    resolves a late event for it (a repeated admission or application change) leaves that event's
    resolvers unawaited."""
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    try:
        await supplier_journey(Pages(bff), bff, sockets)
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_supplier_goes_from_the_banner_to_a_repayment_with_the_page_operations(bff: Bff) -> None:
    await whole_journey(bff)


async def supplier_journey(pages: Pages, bff: Bff, sockets: list[aiohttp.ClientWebSocketResponse]) -> None:
    credit_code = credit_code_of(bff, "GD-BOTH")

    # 入口 banner: eligible, no admission yet
    banner = (await pages.run("EntryPointBanner"))["viewer"]
    assert banner["eligibility"] == {"eligible": True, "eligibleFrom": None, "reasons": []}
    assert (banner["admission"], banner["creditLimit"]) == (None, None)

    # 产品准入: agree, 开通, the handler form
    agreed = (
        await pages.run("AgreeToAuthorization", entryPoint="FINTECH_HOME_BANNER", agreementVersion="2026-01")
    )["agreeToAuthorization"]
    assert agreed["userErrors"] == []
    assert agreed["admission"]["statusLabel"] == "已同意授权"
    opened = (await pages.run("OpenFinancing"))["openFinancing"]
    assert (opened["userErrors"], opened["admission"]["status"]) == ([], "OPENED")
    handler = (await pages.run("SubmitHandler", name="李经办", phone="13800138000", email="jb@example.com"))[
        "submitHandler"
    ]
    assert handler["userErrors"] == []
    assert handler["registrationUrl"]
    progress = (await pages.run("ProductAccess"))["viewer"]["admission"]
    assert progress["statusLabel"] == "注册认证中"
    assert progress["handler"] == {"name": "李经办", "phone": "13800138000", "email": "jb@example.com"}
    assert [step["state"] for step in progress["steps"]].count("CURRENT") == 1

    # at the bank: registration, verification, the limit decision — pushed to the open page
    admission_ws = await pages.subscribe("AdmissionChanged")
    notice_ws = await pages.subscribe("NoticeReceived")
    sockets += [admission_ws, notice_ws]
    await register_and_apply(bff.http, bff.sandbox, handler["registrationUrl"], credit_code)
    admission = await pushed(admission_ws, "admissionChanged")
    while admission["status"] != "APPROVED":
        admission = await pushed(admission_ws, "admissionChanged")
    assert admission["statusLabel"] == "审核通过"
    notice = await pushed(notice_ws, "noticeReceived")
    assert (notice["kind"], notice["title"]) == ("LIMIT_APPROVED", "授信审批通过")
    approved = (await pages.run("ProductAccess"))["viewer"]["admission"]
    assert Decimal(approved["creditLimit"]["orderLoan"]["available"]) > 0
    assert {step["state"] for step in approved["steps"]} == {"DONE"}
    banner = (await pages.run("EntryPointBanner"))["viewer"]
    assert banner["admission"]["status"] == "APPROVED"
    assert (
        banner["creditLimit"]["orderLoan"]["available"] == approved["creditLimit"]["orderLoan"]["available"]
    )

    # the order lists, with their financing columns
    mall = [e["node"] for e in (await pages.run("MallOrderList", first=50))["viewer"]["orders"]["edges"]]
    mro = [e["node"] for e in (await pages.run("MroOrderManagement", first=50))["viewer"]["orders"]["edges"]]
    assert mall
    assert mro
    labels = {(order["status"], order["statusLabel"]) for order in mall + mro}
    assert ("PENDING_SHIPMENT", "待发货") in labels
    wrong = next(order for order in mall if order["status"] == "COMPLETED")
    assert (wrong["financeable"], wrong["statusLabel"]) == (False, "已完成")
    chosen = [next(o for o in mall if o["financeable"]), next(o for o in mro if o["financeable"])]

    # a wrong status among the ticked orders: the manual's message
    preview = (await pages.run("FinancingPreview", orderIds=[wrong["id"], chosen[0]["id"]]))["viewer"][
        "financingPreview"
    ]
    assert [error["code"] for error in preview["userErrors"]] == ["ORDER_STATUS_NOT_FINANCEABLE"]
    assert WRONG_STATUS_MESSAGE in preview["userErrors"][0]["message"]
    preview = (await pages.run("FinancingPreview", orderIds=[o["id"] for o in chosen]))["viewer"][
        "financingPreview"
    ]
    assert preview["userErrors"] == []
    assert Decimal(preview["financeableTotal"]) == sum(Decimal(o["financeableAmount"]) for o in chosen)

    # a withdrawn application frees its order
    spare = next(o for o in mall if o["financeable"] and o["id"] != chosen[0]["id"])
    withdrawn = (await pages.run("ApplyForOrderFinancing", orderIds=[spare["id"]]))["applyForOrderFinancing"]
    cancelled = (await pages.run("CancelFinancingApplication", applicationId=withdrawn["application"]["id"]))[
        "cancelFinancingApplication"
    ]
    assert (cancelled["userErrors"], cancelled["application"]["statusLabel"]) == ([], "已撤销")

    # 在线融资申请 → the bank's page → a loan, pushed live to the 数据列表
    applied = (await pages.run("ApplyForOrderFinancing", orderIds=[o["id"] for o in chosen]))[
        "applyForOrderFinancing"
    ]
    assert applied["userErrors"] == []
    application_ws = await pages.subscribe(
        "FinancingApplicationChanged", applicationId=applied["application"]["id"]
    )
    sockets.append(application_ws)
    financing_url = applied["redirectUrl"]
    if applied["handOverPending"]:  # the push to the bank is queued: its page comes with HANDED_OVER
        handed = await pushed(application_ws, "financingApplicationChanged")
        while handed["status"] != "HANDED_OVER":
            handed = await pushed(application_ws, "financingApplicationChanged")
        financing_url = handed["financingUrl"]
    else:
        assert applied["application"]["statusLabel"] == "待微众银行确认"
    assert financing_url
    loans_ws = await pages.subscribe("LoanStatusChanged")
    sockets.append(loans_ws)
    amount = (Decimal(applied["application"]["ceiling"]) / 2).quantize(Decimal("1"))
    await borrow_on_order_page(bff.http, bff.sandbox, financing_url, [o["orderNo"] for o in chosen], amount)
    loan = await pushed(loans_ws, "loanStatusChanged")
    while loan["status"] != "DISBURSED":
        loan = await pushed(loans_ws, "loanStatusChanged")
    application = await pushed(application_ws, "financingApplicationChanged")
    while application["status"] != "LOAN_CREATED":
        application = await pushed(application_ws, "financingApplicationChanged")
    assert (loan["statusLabel"], Decimal(loan["amount"])) == ("已放款", amount)
    assert application["statusLabel"] == "已生成融资"
    assert [each["loanNo"] for each in application["loans"]] == [loan["loanNo"]]

    rows = [
        e["node"] for e in (await pages.run("DataList", statuses=["DISBURSED"]))["viewer"]["loans"]["edges"]
    ]
    assert [(row["loanNo"], row["statusLabel"]) for row in rows] == [(loan["loanNo"], "已放款")]

    # 融资详情: plan, documents, payoff
    details = (await pages.run("LoanDetails", id=loan["id"]))["node"]
    assert details["statusLabel"] == "已放款"
    assert {o["orderNo"] for o in details["orders"]} == {o["orderNo"] for o in chosen}
    assert len(details["installments"]) == 6
    assert sum(Decimal(i["principal"]) for i in details["installments"]) == amount
    assert "LOAN_CONTRACT" in {document["kind"] for document in details["documents"]}
    assert all(document["downloadUrl"] for document in details["documents"])
    assert Decimal(details["payoffQuote"]["principal"]) == amount

    # MRO 融资查询: the MRO order shows the loan it backs
    mro_rows = [
        e["node"] for e in (await pages.run("MroFinancingQuery", first=50))["viewer"]["orders"]["edges"]
    ]
    financed = next(row for row in mro_rows if row["id"] == chosen[1]["id"])
    assert financed["financingStatus"] == "FINANCED"
    assert [(each["loanNo"], each["statusLabel"]) for each in financed["loans"]] == [
        (loan["loanNo"], "已放款")
    ]

    # 还款 hand-off, and 信用融资
    repay = (await pages.run("StartRepayment", loanId=loan["id"], kind="EARLY_SETTLEMENT"))["startRepayment"]
    assert repay["userErrors"] == []
    assert repay["redirectUrl"]
    assert Decimal(repay["payoffQuote"]["principal"]) == amount
    credit = (await pages.run("ApplyForCreditFinancing"))["applyForCreditFinancing"]
    assert credit["userErrors"] == []
    assert credit["redirectUrl"]

    # 首页概览 and 消息通知
    summary = (await pages.run("Dashboard"))["viewer"]["summary"]
    assert Decimal(summary["outstandingPrincipal"]) == amount
    assert summary["nextDue"]["loan"]["loanNo"] == loan["loanNo"]
    assert summary["financeableOrderCount"] >= 1
    notices = (await pages.run("Notices"))["viewer"]["notices"]
    assert [edge["node"]["kind"] for edge in notices["edges"]] == ["DISBURSED", "LIMIT_APPROVED"]
    assert notices["unreadCount"] == 2
    marked = (await pages.run("MarkNoticesRead", ids=[edge["node"]["id"] for edge in notices["edges"]]))[
        "markNoticesRead"
    ]
    assert marked["userErrors"] == []
    assert (await pages.run("Notices", unreadOnly=True))["viewer"]["notices"]["edges"] == []

    # 运营后台: the supplier among the approved ones, its entry point in the funnel, no overdue loan yet
    suppliers = (await pages.operate("BackOfficeSuppliers", admissionStatuses=["APPROVED"]))["suppliers"]
    [row] = [edge["node"] for edge in suppliers["edges"]]
    assert (row["code"], row["admission"]["entryPoint"]) == ("GD-BOTH", "FINTECH_HOME_BANNER")
    assert [consent["agreementVersion"] for consent in row["admission"]["consents"]] == ["2026-01"]
    today = datetime.now(SHANGHAI).date()
    funnel = (
        await pages.operate(
            "EntryPointFunnel",
            **{
                "from": (today - timedelta(days=1)).isoformat(),
                "to": (today + timedelta(days=1)).isoformat(),
            },
        )
    )["entryPointFunnel"]
    banner_row = next(r for r in funnel if r["entryPoint"] == "FINTECH_HOME_BANNER")
    assert (banner_row["agreed"], banner_row["opened"], banner_row["approved"]) == (1, 1, 1)
    assert (await pages.operate("OverdueLoans"))["overdueLoans"]["totalCount"] == 0

    assert pages.ran == set(OPERATIONS), f"not exercised: {set(OPERATIONS) - pages.ran}"


def test_bff_operations_prints_each_documents_hash_for_a_client_build(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["operations", "--json"])
    assert exited.value.code == 0
    listed = json.loads(capsys.readouterr().out)
    assert {entry["name"]: entry["sha256"] for entry in listed} == {
        name: hashlib.sha256(operation.text.encode()).hexdigest() for name, operation in OPERATIONS.items()
    }
    assert {entry["kind"] for entry in listed} == {"query", "mutation", "subscription"}
