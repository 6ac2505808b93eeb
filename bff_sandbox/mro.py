"""The simulated MRO shop: integer fen, epoch milliseconds, and errors inside an HTTP-200 envelope."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bff_sandbox.data import MRO_STATUSES, FulfilmentHistory, MroOrder
from bff_sandbox.money import to_fen
from bff_sandbox.params import MAX_BATCH, InvalidParameterError, bounded_int, choices, required
from bff_sandbox.state import SandboxState

DEFAULT_PAGE_SIZE = 50
STATEMENT_TYPES = {"SETTLEMENT": 1, "OUTPUT_VALUE": 2}


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


def ok(data: Any) -> Response:
    return JSONResponse({"code": 0, "msg": "ok", "data": data})


def error(code: int, msg: str) -> Response:
    return JSONResponse({"code": code, "msg": msg, "data": None})


def order_json(order: MroOrder) -> dict[str, Any]:
    return {
        "tradeOrderId": order.trade_order_id,
        "tradeOrderNo": order.trade_order_no,
        "supplierCode": order.supplier_code,
        "orderStatus": order.order_status,
        "payAmount": to_fen(order.pay_amount),
        "buyerCompanyName": order.buyer_company_name,
        "gmtCreate": epoch_ms(order.gmt_create),
        "contractNo": order.contract_no,
    }


def fulfilment_json(history: FulfilmentHistory) -> dict[str, Any]:
    # Unlike the mall, MRO returns the whole history; callers pick their own window.
    first = history.first_fulfilled_at
    return {
        "firstFulfilledAt": None if first is None else epoch_ms(first),
        "statements": [
            {
                "statementNo": s.no,
                "type": STATEMENT_TYPES[s.kind],
                "amount": to_fen(s.amount),
                "finishedAt": epoch_ms(s.completed_at),
            }
            for s in history.statements
        ],
    }


class MroApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def trade_orders(self, request: Request) -> Response:
        params = request.query_params
        supplier = required(params, "supplierCode")
        statuses = choices(params, "statusList", [str(s) for s in MRO_STATUSES])
        page = bounded_int(params, "pageNo", default=1, low=1)
        size = bounded_int(params, "pageSize", default=DEFAULT_PAGE_SIZE, low=1, high=100)
        wanted = None if statuses is None else {int(s) for s in statuses}
        matching = sorted(
            (
                o
                for o in self.state.mro_orders.values()
                if o.supplier_code == supplier and (wanted is None or o.order_status in wanted)
            ),
            key=lambda o: (o.gmt_create, o.trade_order_id),
            reverse=True,
        )
        window = matching[(page - 1) * size : page * size]
        return ok({"total": len(matching), "list": [order_json(o) for o in window]})

    async def batch(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise InvalidParameterError("body must be JSON") from None
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise InvalidParameterError("ids must be a list of integers")
        if len(ids) > MAX_BATCH:
            raise InvalidParameterError(f"at most {MAX_BATCH} ids per call")
        found = [self.state.mro_orders[i] for i in dict.fromkeys(ids) if i in self.state.mro_orders]
        return ok([order_json(o) for o in found])

    async def fulfilment(self, request: Request) -> Response:
        history = self.state.mro_fulfilment.get(request.path_params["code"])
        if history is None:
            return error(404, "supplier not found")
        return ok(fulfilment_json(history))


async def _bad_request(request: Request, exc: Exception) -> Response:
    return error(400, str(exc))


def create_mro_app(state: SandboxState) -> Starlette:
    api = MroApi(state)
    return Starlette(
        routes=[
            Route("/portal/trade-orders", api.trade_orders, methods=["GET"]),
            Route("/portal/trade-orders/batch", api.batch, methods=["POST"]),
            Route("/portal/suppliers/{code}/fulfilment", api.fulfilment, methods=["GET"]),
        ],
        exception_handlers={InvalidParameterError: _bad_request},
    )
