"""The bank's account pages a person opens (manual §7–§10): 账户信息 and 业务流水.

- `GET /pages/accounts?credit_code=…` — the receiving account (收款账户) and the repayment account
  (还款账户, deposit into it before a due date), `#receiving-account`, `#repayment-account`.
- `GET /pages/transactions?credit_code=…&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N` — the 业务流水 of a date
  range (default: the last 90 days), 20 a page, newest first, `#transactions` with prev/next links.

A bank page shows account numbers whole (it is the enterprise's own bank); the platform never does.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bff_sandbox import statements
from bff_sandbox.bank_html import (
    TRANSACTION_KIND_LABELS,
    date_label,
    document,
    esc,
    message_page,
    time_label,
    yuan_label,
)
from bff_sandbox.data import SHANGHAI
from bff_sandbox.financing_html import Enterprise, enterprise_card
from bff_sandbox.money import format_yuan
from bff_sandbox.state import SandboxState

PAGE_SIZE = 20
DEFAULT_DAYS = 90


def _page(element_id: str, title: str, text: str, status_code: int) -> Response:
    return HTMLResponse(message_page(element_id, title, text), status_code=status_code)


def _nav(code: str) -> str:
    query = urlencode({"credit_code": code})
    return (
        '<nav class="links" id="account-nav">'
        f'<a id="nav-accounts" href="accounts?{esc(query)}">账户信息 · Accounts</a>'
        f'<a id="nav-transactions" href="transactions?{esc(query)}">业务流水 · Transactions</a></nav>'
    )


def _account_card(element_id: str, title: str, hint: str, account: statements.Account | None) -> str:
    if account is None:
        body = "<p>暂无账户 · No account yet.</p>"
    else:
        body = (
            f"<dl><dt>开户行 <small>Bank</small></dt><dd>{esc(account.bank_name)}</dd>"
            f"<dt>户名 <small>Holder</small></dt><dd>{esc(account.account_name)}</dd>"
            f'<dt>账号 <small>Account no.</small></dt><dd class="account-no" data-value="{esc(account.account_no)}">'
            f"{esc(' '.join(account.account_no[i : i + 4] for i in range(0, len(account.account_no), 4)))}</dd></dl>"
        )
    return f'<section class="card" id="{element_id}"><h2>{title} <small>{hint}</small></h2>{body}</section>'


class AccountPages:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/pages/accounts", self.accounts, methods=["GET"]),
            Route("/pages/transactions", self.transactions, methods=["GET"]),
        ]

    def _enterprise(self, request: Request) -> Enterprise | Response:
        if self.state.webank_down:
            return _page(
                "unavailable", "服务暂不可用", "微众银行系统维护中，请稍后再试。The bank is unavailable.", 503
            )
        code = request.query_params.get("credit_code", "")
        if not code or not statements.known(self.state, code):
            return _page("not-found", "企业不存在", "找不到该企业。No such enterprise at the bank.", 404)
        return Enterprise(statements.enterprise_name(self.state, code), code)

    async def accounts(self, request: Request) -> Response:
        enterprise = self._enterprise(request)
        if isinstance(enterprise, Response):
            return enterprise
        receiving, repayment = statements.accounts(self.state, enterprise.credit_code)
        body = (
            f"{enterprise_card(enterprise)}{_nav(enterprise.credit_code)}"
            + _account_card(
                "receiving-account", "收款账户", "Receiving account: loans are paid out here", receiving
            )
            + _account_card(
                "repayment-account",
                "还款账户",
                "Repayment account: deposit before each due date; the bank debits it",
                repayment,
            )
            + '<p class="hint">请于每期还款日前将应还款项存入还款账户，银行将于还款日自动扣款。'
            "Deposit the amount due into the repayment account before the due date.</p>"
        )
        return HTMLResponse(document("账户信息", f'<div id="accounts">{body}</div>'))

    async def transactions(self, request: Request) -> Response:
        enterprise = self._enterprise(request)
        if isinstance(enterprise, Response):
            return enterprise
        query = request.query_params
        try:
            end = date.fromisoformat(query["to"]) if query.get("to") else self.state.today
            start = (
                date.fromisoformat(query["from"]) if query.get("from") else end - timedelta(days=DEFAULT_DAYS)
            )
            page = int(query.get("page", "1"))
        except ValueError:
            return _page(
                "bad-request", "查询条件无效", "日期应为 YYYY-MM-DD，页码为正整数。Bad dates or page.", 400
            )
        if start > end or page < 1:
            return _page(
                "bad-request", "查询条件无效", "起始日期不能晚于截止日期。From must not be after to.", 400
            )
        found = [
            t
            for t in statements.transactions(self.state, enterprise.credit_code)
            if start <= t.occurred_at.astimezone(SHANGHAI).date() <= end
        ]
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        rows = "".join(
            f'<tr data-txn-no="{esc(t.txn_no)}" data-kind="{esc(t.kind)}">'
            f'<td data-label="交易时间" class="nowrap" data-value="{t.occurred_at.isoformat()}">'
            f"{time_label(t.occurred_at)}</td>"
            f'<td data-label="类型" class="nowrap">{esc(TRANSACTION_KIND_LABELS.get(t.kind, t.kind))}</td>'
            f'<td data-label="金额" class="num" data-value="{format_yuan(t.amount)}">'
            f"{'-' if t.kind in ('DEBIT', 'FEE') else '+'}{yuan_label(format_yuan(t.amount))}</td>"
            f'<td data-label="余额" class="num">{yuan_label(format_yuan(t.balance_after))}</td>'
            f'<td data-label="借据" class="nowrap">'
            + (
                f'<a href="loan?{esc(urlencode({"loan_no": t.loan_no}))}">{esc(t.loan_no)}</a>'
                if t.loan_no
                else "—"
            )
            + f'</td><td data-label="摘要" class="name">{esc(t.memo)}</td></tr>'
            for t in shown
        )
        base = {"credit_code": enterprise.credit_code, "from": start.isoformat(), "to": end.isoformat()}
        links = []
        if page > 1:
            links.append(
                f'<a id="prev-page" href="transactions?{esc(urlencode({**base, "page": page - 1}))}">上一页 · Previous</a>'
            )
        if page * PAGE_SIZE < len(found):
            links.append(
                f'<a id="next-page" href="transactions?{esc(urlencode({**base, "page": page + 1}))}">下一页 · Next</a>'
            )
        table = (
            '<table id="transactions" class="cards"><thead><tr><th class="nowrap">交易时间</th><th>类型</th>'
            '<th class="num">金额</th><th class="num">余额</th><th>借据</th><th>摘要</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            if shown
            else '<p id="no-transactions">该期间无交易 · No transactions in this period.</p>'
        )
        form = (
            '<form method="get" action="transactions" id="range-form" class="hint">'
            f'<input type="hidden" name="credit_code" value="{esc(enterprise.credit_code)}">'
            f'<label for="from">起始日期 <small>From</small></label><input type="text" id="from" name="from" value="{start.isoformat()}">'
            f'<label for="to">截止日期 <small>To</small></label><input type="text" id="to" name="to" value="{end.isoformat()}">'
            '<p><button type="submit" id="range-submit">查询 <small>Search</small></button></p></form>'
        )
        body = (
            f"{enterprise_card(enterprise)}{_nav(enterprise.credit_code)}"
            f'<section class="card" id="transactions-card" data-total="{len(found)}">'
            f"<h2>业务流水 <small>Transactions, {date_label(start)} – {date_label(end)}, {len(found)} 笔</small></h2>"
            f"{form}{table}"
            f'<nav class="links" id="pages">{"".join(links)}</nav></section>'
        )
        return HTMLResponse(document("业务流水", f'<div id="account-transactions">{body}</div>', wide=True))
