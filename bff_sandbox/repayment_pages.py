"""The bank's repayment and document pages, where `/v1/loans/{loan_no}/repayment-url` leads.

- `GET /pages/repayment?loan_no=…&kind=INSTALLMENT|EARLY_SETTLEMENT` (also `/pages/repay`): INSTALLMENT
  shows what is due — the overdue arrears with their penalty to today, else the next pending installment —
  as `#repay-amount[data-value]`; EARLY_SETTLEMENT shows the payoff quote for the sandbox's today
  (`#payoff-principal`, `#payoff-interest`, `#payoff-penalty`, `#payoff-fee`, `#payoff-total`, all with
  `data-value`). Both carry `#repay-form` with `#trade_password` (any 6 digits), `#sms_code` (`123456`) and
  `#repay-submit`.
- `POST /pages/repayment` pays (`LoanServicing.repay`: ACTIVE, or EARLY_SETTLEMENT then `loan.settled`) and
  redirects (303) to `GET /pages/repayment/result?loan_no=…&repayment_no=…`, which shows
  `#repay-result[data-status=PAID|SETTLED]`. Each rendered form has a token: submitting it twice pays once.
  A wrong password or SMS code re-renders the form with 400 and `#error[data-field]`; an amount that
  changed since the page was shown (the clock moved) re-renders it with 409 and the new amount.
- A loan that is not DISBURSED or OVERDUE gets a 409 page `#not-repayable`; an unknown loan a 404 page;
  everything is a 503 page while the bank is down.
- `GET /pages/documents/{loan_no}/{name}` serves each document a loan's page links to as its real PDF
  (the one `GET /v1/documents/{doc_id}` serves); none for a FAILED loan.
- `POST /pages/clock` (`days`, `loan_no`) moves the sandbox clock from the loan page and redirects back
  to it — the demo's way to live through due dates; tests use `POST /_sandbox/clock`.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bff_sandbox import pdfs, statements
from bff_sandbox.bank_html import LOAN_STATUS_LABELS, SANDBOX_SMS_CODE, FormError, message_page
from bff_sandbox.data import Loan
from bff_sandbox.financing_html import Enterprise
from bff_sandbox.loan_engine import payoff
from bff_sandbox.loan_servicing import (
    EARLY_SETTLEMENT,
    INSTALLMENT,
    REPAYABLE_STATUSES,
    LoanServicing,
    RepaymentRefused,
    installment_due,
)
from bff_sandbox.money import parse_yuan
from bff_sandbox.repayment_html import repay_page, repay_result_page
from bff_sandbox.state import SandboxState

REPAYMENT = "repayment"  # the page name in `/pages/repayment`, as `repayment-url` answers it
KINDS = (INSTALLMENT, EARLY_SETTLEMENT)
TRADE_PASSWORD = re.compile(r"\d{6}")
MAX_CLOCK_DAYS = 3660


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _page(element_id: str, title: str, text: str, status_code: int) -> Response:
    return HTMLResponse(message_page(element_id, title, text), status_code=status_code)


def _unavailable() -> Response:
    return _page(
        "unavailable",
        "服务暂不可用",
        "微众银行系统维护中，请稍后再试。The bank is temporarily unavailable.",
        503,
    )


def _not_found() -> Response:
    return _page("not-found", "借据不存在", "找不到该融资编号。No loan with this number.", 404)


def _not_repayable(loan: Loan) -> Response:
    return _page(
        "not-repayable",
        "该笔借据不可还款",
        f"借据 {loan.loan_no} 当前状态为「{LOAN_STATUS_LABELS.get(loan.status, loan.status)}」，无需还款。"
        f"Loan {loan.loan_no} is {loan.status.lower()}: "
        "there is nothing to repay.",
        409,
    )


class RepaymentPages:
    def __init__(self, state: SandboxState, servicing: LoanServicing) -> None:
        self.state = state
        self.servicing = servicing

    def routes(self) -> list[Route]:
        return [
            Route(f"/pages/{REPAYMENT}", self.repayment, methods=["GET"]),
            Route("/pages/repay", self.repayment, methods=["GET"]),
            Route(f"/pages/{REPAYMENT}", self.repay, methods=["POST"]),
            Route("/pages/repay", self.repay, methods=["POST"]),
            Route(f"/pages/{REPAYMENT}/result", self.result, methods=["GET"]),
            Route("/pages/documents/{loan_no}/{name}", self.document, methods=["GET"]),
            Route("/pages/clock", self.clock, methods=["POST"]),
        ]

    # --- pages ---

    async def repayment(self, request: Request) -> Response:
        found = self._repayable(request.query_params.get("loan_no", ""), request.query_params.get("kind", ""))
        if isinstance(found, Response):
            return found
        loan, kind = found
        return self._form(request, loan, kind, uuid.uuid4().hex)

    async def repay(self, request: Request) -> Response:
        form = {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}
        if self.state.webank_down:
            return _unavailable()
        token = form.get("form_token") or uuid.uuid4().hex
        done = self.state.repayment_of_token(token)
        if done is not None:  # a double submit, a back button
            return self._to_result(request, *done)
        found = self._repayable(form.get("loan_no", ""), form.get("kind", ""))
        if isinstance(found, Response):
            return found
        loan, kind = found
        error = None
        if not TRADE_PASSWORD.fullmatch(form.get("trade_password", "")):
            error = FormError("trade_password", "交易密码为6位数字（The trading password has 6 digits）")
        elif form.get("sms_code") != SANDBOX_SMS_CODE:
            error = FormError(
                "sms_code", f"短信验证码错误（Wrong SMS code; the sandbox's is {SANDBOX_SMS_CODE}）"
            )
        if error is not None:
            return self._form(request, loan, kind, token, error=error, status_code=400)
        expected = parse_yuan(form.get("amount", ""))
        try:
            loan, repayment = self.servicing.repay(loan.loan_no, kind, token, expected)
        except RepaymentRefused as refused:
            current = self.state.loan(loan.loan_no)
            if refused.code == "AMOUNT_CHANGED" and current is not None:
                message = f"应还金额已变化，请核对后重新提交（{refused.message}）"
                error = FormError("amount", message)
                return self._form(request, current, kind, token, error=error, status_code=409)
            return _not_repayable(current or loan)
        return self._to_result(request, loan.loan_no, repayment.repayment_no)

    async def result(self, request: Request) -> Response:
        if self.state.webank_down:
            return _unavailable()
        loan = self.state.loan(request.query_params.get("loan_no", ""))
        repayment_no = request.query_params.get("repayment_no", "")
        repayment = (
            None
            if loan is None
            else next((r for r in loan.repayments if r.repayment_no == repayment_no), None)
        )
        if loan is None or repayment is None:
            return _page("not-found", "还款记录不存在", "找不到该还款记录。No such repayment.", 404)
        return HTMLResponse(repay_result_page(self._enterprise(loan), loan, repayment))

    async def document(self, request: Request) -> Response:
        """The loan document behind a link on the loan's page: the same PDF `GET /v1/documents` serves."""
        if self.state.webank_down:
            return _unavailable()
        loan = self.state.loan(str(request.path_params["loan_no"]))
        name = str(request.path_params["name"])
        doc = (
            None
            if loan is None
            else next((d for d in statements.loan_documents(loan) if d.url.rsplit("/", 1)[-1] == name), None)
        )
        if loan is None or doc is None:
            return _page("not-found", "凭证不存在", "找不到该合同或凭证。No such document.", 404)
        receiving, repayment = statements.accounts(self.state, loan.credit_code)
        limit = self.state.limit(loan.credit_code)
        parties = pdfs.Parties(
            self._enterprise(loan).name,
            loan.credit_code,
            receiving,
            repayment,
            limit.total if limit.status == "APPROVED" else None,
        )
        filename = quote(f"{loan.loan_no}-{doc.title}.pdf")
        return Response(
            pdfs.render(doc, None if doc.loan_no is None else loan, parties),
            media_type="application/pdf",
            headers={"Content-Disposition": f"inline; filename=\"{name}\"; filename*=UTF-8''{filename}"},
        )

    async def clock(self, request: Request) -> Response:
        form = {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}
        days = form.get("days", "")
        if not days.isdigit() or int(days) > MAX_CLOCK_DAYS:
            return _page("bad-request", "天数无效", "请输入要前进的天数。Enter a number of days.", 400)
        self.state.advance(int(days))
        query = urlencode({"loan_no": form.get("loan_no", "")})
        return RedirectResponse(f"{_root(request)}/pages/loan?{query}", status_code=303)

    # --- helpers ---

    def _repayable(self, loan_no: str, kind: str) -> tuple[Loan, str] | Response:
        if self.state.webank_down:
            return _unavailable()
        loan = self.state.loan(loan_no) if loan_no else None
        if loan is None:
            return _not_found()
        if kind not in KINDS:
            return _page(
                "bad-request", "还款类型无效", "kind 须为 INSTALLMENT 或 EARLY_SETTLEMENT。Unknown kind.", 400
            )
        if loan.status not in REPAYABLE_STATUSES or loan.disbursed_on is None:
            return _not_repayable(loan)
        return loan, kind

    def _enterprise(self, loan: Loan) -> Enterprise:
        pushes = self.state.supplier_pushes(loan.credit_code)
        return Enterprise(pushes[-1].supplier.name if pushes else loan.credit_code, loan.credit_code)

    def _form(
        self,
        request: Request,
        loan: Loan,
        kind: str,
        token: str,
        *,
        error: FormError | None = None,
        status_code: int = 200,
    ) -> Response:
        if loan.status not in REPAYABLE_STATUSES:
            return _not_repayable(loan)
        today = self.state.today
        quote = payoff(loan, today) if kind == EARLY_SETTLEMENT else None
        due = installment_due(loan, today) if kind == INSTALLMENT else None
        page = repay_page(
            self._enterprise(loan),
            loan,
            kind,
            today=today,
            due=due,
            quote=quote,
            token=token,
            action=f"{_root(request)}/pages/{REPAYMENT}",
            error=error,
        )
        return HTMLResponse(page, status_code=status_code)

    @staticmethod
    def _to_result(request: Request, loan_no: str, repayment_no: str) -> Response:
        query = urlencode({"loan_no": loan_no, "repayment_no": repayment_no})
        return RedirectResponse(f"{_root(request)}/pages/{REPAYMENT}/result?{query}", status_code=303)
