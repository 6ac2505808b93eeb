"""The HTML of the sandbox bank's financing pages: plain forms, inline CSS, no scripts, stable ids."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bff_sandbox.bank_html import (
    INSTALLMENT_STATUS_LABELS,
    LOAN_STATUS_LABELS,
    FormError,
    date_label,
    document,
    esc,
    status_badge,
    yuan_label,
)
from bff_sandbox.data import Loan
from bff_sandbox.loan_decision import (
    ANNUAL_RATE,
    FAILING_BUYER_MARK,
    FAILING_FEN,
    TERMS,
)
from bff_sandbox.loan_engine import EQUAL_INSTALLMENT, METHOD_LABELS, METHODS
from bff_sandbox.money import format_yuan
from bff_sandbox.state import OrderBatch

SOURCE_LABELS = {"MALL": "集采", "MRO": "MRO"}
STATUS_LABELS = {
    "PENDING_CONFIRMATION": "待确认",
    "PENDING_SHIPMENT": "待发货",
    "PROCESSING": "处理中",
    "PENDING_RECEIPT": "待收货",
    "COMPLETED": "已完成",
    "REJECTED": "已拒绝",
    "CANCELLED": "已取消",
}
LOAN_STATUS_TITLES = {
    "PROCESSING": ("融资处理中", "Processing"),
    "DISBURSED": ("放款成功", "Disbursed"),
    "FAILED": ("融资失败", "Failed"),
    "OVERDUE": ("已逾期", "Overdue"),
    "SETTLED": ("已结清", "Settled"),
}


@dataclass(frozen=True, slots=True)
class Enterprise:
    name: str
    credit_code: str


def _error(error: FormError | None) -> str:
    if error is None:
        return ""
    return (
        f'<p id="error" class="error" role="alert" data-field="{esc(error.field)}">{esc(error.message)}</p>'
    )


def enterprise_card(enterprise: Enterprise, extra: str = "") -> str:
    return (
        '<section class="card" id="enterprise-info"><h1>企业信息 <small>Enterprise</small></h1><dl>'
        f'<dt>企业名称 <small>Enterprise</small></dt><dd id="enterprise-name">{esc(enterprise.name)}</dd>'
        f'<dt>统一社会信用代码 <small>Credit code</small></dt><dd id="credit-code">{esc(enterprise.credit_code)}</dd>'
        f"{extra}</dl></section>"
    )


def _money(element_id: str, amount: Decimal, css: str = "") -> str:
    text = format_yuan(amount)
    klass = f' class="{css}"' if css else ""
    return f'<span id="{element_id}"{klass} data-value="{text}">{yuan_label(text)}</span>'


def _amount_and_term(prefix: str, values: Mapping[str, str]) -> str:
    amount_id = f"{prefix}amount"
    term_id = f"{prefix}term"
    chosen = values.get("term_months", str(TERMS[1]))
    options = "".join(
        f'<option value="{t}"{" selected" if str(t) == chosen else ""}>{t} 个月 ({t} months)</option>'
        for t in TERMS
    )
    method_id = f"{prefix}method"
    picked = values.get("method", EQUAL_INSTALLMENT)
    methods = "".join(
        f'<option value="{m}"{" selected" if m == picked else ""}>{METHOD_LABELS[m]} ({m})</option>'
        for m in METHODS
    )
    rate = f"{ANNUAL_RATE * 100:.2f}%"
    return (
        f'<label for="{amount_id}">借款金额（元） <small>Amount in yuan, at most two decimals</small></label>'
        f'<input type="text" inputmode="decimal" id="{amount_id}" name="amount" '
        f'value="{esc(values.get("amount", ""))}" required autocomplete="off">'
        f'<label for="{term_id}">借款期限 <small>Term</small></label>'
        f'<select id="{term_id}" name="term_months">{options}</select>'
        f'<label for="{method_id}">还款方式 <small>Repayment method</small></label>'
        f'<select id="{method_id}" name="method">{methods}</select>'
        f'<p>年化利率 <small>Annual rate</small>: <b id="{prefix}annual-rate" data-value="{ANNUAL_RATE}">{rate}</b>'
        " · 按日计息（实际天数/360），每月同日还款 <small>daily interest, actual/360, monthly due dates</small></p>"
    )


def _hint() -> str:
    return (
        f'<p class="hint" id="sandbox-hint">沙箱规则 · Sandbox rule: 金额以 <b>.{str(FAILING_FEN)[-2:]}</b> 结尾'
        f"或订单买方名称含「{FAILING_BUYER_MARK}」将放款失败，其余立即放款。"
        f" An amount ending in .{str(FAILING_FEN)[-2:]} or a buyer named with {FAILING_BUYER_MARK} fails;"
        " anything else is disbursed at once."
        " 金额以 <b>.33</b> 结尾的借款还款账户余额不足，到期自动扣款失败而逾期。"
        " A loan ending in .33 has no funds: its automatic debits fail and it falls overdue.</p>"
    )


def _orders_table(batch: OrderBatch, ticked: Collection[str]) -> str:
    rows = []
    for order in batch.orders:
        contract = order.contract.contract_no if order.contract else "—"
        checked = " checked" if order.order_no in ticked else ""
        rows.append(
            f'<tr id="row-{esc(order.order_no)}">'
            f'<td data-label="选择"><input type="checkbox" id="order-{esc(order.order_no)}" name="order_no" '
            f'value="{esc(order.order_no)}"{checked}></td>'
            f'<td data-label="订单号" class="nowrap"><label for="order-{esc(order.order_no)}">'
            f"{esc(order.order_no)}</label></td>"
            f'<td data-label="来源" class="nowrap">{esc(SOURCE_LABELS.get(order.source, order.source))}</td>'
            f'<td data-label="状态" class="nowrap" data-value="{esc(order.status)}">'
            f"{esc(STATUS_LABELS.get(order.status, order.status))}</td>"
            f'<td data-label="订单金额" class="num" data-value="{format_yuan(order.amount)}">'
            f"{yuan_label(format_yuan(order.amount))}</td>"
            f'<td data-label="可融资金额" class="num" data-value="{format_yuan(order.financeable_amount)}">'
            f"{yuan_label(format_yuan(order.financeable_amount))}</td>"
            f'<td data-label="采购方" class="name">{esc(order.buyer_name)}</td>'
            f'<td data-label="合同编号" class="nowrap">{esc(contract)}</td></tr>'
        )
    head = (
        '<tr><th>选择</th><th class="nowrap">订单号 <small>Order</small></th><th class="nowrap">来源</th>'
        '<th class="nowrap">状态</th><th class="num">订单金额</th><th class="num">可融资金额</th>'
        '<th>采购方 <small>Buyer</small></th><th class="nowrap">合同编号 <small>Contract</small></th></tr>'
    )
    return f'<table id="orders" class="cards"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def financing_page(
    enterprise: Enterprise,
    batch: OrderBatch,
    *,
    action: str,
    ticked: Collection[str],
    ticked_financeable: Decimal,
    available: Decimal,
    ceiling: Decimal,
    error: FormError | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The orders of a pushed batch to pick from, the ceiling and the amount/term form."""
    values = values or {}
    batch_row = f'<dt>融资批次 <small>Batch</small></dt><dd id="batch-no">{esc(batch.batch_no)}</dd>'
    form = (
        f'<form id="financing-form" class="card" method="post" action="{esc(action)}">'
        f'<input type="hidden" name="batch_no" value="{esc(batch.batch_no)}">'
        "<fieldset><legend>① 勾选融资订单 <small>Pick the orders to finance</small></legend>"
        f"{_orders_table(batch, ticked)}</fieldset>"
        "<fieldset><legend>② 融资金额 <small>Amount</small></legend><dl>"
        f"<dt>所选订单可融资合计 <small>Financeable, ticked orders</small></dt>"
        f"<dd>{_money('ticked-financeable', ticked_financeable)}</dd>"
        f"<dt>订单贷可用额度 <small>Order-loan limit available</small></dt>"
        f"<dd>{_money('order-limit-available', available)}</dd>"
        f"<dt>本次最高可借 <small>Ceiling</small></dt><dd>{_money('ceiling', ceiling, 'ceiling')}</dd></dl>"
        "<p><small>最高可借金额 = min(所选订单可融资合计, 订单贷可用额度)；更改勾选后提交即按所选订单重新核算。"
        "The ceiling is checked against the ticked orders on submit.</small></p>"
        f"{_amount_and_term('', values)}{_hint()}</fieldset>"
        '<button type="submit" id="financing-submit">提交融资申请 <small>Apply</small></button></form>'
    )
    body = f'<div id="financing" data-batch-no="{esc(batch.batch_no)}">{enterprise_card(enterprise, batch_row)}{_error(error)}{form}</div>'
    return document("订单融资", body, wide=True)


def credit_financing_page(
    enterprise: Enterprise,
    *,
    action: str,
    token: str,
    available: Decimal,
    error: FormError | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The credit-loan share still available and the amount/term form."""
    values = values or {}
    form = (
        f'<form id="credit-financing-form" class="card" method="post" action="{esc(action)}">'
        f'<input type="hidden" name="credit_code" value="{esc(enterprise.credit_code)}">'
        f'<input type="hidden" name="form_token" value="{esc(token)}">'
        "<fieldset><legend>信用贷款 <small>Credit loan</small></legend><dl>"
        f"<dt>信用贷可用额度 <small>Credit-loan limit available</small></dt>"
        f"<dd>{_money('credit-available', available, 'ceiling')}</dd></dl>"
        f"{_amount_and_term('credit-', values)}{_hint()}</fieldset>"
        '<button type="submit" id="credit-submit">提交融资申请 <small>Apply</small></button></form>'
    )
    body = f'<div id="credit-financing">{enterprise_card(enterprise)}{_error(error)}{form}</div>'
    return document("信用融资", body)


def _plan(loan: Loan) -> str:
    if not loan.plan:
        return ""
    rows = "".join(
        f'<tr data-period="{i.period}" data-status="{esc(i.status)}"><td data-label="期数">{i.period}</td>'
        f'<td data-label="到期日" class="nowrap" data-value="{i.due_date.isoformat()}">{date_label(i.due_date)}</td>'
        f'<td data-label="本金" class="num">{yuan_label(format_yuan(i.principal))}</td>'
        f'<td data-label="利息" class="num">{yuan_label(format_yuan(i.interest))}</td>'
        f'<td data-label="状态" class="nowrap">{status_badge("", i.status, INSTALLMENT_STATUS_LABELS)}</td></tr>'
        for i in loan.plan
    )
    return (
        '<h2>还款计划 <small>Repayment plan</small></h2><table id="loan-plan" class="cards"><thead><tr>'
        '<th>期数</th><th>到期日</th><th class="num">本金</th><th class="num">利息</th><th>状态</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _servicing(loan: Loan, today: date | None) -> str:
    """Links to repay and to the documents, and the sandbox clock (so a demo can click a loan's life)."""
    if loan.disbursed_on is None:
        return ""
    parts = []
    if loan.status in ("DISBURSED", "OVERDUE"):
        query = f"loan_no={esc(loan.loan_no)}"
        parts.append(
            '<p id="repay-links">'
            f'<a id="repay-installment" href="repayment?{query}&amp;kind=INSTALLMENT">到期还款 · Pay the installment</a>'
            f' · <a id="repay-early-settlement" href="repayment?{query}&amp;kind=EARLY_SETTLEMENT">'
            "提前结清 · Settle early</a></p>"
        )
    docs = "".join(
        f'<li data-kind="{esc(d.kind)}"><a href="{esc(d.url.removeprefix("/pages/"))}">{esc(d.title)}</a></li>'
        for d in loan.documents
    )
    parts.append(f'<h2>合同与凭证 <small>Documents</small></h2><ul id="loan-documents">{docs}</ul>')
    code = esc(loan.credit_code)
    parts.append(
        '<nav class="links" id="account-links">'
        f'<a id="accounts-link" href="accounts?credit_code={code}">账户信息 · Accounts</a>'
        f'<a id="transactions-link" href="transactions?credit_code={code}">业务流水 · Transactions</a></nav>'
    )
    if today is not None and loan.status in ("DISBURSED", "OVERDUE"):
        upcoming = [i.due_date for i in loan.plan if i.status == "PENDING" and i.due_date > today]
        days = (min(upcoming) - today).days if upcoming else 1
        parts.append(
            '<form id="clock-form" method="post" action="clock" class="hint">'
            f'<input type="hidden" name="loan_no" value="{esc(loan.loan_no)}">'
            f'沙箱日期 <small>Sandbox today</small>: <b id="sandbox-today" data-value="{today.isoformat()}">'
            f"{date_label(today)}</b> · 前进 <small>advance</small> "
            f'<input type="text" id="clock-days" name="days" value="{days}" size="4" inputmode="numeric"> 天 '
            '<button type="submit" id="clock-submit">拨动时钟 <small>Move the clock</small></button></form>'
        )
    return "".join(parts)


def loan_result(loan: Loan, *, order_nos: Collection[str] = (), today: date | None = None) -> str:
    """A loan's outcome: `#loan-result[data-status]` with its number, amount and plan."""
    title, hint = LOAN_STATUS_TITLES.get(loan.status, (loan.status, loan.status))
    css = {"FAILED": "rejected", "OVERDUE": "overdue"}.get(loan.status, "approved")
    rows = [
        ("融资编号", "Loan no.", "loan-no", loan.loan_no, loan.loan_no),
        ("借款金额", "Amount", "loan-amount", format_yuan(loan.amount), yuan_label(format_yuan(loan.amount))),
        ("借款期限", "Term", "loan-term", str(loan.term_months), f"{loan.term_months} 个月"),
        ("年化利率", "Annual rate", "loan-rate", str(loan.annual_rate), f"{loan.annual_rate * 100:.2f}%"),
        ("状态", "Status", "loan-status", loan.status, LOAN_STATUS_LABELS.get(loan.status, loan.status)),
    ]
    if loan.disbursed_on is not None:
        outstanding = format_yuan(loan.outstanding_principal)
        rows.append(("剩余本金", "Outstanding", "loan-outstanding", outstanding, yuan_label(outstanding)))
        method = METHOD_LABELS.get(loan.method, loan.method)
        rows.append(("还款方式", "Method", "loan-method", loan.method, method))
    if order_nos:
        rows.append(("融资订单", "Orders", "loan-orders", ",".join(order_nos), "、".join(order_nos)))
    if loan.disbursed_on is not None:
        day = loan.disbursed_on.isoformat()
        rows.append(("放款日期", "Disbursed on", "loan-disbursed-on", day, date_label(loan.disbursed_on)))
    if loan.failure_reason:
        rows.append(("失败原因", "Reason", "loan-failure-reason", loan.failure_reason, loan.failure_reason))
    cells = "".join(
        f'<dt>{a} <small>{b}</small></dt><dd id="{i}" data-value="{esc(v)}">{esc(shown)}</dd>'
        for a, b, i, v, shown in rows
    )
    return (
        f'<section class="card {css}" id="loan-result" data-status="{esc(loan.status)}">'
        f"<h2>{title} <small>{hint}</small></h2><dl>{cells}</dl>{_plan(loan)}{_servicing(loan, today)}"
        "<p><small>结果已通知云筑网，可关闭本页返回信融宝。"
        "The platform has been notified; you may close this page.</small></p></section>"
    )


def loan_page(
    enterprise: Enterprise, loan: Loan, *, order_nos: Collection[str] = (), today: date | None = None
) -> str:
    result = loan_result(loan, order_nos=order_nos, today=today)
    body = f'<div id="loan">{enterprise_card(enterprise)}{result}</div>'
    return document("融资结果", body)
