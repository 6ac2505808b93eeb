"""The MRO shop: integer fen, epoch milliseconds, numeric statuses, `{"code","msg","data"}` envelopes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import aiohttp

from bff.domain.money import fen_to_yuan
from bff.domain.order_statuses import MRO_CODE_BY_STATUS, MRO_STATUS_BY_CODE
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
)
from bff.errors import UpstreamResponseError
from bff.integrations.http import expect, from_epoch_millis, parsing, request_json

SYSTEM = "mro"
MAX_IDS_PER_CALL = 100
NOT_FOUND_CODE = 404

STATEMENT_KIND_BY_TYPE = {1: StatementKind.SETTLEMENT, 2: StatementKind.OUTPUT_VALUE}


class MroClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def fulfilment(self, supplier_code: str) -> Fulfilment | None:
        """The supplier's MRO history, or None when the MRO shop does not know the supplier."""
        data = await self._call("GET", f"/portal/suppliers/{supplier_code}/fulfilment", allow_not_found=True)
        if data is None:
            return None
        with parsing(SYSTEM):
            first = data.get("firstFulfilledAt")
            return Fulfilment(
                supplier_code=supplier_code,
                source=OrderSource.MRO,
                first_fulfilled_at=from_epoch_millis(first) if first is not None else None,
                statements=tuple(
                    Statement(
                        no=str(item["statementNo"]),
                        source=OrderSource.MRO,
                        kind=STATEMENT_KIND_BY_TYPE[item["type"]],
                        amount=fen_to_yuan(_fen(item["amount"])),
                        completed_at=from_epoch_millis(item["finishedAt"]),
                    )
                    for item in data["statements"]
                ),
            )

    async def order_page(
        self, supplier_code: str, statuses: Iterable[OrderStatus] | None, page: int, size: int
    ) -> OrderPage:
        params = {"supplierCode": supplier_code, "pageNo": str(page), "pageSize": str(size)}
        if statuses is not None:
            params["statusList"] = ",".join(
                str(code) for code in sorted(MRO_CODE_BY_STATUS[s] for s in statuses)
            )
        data = await self._call("GET", "/portal/trade-orders", params=params)
        with parsing(SYSTEM):
            return OrderPage(total=int(data["total"]), orders=tuple(_order(item) for item in data["list"]))

    async def orders_by_id(self, ids: Sequence[str]) -> list[OrderRecord]:
        found: list[OrderRecord] = []
        # ASCII digits only: "²".isdigit() is true, and int() cannot read it.
        numeric = [int(order_id) for order_id in ids if order_id.isascii() and order_id.isdigit()]
        for start in range(0, len(numeric), MAX_IDS_PER_CALL):
            body = {"ids": numeric[start : start + MAX_IDS_PER_CALL]}
            data = await self._call("POST", "/portal/trade-orders/batch", json_body=body)
            expect(isinstance(data, list), SYSTEM, "batch data is not a list")
            with parsing(SYSTEM):
                found.extend(_order(item) for item in data)
        return found

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        allow_not_found: bool = False,
    ) -> Any:
        data = json.dumps(json_body).encode() if json_body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else None
        status, body = await request_json(
            self._session, SYSTEM, method, self._base_url + path, params=params, data=data, headers=headers
        )
        code = body.get("code")
        if allow_not_found and code == NOT_FOUND_CODE:
            return None
        if status != 200 or code != 0:
            raise UpstreamResponseError(
                SYSTEM, f"{path} answered code {code}: {body.get('msg', '')}", status=status
            )
        # Only code 404 means "not found"; code 0 without data is a broken answer, not an unknown supplier.
        data = body.get("data")
        if data is None:
            raise UpstreamResponseError(SYSTEM, f"{path} answered code 0 without data", status=status)
        return data


def _fen(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"amount is not integer fen: {value!r}")
    return value


def _order(item: dict[str, Any]) -> OrderRecord:
    contract_no = item.get("contractNo")
    return OrderRecord(
        key=OrderKey(OrderSource.MRO, str(item["tradeOrderId"])),
        order_no=str(item["tradeOrderNo"]),
        supplier_code=str(item["supplierCode"]),
        status=MRO_STATUS_BY_CODE[item["orderStatus"]],
        amount=fen_to_yuan(_fen(item["payAmount"])),
        buyer_name=str(item["buyerCompanyName"]),
        created_at=from_epoch_millis(item["gmtCreate"]),
        # MRO knows only the contract number; amount and signing time are not invented.
        contract=Contract(contract_no=str(contract_no), amount=None, signed_at=None) if contract_no else None,
    )
