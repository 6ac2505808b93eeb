"""The bank's own financing pages, where the `financing_url` of an order push and the credit-financing URL lead.

- `GET /pages/financing?batch_no=…` lists the pushed orders (all ticked), the ceiling and an amount/term
  form; `POST /pages/financing` books the loan and redirects (303) back to that page, which from then on
  shows the loan instead of the form: one batch gives at most one loan.
- Both forms pick the repayment method (`#method` / `#credit-method`: EQUAL_INSTALLMENT 等额本息, the
  default when absent, or INTEREST_FIRST 先息后本); the plan is `loan_engine.schedule`'s.
- `GET /pages/credit-financing?credit_code=…` shows the credit-loan share still available and the form;
  `POST /pages/credit-financing` books the loan and redirects to `GET /pages/loan?loan_no=…`. Each
  rendered form carries a token, so submitting it twice books one loan.

Booking and deciding follow `bff_sandbox.loan_decision`: the bank notifies `loan.applied`, then
`loan.disbursed` or `loan.failed`, the latter sent `after` the former so the platform hears them in order.
Invalid input re-renders the form with status 400 and `#error` and books nothing; an unknown batch,
supplier or loan is a 404 page; everything is a 503 page while the bank is down.

Checking the ceiling and booking happen without yielding to the event loop, so two concurrent submits
cannot both pass a check that only one of them fits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bff_sandbox.bank_html import FormError, message_page
from bff_sandbox.data import Loan
from bff_sandbox.financing_html import Enterprise, credit_financing_page, financing_page, loan_page
from bff_sandbox.loan_decision import (
    CREDIT,
    ORDER,
    TERMS,
    LoanRequest,
    applied_loan,
    available_share,
    decided_loan,
    failure_reason,
)
from bff_sandbox.loan_engine import EQUAL_INSTALLMENT, METHODS
from bff_sandbox.money import format_yuan, parse_yuan
from bff_sandbox.notifier import Notifier
from bff_sandbox.state import LoanBooking, OrderBatch, PushedOrder, SandboxState

FINANCING = "/pages/financing"
CREDIT_FINANCING = "/pages/credit-financing"
LOAN = "/pages/loan"
CREDIT_KEY_PREFIX = "credit-form:"


def _amount(raw: str, ceiling: Decimal, over: str) -> Decimal | FormError:
    """The amount typed, or why it is refused."""
    amount = parse_yuan(raw)
    if amount is None:
        return FormError(
            "amount", "请输入借款金额，最多两位小数（Enter an amount with at most two decimals）"
        )
    if amount <= 0:
        return FormError("amount", "借款金额须大于0（The amount must be more than zero）")
    if amount > ceiling:
        return FormError(
            "amount", f"借款金额超过{over} {format_yuan(ceiling)} 元（The amount exceeds the ceiling）"
        )
    return amount


def _term(raw: str) -> int | FormError:
    if raw not in {str(t) for t in TERMS}:
        return FormError("term_months", "请选择3、6或12个月的借款期限（Choose a term of 3, 6 or 12 months）")
    return int(raw)


def _method(raw: str) -> str | FormError:
    if not raw:
        return EQUAL_INSTALLMENT
    if raw not in METHODS:
        return FormError("method", "请选择等额本息或先息后本（Choose equal installments or interest first）")
    return raw


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


class FinancingPages:
    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

    def routes(self) -> list[Route]:
        return [
            Route(FINANCING, self.financing, methods=["GET"]),
            Route(FINANCING, self.apply_for_order_loan, methods=["POST"]),
            Route(CREDIT_FINANCING, self.credit_financing, methods=["GET"]),
            Route(CREDIT_FINANCING, self.apply_for_credit_loan, methods=["POST"]),
            Route(LOAN, self.loan, methods=["GET"]),
        ]

    # --- order loans ---

    async def financing(self, request: Request) -> Response:
        batch = self._batch(request.query_params.get("batch_no", ""))
        if isinstance(batch, Response):
            return batch
        booked = self.state.booking(batch.batch_no)
        if booked is not None:
            return self._loan_page(*booked)
        return self._financing_form(request, batch, [o.order_no for o in batch.orders])

    async def apply_for_order_loan(self, request: Request) -> Response:
        form = await request.form()
        batch = self._batch(_text(form, "batch_no"))
        if isinstance(batch, Response):
            return batch
        if self.state.booking(batch.batch_no) is not None:  # a double submit, a back button
            return self._redirect(request, FINANCING, batch_no=batch.batch_no)
        picked = {v.strip() for v in form.getlist("order_no") if isinstance(v, str)}
        known = {o.order_no for o in batch.orders}
        ticked = [o.order_no for o in batch.orders if o.order_no in picked]
        values = {k: _text(form, k) for k in ("amount", "term_months", "method")}
        if not picked:
            error = FormError("order_no", "请至少勾选一个订单（Tick at least one order）")
            return self._financing_form(request, batch, ticked, error=error, values=values)
        if picked - known:
            error = FormError("order_no", "所选订单不在本批次中（An order is not in this batch）")
            return self._financing_form(request, batch, ticked, error=error, values=values)
        orders = [o for o in batch.orders if o.order_no in picked]
        amount = _amount(values["amount"], self._ceiling(batch, orders), "本次最高可借")
        term = _term(values["term_months"])
        if isinstance(amount, FormError):
            return self._financing_form(request, batch, ticked, error=amount, values=values)
        if isinstance(term, FormError):
            return self._financing_form(request, batch, ticked, error=term, values=values)
        method = _method(values["method"])
        if isinstance(method, FormError):
            return self._financing_form(request, batch, ticked, error=method, values=values)
        loan_request = LoanRequest(batch.credit_code, ORDER, amount, term, method)
        _, loan, new = self.state.book_loan(
            batch.batch_no, ticked, lambda loan_no: applied_loan(loan_no, loan_request)
        )
        if new:
            self._decide(loan, orders, batch.batch_no)
        return self._redirect(request, FINANCING, batch_no=batch.batch_no)

    # --- credit loans ---

    async def credit_financing(self, request: Request) -> Response:
        enterprise = self._enterprise(request.query_params.get("credit_code", ""))
        if isinstance(enterprise, Response):
            return enterprise
        return self._credit_form(request, enterprise, uuid.uuid4().hex)

    async def apply_for_credit_loan(self, request: Request) -> Response:
        form = await request.form()
        enterprise = self._enterprise(_text(form, "credit_code"))
        if isinstance(enterprise, Response):
            return enterprise
        token = _text(form, "form_token") or uuid.uuid4().hex
        booked = self.state.booking(CREDIT_KEY_PREFIX + token)
        if booked is not None:  # the same form submitted again
            return self._redirect(request, LOAN, loan_no=booked[1].loan_no)
        values = {k: _text(form, k) for k in ("amount", "term_months", "method")}
        available = self._available(enterprise.credit_code, CREDIT)
        amount = _amount(values["amount"], available, "信用贷可用额度")
        term = _term(values["term_months"])
        if isinstance(amount, FormError):
            return self._credit_form(request, enterprise, token, error=amount, values=values)
        if isinstance(term, FormError):
            return self._credit_form(request, enterprise, token, error=term, values=values)
        method = _method(values["method"])
        if isinstance(method, FormError):
            return self._credit_form(request, enterprise, token, error=method, values=values)
        loan_request = LoanRequest(enterprise.credit_code, CREDIT, amount, term, method)
        _, loan, new = self.state.book_loan(
            CREDIT_KEY_PREFIX + token, (), lambda loan_no: applied_loan(loan_no, loan_request)
        )
        if new:
            self._decide(loan, (), None)
        return self._redirect(request, LOAN, loan_no=loan.loan_no)

    # --- any loan ---

    async def loan(self, request: Request) -> Response:
        if self.state.webank_down:
            return _unavailable()
        loan = self.state.loan(request.query_params.get("loan_no", ""))
        if loan is None:
            return _not_found("融资不存在", "找不到该融资编号。No loan with this number.")
        booking = self.state.booking_of(loan.loan_no)
        order_nos = booking.order_nos if booking is not None else ()
        page = loan_page(
            self._enterprise_of(loan.credit_code), loan, order_nos=order_nos, today=self.state.today
        )
        return HTMLResponse(page)

    # --- the bank's decision ---

    def _decide(self, loan: Loan, orders: Sequence[PushedOrder], batch_no: str | None) -> None:
        applied = self.notifier.send(
            "loan.applied",
            {
                "credit_code": loan.credit_code,
                "loan_no": loan.loan_no,
                "kind": loan.kind,
                "amount": format_yuan(loan.amount),
                "order_nos": [o.order_no for o in orders],
                "batch_no": batch_no,
            },
        )
        failure = failure_reason(loan.amount, (o.buyer_name for o in orders))
        # the bank decides at once: applied and (if not failed) disbursed at the same moment
        now = self.state.now()
        decided = decided_loan(loan, failure, self.state.today)
        if failure is not None:
            self.state.add_loan(replace(decided, applied_at=now))
            self.notifier.send(
                "loan.failed", {"loan_no": loan.loan_no, "reason": failure}, after=applied.event_id
            )
            return
        disbursed_at = now
        self.state.add_loan(replace(decided, applied_at=now, disbursed_at=disbursed_at))
        # the loan's later notifications (repayments, overdue, settled) are sent after this one
        disbursed = self.notifier.send(
            "loan.disbursed",
            {
                "loan_no": loan.loan_no,
                "amount": format_yuan(loan.amount),
                "annual_rate": str(loan.annual_rate),
                "term_months": loan.term_months,
                "disbursed_at": disbursed_at.isoformat(),
            },
            after=applied.event_id,
        )
        self.state.set_last_loan_event(loan.loan_no, disbursed.event_id)

    # --- helpers ---

    def _available(self, credit_code: str, kind: str) -> Decimal:
        return available_share(self.state.limit(credit_code), self.state.loans(), credit_code, kind)

    def _ceiling(self, batch: OrderBatch, orders: Sequence[PushedOrder]) -> Decimal:
        financeable = sum((o.financeable_amount for o in orders), Decimal("0.00"))
        return min(financeable, self._available(batch.credit_code, ORDER))

    def _batch(self, batch_no: str) -> OrderBatch | Response:
        if self.state.webank_down:
            return _unavailable()
        batch = self.state.order_batch(batch_no) if batch_no else None
        if batch is None:
            return _not_found(
                "融资批次不存在", "找不到该融资批次，请从云筑网重新勾选订单。No such order batch."
            )
        return batch

    def _enterprise(self, credit_code: str) -> Enterprise | Response:
        if self.state.webank_down:
            return _unavailable()
        if not credit_code or not self.state.supplier_pushes(credit_code):
            return _not_found(
                "企业不存在", "微众银行没有该企业的数据，请从云筑网重新进入。Unknown enterprise."
            )
        return self._enterprise_of(credit_code)

    def _enterprise_of(self, credit_code: str) -> Enterprise:
        pushes = self.state.supplier_pushes(credit_code)
        return Enterprise(pushes[-1].supplier.name if pushes else credit_code, credit_code)

    def _financing_form(
        self,
        request: Request,
        batch: OrderBatch,
        ticked: Sequence[str],
        *,
        error: FormError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        orders = [o for o in batch.orders if o.order_no in ticked]
        page = financing_page(
            self._enterprise_of(batch.credit_code),
            batch,
            action=_root(request) + FINANCING,
            ticked=ticked,
            ticked_financeable=sum((o.financeable_amount for o in orders), Decimal("0.00")),
            available=self._available(batch.credit_code, ORDER),
            ceiling=self._ceiling(batch, orders),
            error=error,
            values=values,
        )
        return HTMLResponse(page, status_code=200 if error is None else 400)

    def _credit_form(
        self,
        request: Request,
        enterprise: Enterprise,
        token: str,
        *,
        error: FormError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        page = credit_financing_page(
            enterprise,
            action=_root(request) + CREDIT_FINANCING,
            token=token,
            available=self._available(enterprise.credit_code, CREDIT),
            error=error,
            values=values,
        )
        return HTMLResponse(page, status_code=200 if error is None else 400)

    def _loan_page(self, booking: LoanBooking, loan: Loan) -> Response:
        enterprise = self._enterprise_of(loan.credit_code)
        page = loan_page(enterprise, loan, order_nos=booking.order_nos, today=self.state.today)
        return HTMLResponse(page)

    @staticmethod
    def _redirect(request: Request, path: str, **query: str) -> Response:
        return RedirectResponse(f"{_root(request)}{path}?{urlencode(query)}", status_code=303)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _unavailable() -> Response:
    page = message_page(
        "unavailable", "服务暂不可用", "微众银行系统维护中，请稍后再试。The bank is temporarily unavailable."
    )
    return HTMLResponse(page, status_code=503)


def _not_found(title: str, text: str) -> Response:
    return HTMLResponse(message_page("not-found", title, text), status_code=404)
