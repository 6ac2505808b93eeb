"""The bank's own registration pages, where the `register_url` of a supplier push leads.

`GET /pages/register?apply_no=…` shows the applicant's progress and the form of their current step;
each form posts to its step and, when valid, redirects (303) back to that page, which then shows the
next step — so re-opening the register URL later continues where the applicant stopped:

1. `POST /pages/register/enterprise` — sign up and log in, enterprise verification (税务/工商认证);
2. `POST /pages/register/legal-rep` — legal-representative verification (SMS code `123456`), then the
   bank notifies `realname.verified`;
3. `POST /pages/register/apply` — the bank decides (`bff_sandbox.decision`), stores the limit and
   notifies `limit.approved` or `limit.rejected`; the page then shows the decision.

Invalid input re-renders the step with status 400 and `#error`; an unknown apply number is a 404 page;
a post for a step already done (a double submit, a back button) just redirects to the current page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bff_sandbox.bank_html import (
    ENTERPRISE_METHODS,
    SANDBOX_SMS_CODE,
    FormError,
    message_page,
    register_page,
)
from bff_sandbox.decision import decide
from bff_sandbox.identity import bank_card_problem, id_number_problem
from bff_sandbox.money import format_yuan
from bff_sandbox.notifier import Notifier
from bff_sandbox.state import (
    STEP_APPLY,
    STEP_DONE,
    STEP_ENTERPRISE,
    STEP_LEGAL_REP,
    Application,
    CreditLimit,
    LegalRepresentative,
    SandboxState,
    SupplierPush,
)

MOBILE = re.compile(r"1\d{10}")
MIN_PASSWORD = 6

ACTIONS = {
    STEP_ENTERPRISE: "/pages/register/enterprise",
    STEP_LEGAL_REP: "/pages/register/legal-rep",
    STEP_APPLY: "/pages/register/apply",
}


def _enterprise_error(form: dict[str, str], credit_code: str) -> FormError | None:
    if not MOBILE.fullmatch(form.get("account_phone", "")):
        return FormError("account_phone", "请输入11位手机号（Enter an 11-digit mobile number）")
    if len(form.get("password", "")) < MIN_PASSWORD:
        return FormError("password", "登录密码至少6位（The password needs at least 6 characters）")
    if form.get("method") not in ENTERPRISE_METHODS:
        return FormError("method", "请选择认证方式（Choose tax or business-licence verification）")
    if form.get("licence_no", "").upper() != credit_code:
        return FormError(
            "licence_no",
            "营业执照号码与企业的统一社会信用代码不一致（The licence number does not match the credit code）",
        )
    return None


def _legal_rep_error(form: dict[str, str]) -> FormError | None:
    if not form.get("legal_name"):
        return FormError("legal_name", "请输入法定代表人姓名（Enter the legal representative's name）")
    id_problem = id_number_problem(form.get("id_number", ""))
    if id_problem is not None:
        return FormError("id_number", id_problem)
    card_problem = bank_card_problem(form.get("bank_card", ""))
    if card_problem is not None:
        return FormError("bank_card", card_problem)
    if not MOBILE.fullmatch(form.get("phone", "")):
        return FormError("phone", "请输入11位手机号（Enter an 11-digit mobile number）")
    if form.get("sms_code") != SANDBOX_SMS_CODE:
        return FormError("sms_code", f"短信验证码错误（Wrong SMS code; the sandbox's is {SANDBOX_SMS_CODE}）")
    return None


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def limit_notification(credit_code: str, decision: CreditLimit) -> tuple[str, dict[str, str | None]]:
    """The `limit.approved` or `limit.rejected` notification telling the platform about a decision."""
    if decision.status == "APPROVED":
        return "limit.approved", {
            "credit_code": credit_code,
            "total": None if decision.total is None else format_yuan(decision.total),
            "order_ratio": str(decision.order_ratio),
            "credit_ratio": str(decision.credit_ratio),
            "valid_until": _day(decision.valid_until),
        }
    return "limit.rejected", {
        "credit_code": credit_code,
        "reason": decision.reason,
        "reapply_after": _day(decision.reapply_after),
    }


class BankPages:
    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

    def routes(self) -> list[Route]:
        return [
            Route("/pages/register", self.register, methods=["GET"]),
            Route(ACTIONS[STEP_ENTERPRISE], self.enterprise, methods=["POST"]),
            Route(ACTIONS[STEP_LEGAL_REP], self.legal_rep, methods=["POST"]),
            Route(ACTIONS[STEP_APPLY], self.apply, methods=["POST"]),
        ]

    # --- pages ---

    async def register(self, request: Request) -> Response:
        found = self._find(request.query_params.get("apply_no", ""))
        if isinstance(found, Response):
            return found
        return self._render(request, *found)

    async def enterprise(self, request: Request) -> Response:
        return await self._step(request, STEP_ENTERPRISE)

    async def legal_rep(self, request: Request) -> Response:
        return await self._step(request, STEP_LEGAL_REP)

    async def apply(self, request: Request) -> Response:
        return await self._step(request, STEP_APPLY)

    # --- the steps ---

    async def _step(self, request: Request, step: str) -> Response:
        form = {key: value.strip() for key, value in (await request.form()).items() if isinstance(value, str)}
        found = self._find(form.get("apply_no", ""))
        if isinstance(found, Response):
            return found
        application, push = found
        if application.step != step:
            return self._back(request, application.apply_no)
        if step == STEP_ENTERPRISE:
            error = _enterprise_error(form, application.credit_code)
            new = replace(
                application,
                step=STEP_LEGAL_REP,
                account_phone=form.get("account_phone"),
                enterprise_method=form.get("method"),
            )
        elif step == STEP_LEGAL_REP:
            error = _legal_rep_error(form)
            legal_rep = LegalRepresentative(
                form.get("legal_name", ""),
                form.get("id_number", "").upper(),
                form.get("bank_card", ""),
                form.get("phone", ""),
            )
            new = replace(application, step=STEP_APPLY, legal_rep=legal_rep)
        else:
            error = (
                None
                if form.get("agree")
                else FormError("agree", "请先同意授信协议（Agree to the agreements first）")
            )
            name = application.legal_rep.name if application.legal_rep else ""
            new = replace(application, step=STEP_DONE, decision=decide(push.months, name, self.state.today))
        if error is not None:
            return self._render(request, application, push, error=error, values=form)
        if self.state.advance_application(application, new):  # False: a concurrent submit did it already
            self._announce(new)
        return self._back(request, application.apply_no)

    def _announce(self, application: Application) -> None:
        credit_code = application.credit_code
        decision = application.decision
        if application.step == STEP_APPLY:
            self.notifier.send("realname.verified", {"credit_code": credit_code})
        elif decision is not None:
            self.state.set_limit(credit_code, decision)
            self.notifier.send(*limit_notification(credit_code, decision))

    # --- helpers ---

    def _find(self, apply_no: str) -> tuple[Application, SupplierPush] | Response:
        if self.state.webank_down:
            page = message_page(
                "unavailable",
                "服务暂不可用",
                "微众银行系统维护中，请稍后再试。The bank is temporarily unavailable.",
            )
            return HTMLResponse(page, status_code=503)
        found = self.state.application(apply_no) if apply_no else None
        if found is None:
            page = message_page(
                "not-found",
                "申请不存在",
                "找不到该申请编号，请从云筑网重新进入。No application with this number.",
            )
            return HTMLResponse(page, status_code=404)
        return found

    @staticmethod
    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", ""))

    def _back(self, request: Request, apply_no: str) -> Response:
        query = urlencode({"apply_no": apply_no})
        return RedirectResponse(f"{self._root(request)}/pages/register?{query}", status_code=303)

    def _render(
        self,
        request: Request,
        application: Application,
        push: SupplierPush,
        *,
        error: FormError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        actions = {step: self._root(request) + path for step, path in ACTIONS.items()}
        page = register_page(application, push, actions, error=error, values=values)
        return HTMLResponse(page, status_code=200 if error is None else 400)
