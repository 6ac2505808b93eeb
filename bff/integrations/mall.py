"""The platform mall (集采, VendorPortal): yuan decimal strings, ISO-8601 times."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import aiohttp

from bff.domain.money import parse_yuan
from bff.domain.order_statuses import MALL_STATUSES
from bff.domain.records import (
    Contract,
    Fulfilment,
    OrderKey,
    OrderPage,
    OrderRecord,
    OrderSource,
    OrderStatus,
    Statement,
    StatementKind,
    SupplierProfile,
)
from bff.errors import UpstreamResponseError
from bff.integrations.http import JsonObject, expect, parse_iso_datetime, parsing, request_json

SYSTEM = "mall"
MAX_IDS_PER_CALL = 100


class MallClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def suppliers(self, codes: Sequence[str]) -> list[SupplierProfile]:
        body = await self._get("/api/suppliers", {"codes": ",".join(codes)})
        with parsing(SYSTEM):
            return [_supplier(item) for item in body["suppliers"]]

    async def fulfilment(self, codes: Sequence[str]) -> list[Fulfilment]:
        body = await self._get("/api/fulfilment", {"codes": ",".join(codes)})
        with parsing(SYSTEM):
            return [_fulfilment(item) for item in body["fulfilment"]]

    async def order_page(
        self, supplier_code: str, statuses: Iterable[OrderStatus] | None, page: int, size: int
    ) -> OrderPage:
        params = {"supplier": supplier_code, "page": str(page), "size": str(size)}
        if statuses is not None:
            params["status"] = ",".join(sorted(status.value for status in statuses))
        body = await self._get("/api/orders", params)
        with parsing(SYSTEM):
            return OrderPage(total=int(body["total"]), orders=tuple(_order(item) for item in body["orders"]))

    async def orders_by_id(self, ids: Sequence[str]) -> list[OrderRecord]:
        found: list[OrderRecord] = []
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            chunk = ids[start : start + MAX_IDS_PER_CALL]
            body = await self._get("/api/orders", {"ids": ",".join(chunk)})
            with parsing(SYSTEM):
                found.extend(_order(item) for item in body["orders"])
        return found

    async def _get(self, path: str, params: dict[str, str]) -> JsonObject:
        status, body = await request_json(self._session, SYSTEM, "GET", self._base_url + path, params=params)
        if status != 200:
            raise UpstreamResponseError(
                SYSTEM, f"{path} answered HTTP {status}: {body.get('error', '')}", status=status
            )
        return body


def _supplier(item: dict[str, Any]) -> SupplierProfile:
    return SupplierProfile(
        code=str(item["code"]),
        name=str(item["name"]),
        credit_code=str(item["credit_code"]),
        province=str(item.get("province") or ""),
        city=str(item.get("city") or ""),
    )


def _fulfilment(item: dict[str, Any]) -> Fulfilment:
    first = item.get("first_fulfilled_at")
    return Fulfilment(
        supplier_code=str(item["supplier_code"]),
        source=OrderSource.MALL,
        first_fulfilled_at=parse_iso_datetime(first) if first else None,
        statements=tuple(
            Statement(
                no=str(statement["no"]),
                source=OrderSource.MALL,
                kind=StatementKind(statement["kind"]),
                amount=parse_yuan(statement["amount"]),
                completed_at=parse_iso_datetime(statement["completed_at"]),
            )
            for statement in item["statements"]
        ),
    )


def _order(item: dict[str, Any]) -> OrderRecord:
    status = OrderStatus(item["status"])
    expect(status in MALL_STATUSES, SYSTEM, f"status {status.value} is not a mall status")
    contract = item.get("contract")
    return OrderRecord(
        key=OrderKey(OrderSource.MALL, str(item["id"])),
        order_no=str(item["order_no"]),
        supplier_code=str(item["supplier_code"]),
        status=status,
        amount=parse_yuan(item["amount"]),
        buyer_name=str(item["buyer_name"]),
        created_at=parse_iso_datetime(item["created_at"]),
        contract=None
        if contract is None
        else Contract(
            contract_no=str(contract["contract_no"]),
            amount=parse_yuan(contract["amount"]) if contract.get("amount") is not None else None,
            signed_at=parse_iso_datetime(contract["signed_at"]) if contract.get("signed_at") else None,
        ),
    )
