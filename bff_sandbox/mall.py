"""The simulated centralized-procurement mall (集采): yuan as decimal strings, ISO-8601 times at +08:00."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bff_sandbox.data import MALL_STATUSES, FulfilmentHistory, MallOrder, SeedSupplier, first_month_of_window
from bff_sandbox.money import format_yuan
from bff_sandbox.params import InvalidParameterError, bounded_int, choices, csv_list, required
from bff_sandbox.state import SandboxState

DEFAULT_PAGE_SIZE = 50


def supplier_json(supplier: SeedSupplier) -> dict[str, Any]:
    return {
        "code": supplier.code,
        "name": supplier.name,
        "credit_code": supplier.credit_code,
        "province": supplier.province,
        "city": supplier.city,
    }


def order_json(order: MallOrder) -> dict[str, Any]:
    contract = order.contract
    return {
        "id": str(order.id),
        "order_no": order.order_no,
        "supplier_code": order.supplier_code,
        "status": order.status,
        "amount": format_yuan(order.amount),
        "buyer_name": order.buyer_name,
        "created_at": order.created_at.isoformat(),
        "contract": None
        if contract is None
        else {
            "contract_no": contract.contract_no,
            "amount": format_yuan(contract.amount),
            "signed_at": contract.signed_at.isoformat(),
        },
    }


class MallApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def suppliers(self, request: Request) -> Response:
        codes = csv_list(request.query_params, "codes", required=True) or []
        found = [self.state.suppliers[c] for c in codes if c in self.state.suppliers]
        return JSONResponse({"suppliers": [supplier_json(s) for s in found]})

    async def fulfilment(self, request: Request) -> Response:
        codes = csv_list(request.query_params, "codes", required=True) or []
        found = [self.state.mall_fulfilment[c] for c in codes if c in self.state.mall_fulfilment]
        return JSONResponse({"fulfilment": [self._fulfilment_json(f) for f in found]})

    def _fulfilment_json(self, history: FulfilmentHistory) -> dict[str, Any]:
        # Only the 24 calendar months ending with the current one, as the bank push needs them.
        since = first_month_of_window(self.state.today)
        first = history.first_fulfilled_at
        return {
            "supplier_code": history.supplier_code,
            "first_fulfilled_at": None if first is None else first.isoformat(),
            "statements": [
                {
                    "no": s.no,
                    "kind": s.kind,
                    "amount": format_yuan(s.amount),
                    "completed_at": s.completed_at.isoformat(),
                }
                for s in history.statements
                if s.completed_at.date() >= since
            ],
        }

    async def orders(self, request: Request) -> Response:
        params = request.query_params
        ids = csv_list(params, "ids")
        if ids is not None:
            wanted = [int(i) for i in ids if i.isascii() and i.isdigit()]
            found = [self.state.mall_orders[i] for i in wanted if i in self.state.mall_orders]
            return JSONResponse({"orders": [order_json(o) for o in found]})
        supplier = required(params, "supplier")
        statuses = choices(params, "status", MALL_STATUSES)
        page = bounded_int(params, "page", default=1, low=1)
        size = bounded_int(params, "size", default=DEFAULT_PAGE_SIZE, low=1, high=100)
        matching = sorted(
            (
                o
                for o in self.state.mall_orders.values()
                if o.supplier_code == supplier and (statuses is None or o.status in statuses)
            ),
            key=lambda o: (o.created_at, o.id),
            reverse=True,
        )
        window = matching[(page - 1) * size : page * size]
        return JSONResponse({"total": len(matching), "orders": [order_json(o) for o in window]})


async def _bad_request(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=400)


def create_mall_app(state: SandboxState) -> Starlette:
    api = MallApi(state)
    return Starlette(
        routes=[
            Route("/api/suppliers", api.suppliers, methods=["GET"]),
            Route("/api/fulfilment", api.fulfilment, methods=["GET"]),
            Route("/api/orders", api.orders, methods=["GET"]),
        ],
        exception_handlers={InvalidParameterError: _bad_request},
    )
