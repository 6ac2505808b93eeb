"""WeBank's partner API (微业贷-供应商专属贷款): signed requests, request ids on every POST.

The pushes (`bff.domain.bank_pushes`) have their one home here: this client alone knows their
paths and wire bodies and reads the bank's answers into typed results. A POST carries the caller's stable
`X-WB-Request-Id`: the bank treats a repeated id as the same request, which is what makes retrying a push
safe. Nothing here retries by itself; the outbox decides.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import aiohttp

from bff.domain.bank_pushes import (
    HandlerPush,
    OrdersPush,
    PushedOrder,
    PushResult,
    SupplierPush,
    WebankPush,
)
from bff.domain.bank_records import (
    BankAccount,
    BankAccounts,
    BankDocument,
    BankLimit,
    BankLoan,
    BankRepayment,
    BankTransaction,
    HandlerPushResult,
    OrderPushResult,
    PayoffQuote,
    PlanItem,
    SupplierPushResult,
    TransactionPage,
)
from bff.domain.money import format_yuan, parse_yuan
from bff.errors import UpstreamResponseError, UpstreamUnavailableError
from bff.integrations.http import JsonObject, parsing, request_json
from bff.signing import REQUEST_ID_HEADER, signed_headers

SYSTEM = "webank"
MAX_LOANS_PER_CALL = 100


class WebankClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, *, app_id: str, secret: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._secret = secret

    async def push(self, push: WebankPush, *, request_id: str) -> PushResult:
        """Deliver one push from the outbox; `request_id` is the message's, the same on every attempt."""
        if isinstance(push, SupplierPush):
            return await self.push_supplier(push, request_id=request_id)
        if isinstance(push, HandlerPush):
            return await self.submit_handler(push, request_id=request_id)
        return await self.push_orders(push, request_id=request_id)

    async def push_supplier(self, push: SupplierPush, *, request_id: str) -> SupplierPushResult:
        path = "/v1/suppliers/push"
        answer = await self._post(path, _supplier_body(push), request_id=request_id)
        return SupplierPushResult(
            apply_no=_answer_text(answer, path, "apply_no"),
            register_url=_answer_text(answer, path, "register_url"),
        )

    async def submit_handler(self, push: HandlerPush, *, request_id: str) -> HandlerPushResult:
        path = f"/v1/suppliers/{push.credit_code}/handler"
        body = {"name": push.name, "phone": push.phone, "email": push.email}
        answer = await self._post(path, body, request_id=request_id)
        return HandlerPushResult(register_url=_answer_text(answer, path, "register_url"))

    async def push_orders(self, push: OrdersPush, *, request_id: str) -> OrderPushResult:
        path = "/v1/orders/push"
        body = {"credit_code": push.credit_code, "orders": [_order_body(order) for order in push.orders]}
        answer = await self._post(path, body, request_id=request_id)
        return OrderPushResult(
            batch_no=_answer_text(answer, path, "batch_no"),
            financing_url=_answer_text(answer, path, "financing_url"),
        )

    async def credit_financing_url(self, credit_code: str) -> str:
        answer = await self._get(f"/v1/suppliers/{credit_code}/credit-financing-url")
        with parsing(SYSTEM):
            return str(answer["url"])

    async def limit(self, credit_code: str) -> BankLimit:
        answer = await self._get(f"/v1/suppliers/{credit_code}/limit")
        with parsing(SYSTEM):
            return BankLimit(
                status=str(answer["status"]),
                total=_optional_yuan(answer.get("total")),
                order_ratio=_optional_decimal(answer.get("order_ratio")),
                credit_ratio=_optional_decimal(answer.get("credit_ratio")),
                valid_until=_optional_date(answer.get("valid_until")),
                reapply_after=_optional_date(answer.get("reapply_after")),
            )

    async def loans(self, loan_nos: Sequence[str]) -> list[BankLoan]:
        found: list[BankLoan] = []
        for start in range(0, len(loan_nos), MAX_LOANS_PER_CALL):
            chunk = loan_nos[start : start + MAX_LOANS_PER_CALL]
            answer = await self._get("/v1/loans", {"loan_nos": ",".join(chunk)})
            with parsing(SYSTEM):
                found.extend(_loan(item) for item in answer["loans"])
        return found

    async def supplier_loans(self, credit_code: str) -> list[BankLoan]:
        """Every loan the bank has for the enterprise, with its repayments (for reconciliation)."""
        answer = await self._get(f"/v1/suppliers/{credit_code}/loans")
        with parsing(SYSTEM):
            return [_loan(item) for item in answer["loans"]]

    async def payoff(self, loan_no: str, as_of: date) -> PayoffQuote:
        answer = await self._get(f"/v1/loans/{loan_no}/payoff", {"date": as_of.isoformat()})
        with parsing(SYSTEM):
            return PayoffQuote(
                as_of=as_of,
                principal=parse_yuan(answer["principal"]),
                interest=parse_yuan(answer["interest"]),
                fee=parse_yuan(answer["fee"]),
                total=parse_yuan(answer["total"]),
            )

    async def accounts(self, credit_code: str) -> BankAccounts:
        """收款账户 and 还款账户; the numbers are masked here, so no full number goes further (or into a log)."""
        answer = await self._get(f"/v1/suppliers/{credit_code}/accounts")
        with parsing(SYSTEM):
            return BankAccounts(
                receiving=_account(answer["receiving"]), repayment=_account(answer["repayment"])
            )

    async def transactions(
        self, credit_code: str, start: date, end: date, *, page: int, size: int
    ) -> TransactionPage:
        """One page (1-based, newest first) of the enterprise's 业务流水 between two days, both included."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "page": str(page), "size": str(size)}
        answer = await self._get(f"/v1/suppliers/{credit_code}/transactions", params)
        with parsing(SYSTEM):
            return TransactionPage(
                total=int(answer["total"]),
                transactions=tuple(
                    BankTransaction(
                        txn_no=str(item["txn_no"]),
                        kind=str(item["kind"]),
                        amount=parse_yuan(item["amount"]),
                        balance_after=parse_yuan(item["balance_after"]),
                        loan_no=_optional_text(item.get("loan_no")),
                        occurred_at=_aware(item["occurred_at"]),
                        memo=str(item.get("memo") or ""),
                    )
                    for item in answer["transactions"]
                ),
            )

    async def documents(self, credit_code: str) -> list[BankDocument]:
        """Every document the bank issued the enterprise (its own and its loans')."""
        answer = await self._get(f"/v1/suppliers/{credit_code}/documents")
        with parsing(SYSTEM):
            return [_document(item, _optional_text(item.get("loan_no"))) for item in answer["documents"]]

    @asynccontextmanager
    async def document_pdf(self, doc_id: str) -> AsyncIterator[aiohttp.ClientResponse]:
        """The bank's PDF of a document, as an open response to stream from (never read whole here).

        Raises `UpstreamUnavailableError` when the bank is down, `UpstreamResponseError` (status 404) for a
        document it does not have.
        """
        path = f"/v1/documents/{quote(doc_id, safe='')}"
        headers = signed_headers(self._app_id, self._secret, b"")
        try:
            async with self._session.get(self._base_url + path, headers=headers) as response:
                if response.status >= 500:
                    raise UpstreamUnavailableError(SYSTEM, f"answered HTTP {response.status}")
                if response.status != 200:
                    raise UpstreamResponseError(
                        SYSTEM, f"/v1/documents answered HTTP {response.status}", status=response.status
                    )
                if response.content_type != "application/pdf":
                    await (
                        response.read()
                    )  # not a PDF: a short answer, read whole (a cut-off one is unavailable)
                    raise UpstreamResponseError(
                        SYSTEM, f"/v1/documents answered {response.content_type}, not a PDF", status=200
                    )
                yield response
        except TimeoutError as exc:
            raise UpstreamUnavailableError(SYSTEM, "timed out") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailableError(SYSTEM, f"unreachable ({type(exc).__name__})") from exc

    async def repayment_url(self, loan_no: str, kind: str) -> str:
        answer = await self._get(f"/v1/loans/{loan_no}/repayment-url", {"kind": kind})
        with parsing(SYSTEM):
            return str(answer["url"])

    async def _post(self, path: str, body: JsonObject, *, request_id: str) -> JsonObject:
        # Compact, non-ASCII kept: the bytes signed are the bytes sent, the same on every retry.
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            **signed_headers(self._app_id, self._secret, raw),
            REQUEST_ID_HEADER: request_id,
            "Content-Type": "application/json",
        }
        return await self._send("POST", path, data=raw, headers=headers)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> JsonObject:
        return await self._send(
            "GET", path, params=params, headers=signed_headers(self._app_id, self._secret, b"")
        )

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: bytes | None = None,
        headers: dict[str, str],
    ) -> JsonObject:
        status, body = await request_json(
            self._session, SYSTEM, method, self._base_url + path, params=params, data=data, headers=headers
        )
        if status != 200:
            code = body.get("code", "")
            raise UpstreamResponseError(
                SYSTEM,
                f"{path} answered HTTP {status} {code}".rstrip(),
                status=status,
                upstream_code=str(code) or None,
            )
        return body


def _answer_text(answer: JsonObject, path: str, key: str) -> str:
    """A push's answer field: a non-empty string, else the bank answered something we cannot apply."""
    value = answer.get(key)
    if not isinstance(value, str) or not value:
        raise UpstreamResponseError(SYSTEM, f"{path} answered without {key}")
    return value


def _supplier_body(push: SupplierPush) -> JsonObject:
    supplier = push.supplier
    return {
        "supplier": {
            "code": supplier.code,
            "name": supplier.name,
            "credit_code": supplier.credit_code,
            "province": supplier.province,
            "city": supplier.city,
        },
        "statistics": {
            "months": [
                {
                    "month": month.month,
                    "order_amount": format_yuan(month.order_amount),
                    "settled_amount": format_yuan(month.settled_amount),
                    "order_count": month.order_count,
                }
                for month in push.statistics.months
            ],
            "buyers": push.statistics.buyers,
        },
    }


def _order_body(order: PushedOrder) -> JsonObject:
    contract = order.contract
    return {
        "order_no": order.order_no,
        "source": order.source.value,
        "status": order.status.value,
        "amount": format_yuan(order.amount),
        "financeable_amount": format_yuan(order.financeable_amount),
        "buyer_name": order.buyer_name,
        "contract": None
        if contract is None
        else {
            "contract_no": contract.contract_no,
            "amount": None if contract.amount is None else format_yuan(contract.amount),
            "signed_at": None if contract.signed_at is None else contract.signed_at.isoformat(),
        },
    }


def _optional_yuan(value: Any) -> Decimal | None:
    return None if value is None else parse_yuan(value)


def _optional_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    parsed = Decimal(str(value))
    if not parsed.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    return parsed


def _optional_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def _loan(item: dict[str, Any]) -> BankLoan:
    return BankLoan(
        loan_no=str(item["loan_no"]),
        credit_code=str(item["credit_code"]),
        kind=str(item["kind"]),
        status=str(item["status"]),
        amount=parse_yuan(item["amount"]),
        outstanding_principal=parse_yuan(item["outstanding_principal"]),
        annual_rate=_optional_decimal(item.get("annual_rate")),
        term_months=int(item["term_months"]) if item.get("term_months") is not None else None,
        plan=tuple(
            PlanItem(
                period=int(entry["period"]),
                due_date=date.fromisoformat(entry["due_date"]),
                principal=parse_yuan(entry["principal"]),
                interest=parse_yuan(entry["interest"]),
                status=str(entry["status"]),
                penalty=parse_yuan(entry.get("penalty") or "0"),
                paid_amount=_optional_yuan(entry.get("paid_amount")),
                paid_at=_optional_moment(entry.get("paid_at")),
            )
            for entry in item.get("plan") or ()
        ),
        documents=tuple(
            _document(doc, str(item["loan_no"])) for doc in item.get("documents") or () if doc.get("doc_id")
        ),
        repayments=tuple(
            BankRepayment(
                repayment_no=str(entry["repayment_no"]),
                kind=str(entry["kind"]),
                principal=parse_yuan(entry["principal"]),
                interest=parse_yuan(entry["interest"]),
                penalty=parse_yuan(entry.get("penalty") or "0"),
                paid_at=_aware(entry["paid_at"]),
            )
            for entry in item.get("repayments") or ()
        ),
        repayment_method=_optional_text(item.get("repayment_method")),
        applied_at=_optional_moment(item.get("applied_at")),
        disbursed_at=_optional_moment(item.get("disbursed_at")),
        settled_at=_optional_moment(item.get("settled_at")),
        failure_reason=_optional_text(item.get("failure_reason")),
        batch_no=_optional_text(item.get("batch_no")),
        order_nos=tuple(str(no) for no in item.get("order_nos") or ()),
    )


def mask_account_no(account_no: str) -> str:
    """`****1234`: the last 4 digits, all the platform ever shows or logs of an account number."""
    digits = "".join(c for c in account_no if c.isalnum())
    return "****" + digits[-4:]


def _account(item: Any) -> BankAccount | None:
    if item is None:
        return None
    return BankAccount(
        bank_name=str(item["bank_name"]),
        account_name=str(item["account_name"]),
        account_no_masked=mask_account_no(str(item["account_no"])),
    )


def _document(item: dict[str, Any], loan_no: str | None) -> BankDocument:
    period = item.get("period")
    return BankDocument(
        doc_id=str(item["doc_id"]),
        kind=str(item["kind"]),
        title=str(item["title"]),
        loan_no=loan_no,
        period=None if period is None else int(period),
        issued_at=_optional_moment(item.get("issued_at")),
    )


def _optional_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without an offset: {value!r}")
    return moment


def _optional_moment(value: Any) -> datetime | None:
    return None if value is None else _aware(value)
