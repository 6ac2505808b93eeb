"""The simulated WeBank partner API: signed requests, request-id idempotency, an outage switch and a
push-refusal switch (`push_refusals`).

Every endpoint goes through `WebankApi._serve`, which in this order: answers 503 while the bank is
down, verifies the app id and HMAC signature (401), requires `X-WB-Request-Id` on POST (400) and
replays the stored first response for a repeated one. The endpoint functions themselves are
synchronous, so checking for a stored response and storing the new one happen without yielding to
the event loop: two concurrent requests with one id cannot both run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bff.signing import APP_ID_HEADER, REQUEST_ID_HEADER, verify
from bff_sandbox import pdfs, statements
from bff_sandbox import webank_payloads as payloads
from bff_sandbox.account_pages import AccountPages
from bff_sandbox.bank_pages import BankPages
from bff_sandbox.data import SHANGHAI, Installment, Loan, Repayment
from bff_sandbox.financing_pages import FinancingPages
from bff_sandbox.loan_engine import installment_penalty, payoff
from bff_sandbox.loan_servicing import REPAYABLE_STATUSES, LoanServicing
from bff_sandbox.money import format_yuan
from bff_sandbox.notifier import Notifier
from bff_sandbox.push_refusals import refusals_of
from bff_sandbox.repayment_pages import REPAYMENT, RepaymentPages
from bff_sandbox.state import CreditLimit, LoanBooking, SandboxState, StoredResponse
from bff_sandbox.webank_payloads import WebankError, invalid

MAX_LOANS_PER_CALL = 100
REPAYMENT_KINDS = ("INSTALLMENT", "EARLY_SETTLEMENT")


@dataclass(frozen=True, slots=True)
class WebankCall:
    """A verified request, as the endpoint functions see it."""

    request: Request
    body: bytes
    request_id: str | None

    @property
    def base_url(self) -> str:
        """The bank's base URL as the caller reached it, e.g. `http://127.0.0.1:9100/webank`."""
        url = self.request.url
        return f"{url.scheme}://{url.netloc}{self.request.scope.get('root_path', '')}"

    def page_url(self, page: str, **query: str) -> str:
        return f"{self.base_url}/pages/{page}?{urlencode(query)}"

    def json(self) -> dict[str, Any]:
        return payloads.json_object(self.body)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])


Endpoint = Callable[[WebankCall], Response]


def _error(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status_code)


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def limit_json(limit: CreditLimit) -> dict[str, Any]:
    return {
        "status": limit.status,
        "total": None if limit.total is None else format_yuan(limit.total),
        "order_ratio": _ratio(limit.order_ratio),
        "credit_ratio": _ratio(limit.credit_ratio),
        "valid_until": _day(limit.valid_until),
        "reapply_after": _day(limit.reapply_after),
    }


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def repayment_json(repayment: Repayment) -> dict[str, Any]:
    return {
        "repayment_no": repayment.repayment_no,
        "kind": repayment.kind,
        "principal": format_yuan(repayment.principal),
        "interest": format_yuan(repayment.interest),
        "penalty": format_yuan(repayment.penalty),
        "paid_at": repayment.paid_at.isoformat(),
    }


def _settled_at(loan: Loan) -> str | None:
    """When the loan was settled: the moment of the repayment that paid it off (as `loan.settled` says)."""
    if loan.status != "SETTLED":
        return None
    if loan.repayments:
        return loan.repayments[-1].paid_at.isoformat()
    return (
        None if loan.settled_on is None else datetime.combine(loan.settled_on, time(), SHANGHAI).isoformat()
    )


def installment_json(loan: Loan, item: Installment, today: date | None) -> dict[str, Any]:
    """One period of the plan: what it owes and, once paid (or settled early), what it took and when; an
    OVERDUE one carries the penalty interest accrued to the bank's today."""
    paid_amount, paid_at, penalty = item.paid_amount, item.paid_at, item.penalty
    if item.status == "PAID" and paid_at is None:  # the seed's loans: from the repayment that paid it
        repayment = next((r for r in loan.repayments if item.period in r.periods), None)
        if repayment is not None:
            paid_at = repayment.paid_at
            paid_amount = item.principal + item.interest + penalty
    if item.status == "OVERDUE" and today is not None:
        penalty = installment_penalty(item, loan.annual_rate, today)
    return {
        "period": item.period,
        "due_date": item.due_date.isoformat(),
        "principal": format_yuan(item.principal),
        "interest": format_yuan(item.interest),
        "status": item.status,
        "penalty": format_yuan(penalty),
        "paid_amount": None if paid_amount is None else format_yuan(paid_amount),
        "paid_at": _moment(paid_at),
    }


def loan_json(
    loan: Loan, base_url: str, booking: LoanBooking | None = None, today: date | None = None
) -> dict[str, Any]:
    """LOAN: what `GET /v1/loans` and `GET /v1/suppliers/{credit_code}/loans` list.

    Beyond the contract's fields it carries what the platform needs to rebuild a loan it never heard of
    (reconciliation): when it was applied for, disbursed and settled, why it failed, and for an order loan
    the batch and the order numbers it finances.
    """
    order_loan = loan.kind == "ORDER" and booking is not None
    return {
        "loan_no": loan.loan_no,
        "credit_code": loan.credit_code,
        "kind": loan.kind,
        "status": loan.status,
        "amount": format_yuan(loan.amount),
        "outstanding_principal": format_yuan(loan.outstanding_principal),
        "annual_rate": str(loan.annual_rate),
        "term_months": loan.term_months,
        "repayment_method": loan.method,
        "plan": [installment_json(loan, i, today) for i in loan.plan],
        "documents": [
            {
                "doc_id": d.doc_id,
                "kind": d.kind,
                "title": d.title,
                "period": d.period,
                "issued_at": d.issued_at.isoformat(),
                "url": base_url + d.url if d.url.startswith("/") else d.url,
            }
            for d in statements.loan_documents(loan)
        ],
        "repayments": [repayment_json(r) for r in loan.repayments],
        "applied_at": _moment(loan.applied_at),
        "disbursed_at": _moment(loan.disbursed_at),
        "settled_at": _settled_at(loan),
        "failure_reason": loan.failure_reason,
        "batch_no": booking.key if order_loan and booking is not None else None,
        "order_nos": list(booking.order_nos) if order_loan and booking is not None else [],
    }


class WebankApi:
    def __init__(self, state: SandboxState, *, app_id: str, secret: str) -> None:
        self.state = state
        self.app_id = app_id
        self.secret = secret

    def routes(self) -> list[Route]:
        endpoints: list[tuple[str, str, Endpoint]] = [
            ("POST", "/v1/suppliers/push", self.push_supplier),
            ("POST", "/v1/suppliers/{credit_code}/handler", self.submit_handler),
            ("POST", "/v1/orders/push", self.push_orders),
            ("GET", "/v1/suppliers/{credit_code}/credit-financing-url", self.credit_financing_url),
            ("GET", "/v1/suppliers/{credit_code}/limit", self.limit),
            ("GET", "/v1/suppliers/{credit_code}/loans", self.supplier_loans),
            ("GET", "/v1/suppliers/{credit_code}/accounts", self.accounts),
            ("GET", "/v1/suppliers/{credit_code}/transactions", self.transactions),
            ("GET", "/v1/suppliers/{credit_code}/documents", self.documents),
            ("GET", "/v1/documents/{doc_id}", self.document),
            ("GET", "/v1/loans", self.loans),
            ("GET", "/v1/loans/{loan_no}/payoff", self.payoff),
            ("GET", "/v1/loans/{loan_no}/repayment-url", self.repayment_url),
        ]
        return [
            Route(path, self._serving(endpoint), methods=[method]) for method, path, endpoint in endpoints
        ]

    def _serving(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            return await self._serve(request, endpoint)

        return serve

    async def _serve(self, request: Request, endpoint: Endpoint) -> Response:
        if self.state.webank_down:
            return _error(503, "SERVICE_UNAVAILABLE", "the bank is temporarily unavailable")
        body = await request.body()
        if request.headers.get(APP_ID_HEADER) != self.app_id:
            return _error(401, "INVALID_SIGNATURE", "unknown app id")
        if not verify(self.secret, request.headers, body):
            return _error(401, "INVALID_SIGNATURE", "the signature does not match or the timestamp is stale")
        request_id = request.headers.get(REQUEST_ID_HEADER) or None
        if request.method == "POST":
            if request_id is None:
                return _error(400, "REQUEST_ID_REQUIRED", f"{REQUEST_ID_HEADER} is required")
            stored = self.state.stored_response(request_id)
            if stored is not None:
                return _replay(stored)
        try:
            refusals_of(self.state).check(endpoint.__name__)
            response = endpoint(WebankCall(request, body, request_id))
        except WebankError as exc:
            response = _error(exc.status_code, exc.code, exc.message)
        if request.method == "POST" and request_id is not None and response.status_code < 500:
            return _replay(
                self.state.store_response(
                    request_id, StoredResponse(response.status_code, bytes(response.body))
                )
            )
        return response

    # --- suppliers ---

    def push_supplier(self, call: WebankCall) -> Response:
        supplier, months, buyers = payloads.supplier_push(call.json(), self.state.today)
        assert call.request_id is not None
        push = self.state.add_supplier_push(call.request_id, supplier, months, buyers)
        return JSONResponse(
            {"apply_no": push.apply_no, "register_url": call.page_url("register", apply_no=push.apply_no)}
        )

    def submit_handler(self, call: WebankCall) -> Response:
        handler = payloads.handler(call.json())
        application = self.state.set_handler(call.path("credit_code"), handler)
        if application is None:
            raise _supplier_not_found()
        return JSONResponse({"register_url": call.page_url("register", apply_no=application.apply_no)})

    def credit_financing_url(self, call: WebankCall) -> Response:
        credit_code = call.path("credit_code")
        if self.state.latest_application(credit_code) is None:
            raise _supplier_not_found()
        return JSONResponse({"url": call.page_url("credit-financing", credit_code=credit_code)})

    def limit(self, call: WebankCall) -> Response:
        return JSONResponse(limit_json(self.state.limit(call.path("credit_code"))))

    # --- accounts, 业务流水, documents (manual §7–§10) ---

    def accounts(self, call: WebankCall) -> Response:
        receiving, repayment = statements.accounts(self.state, call.path("credit_code"))
        return JSONResponse({"receiving": _account_json(receiving), "repayment": _account_json(repayment)})

    def transactions(self, call: WebankCall) -> Response:
        query = call.request.query_params
        start, end = _query_day(query, "from"), _query_day(query, "to")
        if start > end:
            raise invalid("from must not be after to")
        page, size = _query_int(query, "page", 1, 1, 10**6), _query_int(query, "size", 50, 1, 100)
        found = [
            t
            for t in statements.transactions(self.state, call.path("credit_code"))
            if start <= t.occurred_at.astimezone(SHANGHAI).date() <= end
        ]
        shown = found[(page - 1) * size : page * size]
        return JSONResponse(
            {
                "total": len(found),
                "transactions": [
                    {
                        "txn_no": t.txn_no,
                        "kind": t.kind,
                        "amount": format_yuan(t.amount),
                        "balance_after": format_yuan(t.balance_after),
                        "loan_no": t.loan_no,
                        "occurred_at": t.occurred_at.isoformat(),
                        "memo": t.memo,
                    }
                    for t in shown
                ],
            }
        )

    def documents(self, call: WebankCall) -> Response:
        found = statements.documents(self.state, call.path("credit_code"))
        return JSONResponse(
            {
                "documents": [
                    {
                        "doc_id": d.doc_id,
                        "kind": d.kind,
                        "title": d.title,
                        "loan_no": d.loan_no,
                        "period": d.period,
                        "issued_at": d.issued_at.isoformat(),
                    }
                    for d in found
                ]
            }
        )

    def document(self, call: WebankCall) -> Response:
        found = statements.find_document(self.state, call.path("doc_id"))
        if found is None:
            raise WebankError(404, "DOCUMENT_NOT_FOUND", "no such document")
        doc, loan = found
        receiving, repayment = statements.accounts(self.state, doc.credit_code)
        limit = self.state.limit(doc.credit_code)
        parties = pdfs.Parties(
            statements.enterprise_name(self.state, doc.credit_code),
            doc.credit_code,
            receiving,
            repayment,
            limit.total if limit.status == "APPROVED" else None,
        )
        return Response(pdfs.render(doc, loan, parties), media_type="application/pdf")

    # --- orders ---

    def push_orders(self, call: WebankCall) -> Response:
        credit_code, orders = payloads.order_push(call.json())
        if self.state.latest_application(credit_code) is None:
            raise _supplier_not_found()
        assert call.request_id is not None
        batch = self.state.add_order_batch(call.request_id, credit_code, orders)
        return JSONResponse(
            {"batch_no": batch.batch_no, "financing_url": call.page_url("financing", batch_no=batch.batch_no)}
        )

    # --- loans ---

    def loans(self, call: WebankCall) -> Response:
        raw = call.request.query_params.get("loan_nos", "")
        loan_nos = list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
        if not loan_nos:
            raise invalid("loan_nos is required")
        if len(loan_nos) > MAX_LOANS_PER_CALL:
            raise invalid(f"at most {MAX_LOANS_PER_CALL} loan numbers per call")
        found = [loan for loan in map(self.state.loan, loan_nos) if loan is not None]
        return JSONResponse({"loans": [self._loan_json(loan, call) for loan in found]})

    def supplier_loans(self, call: WebankCall) -> Response:
        """Every loan of the enterprise, in loan-number order (empty for one the bank never lent to)."""
        credit_code = call.path("credit_code")
        found = sorted(
            (loan for loan in self.state.loans() if loan.credit_code == credit_code),
            key=lambda loan: loan.loan_no,
        )
        return JSONResponse({"loans": [self._loan_json(loan, call) for loan in found]})

    def _loan_json(self, loan: Loan, call: WebankCall) -> dict[str, Any]:
        return loan_json(loan, call.base_url, self.state.booking_of(loan.loan_no), self.state.today)

    def _repayable_loan(self, call: WebankCall) -> Loan:
        loan_no = call.path("loan_no")
        loan = self.state.loan(loan_no)
        if loan is None:
            raise WebankError(404, "LOAN_NOT_FOUND", f"no loan {loan_no}")
        if loan.status not in REPAYABLE_STATUSES:
            raise WebankError(409, "LOAN_NOT_REPAYABLE", f"loan {loan_no} is {loan.status}")
        return loan

    def payoff(self, call: WebankCall) -> Response:
        raw = call.request.query_params.get("date")
        try:
            on = self.state.today if raw is None else date.fromisoformat(raw)
        except ValueError:
            raise invalid("date must be YYYY-MM-DD") from None
        quote = payoff(self._repayable_loan(call), on)
        # `interest` includes any penalty interest, so total = principal + interest + fee as the contract
        # says; `penalty` tells how much of it is penalty.
        return JSONResponse(
            {
                "principal": format_yuan(quote.principal),
                "interest": format_yuan(quote.interest + quote.penalty),
                "penalty": format_yuan(quote.penalty),
                "fee": format_yuan(quote.fee),
                "total": format_yuan(quote.total),
            }
        )

    def repayment_url(self, call: WebankCall) -> Response:
        kind = call.request.query_params.get("kind", "")
        if kind not in REPAYMENT_KINDS:
            raise invalid(f"kind must be one of {', '.join(REPAYMENT_KINDS)}")
        loan = self._repayable_loan(call)
        return JSONResponse({"url": call.page_url(REPAYMENT, loan_no=loan.loan_no, kind=kind)})


def _account_json(account: statements.Account | None) -> dict[str, str] | None:
    if account is None:
        return None
    return {
        "bank_name": account.bank_name,
        "account_name": account.account_name,
        "account_no": account.account_no,
    }


def _query_day(query: Any, name: str) -> date:
    try:
        return date.fromisoformat(query[name])
    except (KeyError, ValueError):
        raise invalid(f"{name} must be YYYY-MM-DD") from None


def _query_int(query: Any, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _supplier_not_found() -> WebankError:
    return WebankError(404, "SUPPLIER_NOT_FOUND", "the bank has no data pushed for this credit code")


def _replay(stored: StoredResponse) -> Response:
    return Response(stored.body, status_code=stored.status_code, media_type="application/json")


def create_webank_app(state: SandboxState, *, app_id: str, secret: str, notifier: Notifier) -> Starlette:
    """The partner API under `/v1` and the bank's own pages (registration, financing, repayment) under
    `/pages`; the loan servicing runs on every new day of the sandbox clock."""
    api = WebankApi(state, app_id=app_id, secret=secret)
    servicing = LoanServicing(state, notifier)
    state.set_day_handler(servicing.run_day)
    pages = [
        *BankPages(state, notifier).routes(),
        *FinancingPages(state, notifier).routes(),
        *RepaymentPages(state, servicing).routes(),
        *AccountPages(state).routes(),
    ]
    return Starlette(routes=[*api.routes(), *pages])
