"""The sandbox upstreams over a real socket, as the adapters will see them."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import aiohttp
import pytest

from bff.signing import REQUEST_ID_HEADER, signed_headers
from bff_sandbox import RunningSandbox, start_sandbox
from bff_sandbox.data import add_months

APP_ID = "sandbox-test-app"
SECRET = "sandbox-test-secret-0123456789"
TODAY = date(2026, 3, 15)
GD_BOTH_CREDIT_CODE = "91440300MA5314187G"
HN_MALL_CREDIT_CODE = "91430100MA5418916L"
BAD_CREDIT_CODE = "91440100MA5675664M"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox for the session; tests that change its state use `fresh_sandbox`."""
    with start_sandbox(today=TODAY, webank_app_id=APP_ID, webank_secret=SECRET) as running:
        yield running


@pytest.fixture
def fresh_sandbox(sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    """The shared sandbox, reset to its seed before and after the test."""
    sandbox.state.reset()
    yield sandbox
    sandbox.state.reset()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


async def get(http: aiohttp.ClientSession, url: str, **params: str) -> Answer:
    async with http.get(url, params=params) as response:
        return Answer(response.status, await response.json())


async def post(http: aiohttp.ClientSession, url: str, body: Any) -> Answer:
    async with http.post(url, json=body) as response:
        return Answer(response.status, await response.json())


async def webank(
    http: aiohttp.ClientSession,
    sandbox: RunningSandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    request_id: str | None = None,
    secret: str = SECRET,
    app_id: str = APP_ID,
) -> Answer:
    raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = {**signed_headers(app_id, secret, raw), "Content-Type": "application/json"}
    if request_id is not None:
        headers[REQUEST_ID_HEADER] = request_id
    async with http.request(method, sandbox.webank_url + path, data=raw, headers=headers) as response:
        return Answer(response.status, await response.json())


def supplier_push_body(credit_code: str = GD_BOTH_CREDIT_CODE, *, months: int = 24, end: date = TODAY) -> Any:
    month_list = [f"{add_months(end, -k):%Y-%m}" for k in range(months - 1, -1, -1)]
    return {
        "supplier": {
            "code": "GD-BOTH",
            "name": "深圳市筑城建材有限公司",
            "credit_code": credit_code,
            "province": "广东省",
            "city": "深圳市",
        },
        "statistics": {
            "months": [
                {"month": m, "order_amount": "1000.50", "settled_amount": "800.25", "order_count": 2}
                for m in month_list
            ],
            "buyers": 7,
        },
    }


ORDER_PUSH_BODY = {
    "credit_code": GD_BOTH_CREDIT_CODE,
    "orders": [
        {
            "order_no": "CG20260314000001",
            "source": "MALL",
            "status": "PENDING_SHIPMENT",
            "amount": "10919.48",
            "financeable_amount": "5459.74",
            "buyer_name": "中国建筑第八工程局有限公司",
            "contract": {
                "contract_no": "HT202603120001",
                "amount": "10919.48",
                "signed_at": "2026-03-12T06:17:29+08:00",
            },
        },
        {
            "order_no": "MRO20260313000001",
            "source": "MRO",
            "status": "PENDING_SHIPMENT",
            "amount": "8219.48",
            "financeable_amount": "4109.74",
            "buyer_name": "陕西建工集团股份有限公司",
            "contract": None,
        },
    ],
}


# --- server ------------------------------------------------------------------------------------------


def test_port_zero_picks_a_free_port_and_stop_closes_it(sandbox: RunningSandbox) -> None:
    with start_sandbox(today=TODAY, webank_app_id=APP_ID, webank_secret=SECRET) as other:
        assert other.url != sandbox.url
        assert other.url.startswith("http://127.0.0.1:")
        assert other.mall_url == other.url + "/mall"
        assert other.mro_url == other.url + "/mro"
        assert other.webank_url == other.url + "/webank"
        port = int(other.url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


# --- mall --------------------------------------------------------------------------------------------


async def test_mall_suppliers_lists_known_codes_only(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    answer = await get(http, sandbox.mall_url + "/api/suppliers", codes="JL-CC,NOPE,GD-BOTH")

    assert answer.status == 200
    assert answer.body == {
        "suppliers": [
            {
                "code": "JL-CC",
                "name": "长春北方钢材贸易有限公司",
                "credit_code": "91220100MA5733103E",
                "province": "吉林省长春市",
                "city": "",
            },
            {
                "code": "GD-BOTH",
                "name": "深圳市筑城建材有限公司",
                "credit_code": GD_BOTH_CREDIT_CODE,
                "province": "广东省",
                "city": "深圳市",
            },
        ]
    }


async def test_mall_orders_are_newest_first_with_id_tie_break(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    first = await get(http, sandbox.mall_url + "/api/orders", supplier="GD-BOTH", page="1", size="5")
    second = await get(http, sandbox.mall_url + "/api/orders", supplier="GD-BOTH", page="2", size="5")

    assert first.body["total"] == 36
    # 100036 and 100001 were created at the same moment: the higher id comes first.
    assert [o["id"] for o in first.body["orders"]] == ["100036", "100001", "100017", "100033", "100014"]
    assert [o["id"] for o in second.body["orders"]] == ["100030", "100011", "100027", "100008", "100024"]
    assert first.body["orders"][1] == {
        "id": "100001",
        "order_no": "CG20260314000001",
        "supplier_code": "GD-BOTH",
        "status": "PENDING_SHIPMENT",
        "amount": "10919.48",
        "buyer_name": "中国建筑第八工程局有限公司",
        "created_at": "2026-03-14T09:17:29+08:00",
        "contract": {
            "contract_no": "HT202603120001",
            "amount": "10919.48",
            "signed_at": "2026-03-12T06:17:29+08:00",
        },
    }
    assert second.body["orders"][3]["contract"] is None


async def test_mall_orders_all_pages_cover_every_order_once(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    pages = [
        await get(http, sandbox.mall_url + "/api/orders", supplier="GD-BOTH", page=str(p), size="10")
        for p in (1, 2, 3, 4, 5)
    ]

    ids = [o["id"] for page in pages for o in page.body["orders"]]
    assert [len(page.body["orders"]) for page in pages] == [10, 10, 10, 6, 0]
    assert sorted(ids) == [str(i) for i in range(100001, 100037)]
    created = [o["created_at"] for page in pages for o in page.body["orders"]]
    assert created == sorted(created, reverse=True)  # one offset, so ISO strings sort as times
    assert {o["status"] for page in pages for o in page.body["orders"]} == {
        "PENDING_CONFIRMATION",
        "PENDING_SHIPMENT",
        "PROCESSING",
        "COMPLETED",
        "REJECTED",
        "CANCELLED",
    }


async def test_mall_orders_status_filter(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    answer = await get(
        http, sandbox.mall_url + "/api/orders", supplier="GD-BOTH", status="PENDING_SHIPMENT,PROCESSING"
    )

    assert answer.body["total"] == 8
    assert [o["id"] for o in answer.body["orders"][:4]] == ["100036", "100001", "100017", "100014"]
    assert {o["status"] for o in answer.body["orders"]} == {"PENDING_SHIPMENT", "PROCESSING"}


async def test_mall_orders_of_a_supplier_without_orders(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    answer = await get(http, sandbox.mall_url + "/api/orders", supplier="SX-MRO")

    assert answer.body == {"total": 0, "orders": []}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"supplier": "GD-BOTH", "size": "0"}, id="size-below-1"),
        pytest.param({"supplier": "GD-BOTH", "size": "101"}, id="size-above-100"),
        pytest.param({"supplier": "GD-BOTH", "page": "0"}, id="page-below-1"),
        pytest.param({"supplier": "GD-BOTH", "page": "two"}, id="page-not-a-number"),
        pytest.param({"supplier": "GD-BOTH", "status": "SHIPPED"}, id="unknown-status"),
        pytest.param({"page": "1"}, id="no-supplier-nor-ids"),
        pytest.param({"ids": ",".join(str(100001 + i) for i in range(101))}, id="more-than-100-ids"),
    ],
)
async def test_mall_orders_refuses_bad_parameters(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, params: dict[str, str]
) -> None:
    answer = await get(http, sandbox.mall_url + "/api/orders", **params)

    assert answer.status == 400
    assert list(answer.body) == ["error"]


async def test_mall_orders_by_ids(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    answer = await get(http, sandbox.mall_url + "/api/orders", ids="100002,999,100001,abc")

    assert [o["id"] for o in answer.body["orders"]] == ["100002", "100001"]
    assert list(answer.body) == ["orders"]


async def test_mall_fulfilment(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    answer = await get(http, sandbox.mall_url + "/api/fulfilment", codes="GD-BOTH,SX-MRO,NOPE")

    demo, mro_only = answer.body["fulfilment"]
    assert demo["supplier_code"] == "GD-BOTH"
    assert demo["first_fulfilled_at"] == "2023-03-15T14:13:00+08:00"
    # 24 months ending with March 2026: April 2024 onwards, one statement a month.
    assert [s["completed_at"][:7] for s in demo["statements"]] == [
        f"{add_months(TODAY, -k):%Y-%m}" for k in range(23, -1, -1)
    ]
    assert demo["statements"][-1] == {
        "no": "JS20260300025",
        "kind": "SETTLEMENT",
        "amount": "205975.36",
        "completed_at": "2026-03-14T10:25:00+08:00",
    }
    assert mro_only == {"supplier_code": "SX-MRO", "first_fulfilled_at": None, "statements": []}


# --- MRO ---------------------------------------------------------------------------------------------


async def test_mro_orders_are_newest_first_in_the_envelope(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    answer = await get(
        http, sandbox.mro_url + "/portal/trade-orders", supplierCode="GD-BOTH", pageNo="1", pageSize="4"
    )

    assert answer.status == 200
    assert answer.body["code"] == 0
    assert answer.body["msg"] == "ok"
    assert answer.body["data"]["total"] == 32
    orders = answer.body["data"]["list"]
    assert [o["tradeOrderId"] for o in orders] == [500032, 500001, 500010, 500019]
    assert orders[1] == {
        "tradeOrderId": 500001,
        "tradeOrderNo": "MRO20260313000001",
        "supplierCode": "GD-BOTH",
        "orderStatus": 20,
        "payAmount": 821948,
        "buyerCompanyName": "陕西建工集团股份有限公司",
        "gmtCreate": 1773369298000,  # 2026-03-13T10:34:58+08:00
        "contractNo": "MROHT202603130001",
    }


async def test_mro_orders_status_filter_and_last_page(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    filtered = await get(
        http, sandbox.mro_url + "/portal/trade-orders", supplierCode="GD-BOTH", statusList="20,30"
    )
    last = await get(
        http, sandbox.mro_url + "/portal/trade-orders", supplierCode="GD-BOTH", pageNo="4", pageSize="10"
    )

    assert filtered.body["data"]["total"] == 8
    assert {o["orderStatus"] for o in filtered.body["data"]["list"]} == {20, 30}
    assert [o["tradeOrderId"] for o in filtered.body["data"]["list"][:3]] == [500032, 500001, 500010]
    assert last.body["data"]["total"] == 32
    assert len(last.body["data"]["list"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"supplierCode": "GD-BOTH", "pageSize": "101"}, id="page-size-above-100"),
        pytest.param({"supplierCode": "GD-BOTH", "pageSize": "0"}, id="page-size-below-1"),
        pytest.param({"supplierCode": "GD-BOTH", "pageNo": "0"}, id="page-below-1"),
        pytest.param({"supplierCode": "GD-BOTH", "statusList": "20,70"}, id="unknown-status"),
        pytest.param({"pageNo": "1"}, id="no-supplier"),
    ],
)
async def test_mro_refuses_bad_parameters_inside_http_200(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, params: dict[str, str]
) -> None:
    answer = await get(http, sandbox.mro_url + "/portal/trade-orders", **params)

    assert answer.status == 200
    assert answer.body["code"] == 400
    assert answer.body["data"] is None


async def test_mro_batch(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    found = await post(http, sandbox.mro_url + "/portal/trade-orders/batch", {"ids": [500002, 1, 500001]})
    refused = await post(http, sandbox.mro_url + "/portal/trade-orders/batch", {"ids": ["500001"]})

    assert found.body["code"] == 0
    assert [o["tradeOrderId"] for o in found.body["data"]] == [500002, 500001]
    assert found.body["data"][0]["contractNo"] == "MROHT202510100002"
    assert refused.status == 200
    assert refused.body == {"code": 400, "msg": "ids must be a list of integers", "data": None}


async def test_mro_fulfilment(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    demo = await get(http, sandbox.mro_url + "/portal/suppliers/GD-BOTH/fulfilment")
    empty = await get(http, sandbox.mro_url + "/portal/suppliers/HN-MALL/fulfilment")
    unknown = await get(http, sandbox.mro_url + "/portal/suppliers/XZ-FAR/fulfilment")

    assert demo.body["code"] == 0
    assert demo.body["data"]["firstFulfilledAt"] == 1694765580000  # 2023-09-15T16:13:00+08:00
    assert demo.body["data"]["statements"][0] == {
        "statementNo": "MROJS20230900001",
        "type": 1,
        "amount": 1591948,
        "finishedAt": 1694765580000,
    }
    assert {s["type"] for s in demo.body["data"]["statements"]} == {1, 2}
    assert empty.body == {"code": 0, "msg": "ok", "data": {"firstFulfilledAt": None, "statements": []}}
    assert unknown.status == 200
    assert unknown.body == {"code": 404, "msg": "supplier not found", "data": None}


# --- WeBank ------------------------------------------------------------------------------------------


async def test_webank_rejects_bad_signatures_and_records_nothing(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    wrong_secret = await webank(
        http,
        fresh_sandbox,
        "POST",
        "/v1/suppliers/push",
        supplier_push_body(),
        request_id="r1",
        secret="nope",
    )
    wrong_app = await webank(
        http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit", app_id="someone-else"
    )
    async with http.get(fresh_sandbox.webank_url + f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit") as response:
        unsigned = Answer(response.status, await response.json())

    for answer in (wrong_secret, wrong_app, unsigned):
        assert answer.status == 401
        assert answer.body["code"] == "INVALID_SIGNATURE"
    assert fresh_sandbox.state.supplier_pushes() == ()
    # The same request id, properly signed, is still a first request.
    accepted = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="r1"
    )
    assert accepted.status == 200


async def test_webank_supplier_push_then_limit_pending(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    before = await webank(http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit")
    pushed = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="push-1"
    )
    after = await webank(http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit")

    nulls = {
        "total": None,
        "order_ratio": None,
        "credit_ratio": None,
        "valid_until": None,
        "reapply_after": None,
    }
    assert before.body == {"status": "NONE", **nulls}
    assert pushed.body == {
        "apply_no": "WBA000001",
        "register_url": f"{fresh_sandbox.url}/webank/pages/register?apply_no=WBA000001",
    }
    assert after.body == {"status": "PENDING", **nulls}
    (push,) = fresh_sandbox.state.supplier_pushes()
    assert push.supplier.credit_code == GD_BOTH_CREDIT_CODE
    assert (push.months[0].month, push.months[-1].month, push.buyers) == ("2024-04", "2026-03", 7)


async def test_webank_repeated_request_id_replays_and_changes_nothing(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    first = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="same"
    )
    again = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="same"
    )
    other = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="new"
    )

    assert again == first
    assert first.body["apply_no"] == "WBA000001"
    assert other.body["apply_no"] == "WBA000002"
    assert [p.request_id for p in fresh_sandbox.state.supplier_pushes()] == ["same", "new"]


async def test_webank_post_requires_a_request_id(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    answer = await webank(http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body())

    assert answer.status == 400
    assert answer.body["code"] == "REQUEST_ID_REQUIRED"
    assert fresh_sandbox.state.supplier_pushes() == ()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(supplier_push_body(months=23), "INVALID_STATISTICS", id="23-months"),
        pytest.param(supplier_push_body(months=25), "INVALID_STATISTICS", id="25-months"),
        pytest.param(
            supplier_push_body(end=add_months(TODAY, -1)), "INVALID_STATISTICS", id="ends-last-month"
        ),
        pytest.param(supplier_push_body(BAD_CREDIT_CODE), "INVALID_CREDIT_CODE", id="bad-check-character"),
        pytest.param({"supplier": {}}, "INVALID_REQUEST", id="malformed"),
    ],
)
async def test_webank_supplier_push_validation(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession, body: Any, code: str
) -> None:
    answer = await webank(http, fresh_sandbox, "POST", "/v1/suppliers/push", body, request_id="bad")

    assert answer.status == 400
    assert answer.body["code"] == code
    assert fresh_sandbox.state.supplier_pushes() == ()


async def test_webank_handler_and_order_push_need_a_pushed_supplier(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    handler = {"name": "张三", "phone": "13800000000", "email": "zhangsan@example.com"}
    handler_path = f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/handler"
    early_handler = await webank(http, fresh_sandbox, "POST", handler_path, handler, request_id="h0")
    early_orders = await webank(
        http, fresh_sandbox, "POST", "/v1/orders/push", ORDER_PUSH_BODY, request_id="o0"
    )
    await webank(http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="p1")
    submitted = await webank(http, fresh_sandbox, "POST", handler_path, handler, request_id="h1")
    orders = await webank(http, fresh_sandbox, "POST", "/v1/orders/push", ORDER_PUSH_BODY, request_id="o1")
    credit = await webank(
        http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/credit-financing-url"
    )

    assert (early_handler.status, early_handler.body["code"]) == (404, "SUPPLIER_NOT_FOUND")
    assert (early_orders.status, early_orders.body["code"]) == (404, "SUPPLIER_NOT_FOUND")
    assert submitted.body == {"register_url": f"{fresh_sandbox.url}/webank/pages/register?apply_no=WBA000001"}
    assert orders.body == {
        "batch_no": "WBB000001",
        "financing_url": f"{fresh_sandbox.url}/webank/pages/financing?batch_no=WBB000001",
    }
    assert credit.body == {
        "url": f"{fresh_sandbox.url}/webank/pages/credit-financing?credit_code={GD_BOTH_CREDIT_CODE}"
    }
    (application,) = fresh_sandbox.state.applications()
    assert application.handler is not None
    assert application.handler.name == "张三"
    (batch,) = fresh_sandbox.state.order_batches()
    assert [(o.order_no, o.source, str(o.financeable_amount)) for o in batch.orders] == [
        ("CG20260314000001", "MALL", "5459.74"),
        ("MRO20260313000001", "MRO", "4109.74"),
    ]


async def test_webank_loans(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    answer = await webank(http, sandbox, "GET", "/v1/loans?loan_nos=WBL0001,NOPE,WBL0002")
    too_many = await webank(
        http, sandbox, "GET", "/v1/loans?loan_nos=" + ",".join(f"L{i}" for i in range(101))
    )

    order_loan, credit_loan = answer.body["loans"]
    beyond = ("plan", "documents", "repayments", "applied_at", "disbursed_at", "settled_at")
    beyond += ("failure_reason", "batch_no", "order_nos")  # `test_supplier_loans` checks those
    assert {k: v for k, v in order_loan.items() if k not in beyond} == {
        "loan_no": "WBL0001",
        "credit_code": GD_BOTH_CREDIT_CODE,
        "kind": "ORDER",
        "status": "DISBURSED",
        "amount": "100000.00",
        "outstanding_principal": "66666.66",
        "annual_rate": "0.0720",
        "term_months": 6,
        "repayment_method": "EQUAL_PRINCIPAL",
    }
    assert [
        (i["period"], i["due_date"], i["principal"], i["interest"], i["status"]) for i in order_loan["plan"]
    ] == [
        (1, "2026-02-10", "16666.67", "600.00", "PAID"),
        (2, "2026-03-10", "16666.67", "500.00", "PAID"),
        (3, "2026-04-10", "16666.67", "400.00", "PENDING"),
        (4, "2026-05-10", "16666.67", "300.00", "PENDING"),
        (5, "2026-06-10", "16666.67", "200.00", "PENDING"),
        (6, "2026-07-10", "16666.65", "100.00", "PENDING"),
    ]
    contract = order_loan["documents"][0]
    assert {k: contract[k] for k in ("kind", "title", "period", "url")} == {
        "kind": "LOAN_CONTRACT",
        "title": "借款合同",
        "period": None,
        "url": f"{sandbox.url}/webank/pages/documents/WBL0001/loan_contract.pdf",
    }
    assert contract["doc_id"]
    assert contract["issued_at"]
    assert (credit_loan["kind"], credit_loan["status"], credit_loan["outstanding_principal"]) == (
        "CREDIT",
        "SETTLED",
        "0.00",
    )
    assert credit_loan["documents"][-1]["kind"] == "SETTLEMENT_CERTIFICATE"
    assert too_many.status == 400


async def test_webank_payoff_and_repayment_url(sandbox: RunningSandbox, http: aiohttp.ClientSession) -> None:
    payoff = await webank(http, sandbox, "GET", "/v1/loans/WBL0001/payoff?date=2026-03-15")
    url = await webank(http, sandbox, "GET", "/v1/loans/WBL0001/repayment-url?kind=EARLY_SETTLEMENT")
    unknown = await webank(http, sandbox, "GET", "/v1/loans/NOPE/payoff?date=2026-03-15")
    settled = await webank(http, sandbox, "GET", "/v1/loans/WBL0002/repayment-url?kind=INSTALLMENT")

    # 66666.66 × 0.0720 × 5 days (since the 2026-03-10 due date) / 360 = 66.6666… → 66.67
    assert payoff.body == {
        "principal": "66666.66",
        "interest": "66.67",
        "penalty": "0.00",
        "fee": "0.00",
        "total": "66733.33",
    }
    assert url.body == {"url": f"{sandbox.url}/webank/pages/repayment?loan_no=WBL0001&kind=EARLY_SETTLEMENT"}
    assert (unknown.status, unknown.body["code"]) == (404, "LOAN_NOT_FOUND")
    assert (settled.status, settled.body["code"]) == (409, "LOAN_NOT_REPAYABLE")


async def test_webank_outage_answers_503_and_records_nothing(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    down = await post(http, fresh_sandbox.url + "/_sandbox/webank/outage", {"down": True})
    pushed = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="x"
    )
    limit = await webank(http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit")
    mall = await get(http, fresh_sandbox.mall_url + "/api/suppliers", codes="GD-BOTH")
    up = await post(http, fresh_sandbox.url + "/_sandbox/webank/outage", {"down": False})
    retried = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="x"
    )

    assert down.body == {"down": True}
    assert (pushed.status, limit.status, mall.status) == (503, 503, 200)
    assert up.body == {"down": False}
    # Nothing was stored for the request id during the outage, so the retry is a first request.
    assert retried.status == 200
    assert len(fresh_sandbox.state.supplier_pushes()) == 1


async def test_outage_switch_refuses_a_malformed_body(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    answer = await post(http, sandbox.url + "/_sandbox/webank/outage", {"down": "yes"})

    assert answer.status == 400
    assert sandbox.state.webank_down is False


# --- call log ----------------------------------------------------------------------------------------


async def test_call_log_lists_every_upstream_call(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    await get(http, fresh_sandbox.mall_url + "/api/orders", supplier="GD-BOTH", status="PROCESSING", size="1")
    await post(http, fresh_sandbox.mro_url + "/portal/trade-orders/batch", {"ids": [500001]})
    await webank(http, fresh_sandbox, "GET", "/v1/loans?loan_nos=WBL0001")
    await get(http, fresh_sandbox.url + "/_sandbox/calls")

    log = await get(http, fresh_sandbox.url + "/_sandbox/calls")
    reset = await post(http, fresh_sandbox.url + "/_sandbox/calls/reset", {})
    after = await get(http, fresh_sandbox.url + "/_sandbox/calls")

    assert log.body == {
        "calls": [
            {
                "system": "mall",
                "method": "GET",
                "path": "/api/orders",
                "query": "supplier=GD-BOTH&status=PROCESSING&size=1",
            },
            {"system": "mro", "method": "POST", "path": "/portal/trade-orders/batch", "query": ""},
            {"system": "webank", "method": "GET", "path": "/v1/loans", "query": "loan_nos=WBL0001"},
        ]
    }
    assert reset.status == 200
    assert after.body == {"calls": []}
    assert len(fresh_sandbox.state.calls("mall")) == 0


async def test_reset_forgets_what_the_bank_was_told(
    fresh_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    await webank(http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="p")

    reset = await post(http, fresh_sandbox.url + "/_sandbox/reset", {})
    limit = await webank(http, fresh_sandbox, "GET", f"/v1/suppliers/{GD_BOTH_CREDIT_CODE}/limit")
    again = await webank(
        http, fresh_sandbox, "POST", "/v1/suppliers/push", supplier_push_body(), request_id="p"
    )

    assert reset.body == {"reset": True}
    assert limit.body["status"] == "NONE"
    assert again.body["apply_no"] == "WBA000001"
