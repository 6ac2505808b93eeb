"""The HTML of the sandbox bank's repayment and document pages: plain forms, inline CSS, stable ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from bff_sandbox.bank_html import (
    LOAN_STATUS_LABELS,
    SANDBOX_SMS_CODE,
    FormError,
    date_label,
    document,
    esc,
    status_badge,
    time_label,
    yuan_label,
)
from bff_sandbox.data import Installment, Loan, Repayment
from bff_sandbox.financing_html import Enterprise, enterprise_card
from bff_sandbox.loan_engine import METHOD_LABELS, Due, Payoff, installment_penalty
from bff_sandbox.loan_servicing import EARLY_SETTLEMENT, SHORT_OF_FUNDS_FEN
from bff_sandbox.money import format_yuan

KIND_TITLES = {
    "INSTALLMENT": ("到期还款", "Pay the installment"),
    "EARLY_SETTLEMENT": ("提前结清", "Early settlement"),
}
REPAYMENT_KIND_LABELS = {"SCHEDULED": "自动扣款", "ACTIVE": "主动还款", "EARLY_SETTLEMENT": "提前结清"}


def _money(element_id: str, amount: Decimal) -> str:
    text = format_yuan(amount)
    return f'<span id="{element_id}" data-value="{text}">{yuan_label(text)}</span>'


def _rows(rows: Sequence[tuple[str, str, str]]) -> str:
    """`<dt>/<dd>` pairs of (label, English hint, already-escaped HTML value)."""
    return "".join(f"<dt>{a} <small>{b}</small></dt><dd>{v}</dd>" for a, b, v in rows)


def _loan_rows(loan: Loan) -> list[tuple[str, str, str]]:
    return [
        (
            "融资编号",
            "Loan no.",
            f'<span id="loan-no" data-value="{esc(loan.loan_no)}">{esc(loan.loan_no)}</span>',
        ),
        ("借款金额", "Amount", _money("loan-amount", loan.amount)),
        ("剩余本金", "Outstanding principal", _money("loan-outstanding", loan.outstanding_principal)),
        ("年化利率", "Annual rate", f"{loan.annual_rate * 100:.2f}%"),
        ("还款方式", "Method", esc(METHOD_LABELS.get(loan.method, loan.method))),
        (
            "状态",
            "Status",
            status_badge("loan-status", loan.status, LOAN_STATUS_LABELS),
        ),
    ]


def _arrears_table(loan: Loan, arrears: Sequence[Installment], today: date) -> str:
    rows = "".join(
        f'<tr data-period="{i.period}"><td data-label="期数">{i.period}</td>'
        f'<td data-label="到期日" class="nowrap">{date_label(i.due_date)}</td>'
        f'<td data-label="本金" class="num">{yuan_label(format_yuan(i.principal))}</td>'
        f'<td data-label="利息" class="num">{yuan_label(format_yuan(i.interest))}</td>'
        f'<td data-label="罚息" class="num">'
        f"{yuan_label(format_yuan(installment_penalty(i, loan.annual_rate, today)))}</td></tr>"
        for i in arrears
    )
    return (
        '<table id="arrears" class="cards"><thead><tr><th>期数</th><th>到期日</th><th class="num">本金</th>'
        f'<th class="num">利息</th><th class="num">罚息</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _due_section(loan: Loan, due: Due, today: date) -> str:
    chosen = [i for i in loan.plan if i.period in due.periods]
    overdue = any(i.status == "OVERDUE" for i in chosen)
    title = (
        "逾期欠款 <small>Overdue arrears</small>" if overdue else "本期应还 <small>Installment due</small>"
    )
    rows = [
        ("期数", "Period", f'<span id="repay-periods">{"、".join(str(p) for p in due.periods)}</span>'),
        ("本金", "Principal", _money("repay-principal", due.principal)),
        ("利息", "Interest", _money("repay-interest", due.interest)),
        ("罚息", "Penalty", _money("repay-penalty", due.penalty)),
        ("应还金额", "Amount", _money("repay-amount", due.total)),
    ]
    table = _arrears_table(loan, chosen, today) if overdue else ""
    status = "OVERDUE" if overdue else "DUE"
    css = "card overdue" if overdue else "card"
    return (
        f'<section class="{css}" id="repay-due" data-status="{status}"><h2>{title}</h2>{table}'
        f"<dl>{_rows(rows)}</dl></section>"
    )


def _payoff_section(quote: Payoff, today: date) -> str:
    rows = [
        (
            "结清日期",
            "Payoff date",
            f'<span id="payoff-date" data-value="{today.isoformat()}">{date_label(today)}</span>',
        ),
        ("剩余本金", "Principal", _money("payoff-principal", quote.principal)),
        ("应计利息", "Interest accrued", _money("payoff-interest", quote.interest)),
        ("罚息", "Penalty", _money("payoff-penalty", quote.penalty)),
        ("手续费", "Fee", _money("payoff-fee", quote.fee)),
        ("结清总额", "Total", _money("payoff-total", quote.total)),
    ]
    return (
        '<section class="card" id="payoff"><h2>提前结清应付金额 <small>Payoff quote</small></h2>'
        f"<dl>{_rows(rows)}</dl>"
        f'<p>本次还款 <small>To pay</small>: <b class="ceiling">{_money("repay-amount", quote.total)}</b></p>'
        "</section>"
    )


def repay_page(
    enterprise: Enterprise,
    loan: Loan,
    kind: str,
    *,
    today: date,
    due: Due | None,
    quote: Payoff | None,
    token: str,
    action: str,
    error: FormError | None = None,
) -> str:
    """The amount to pay (an installment, or the payoff quote) and the password + SMS form."""
    title, hint = KIND_TITLES[kind]
    amount = quote.total if quote is not None else due.total if due is not None else Decimal("0.00")
    section = (
        _payoff_section(quote, today) if quote is not None else _due_section(loan, due, today) if due else ""
    )
    error_html = (
        ""
        if error is None
        else f'<p id="error" class="error" role="alert" data-field="{esc(error.field)}">{esc(error.message)}</p>'
    )
    funds = (
        "还款账户余额不足时自动扣款失败（沙箱：金额以 .33 结尾的借款账户为空）；本页还款总能成功。"
        f" Automatic debits fail while the account is short (sandbox: loans ending in .{str(SHORT_OF_FUNDS_FEN)[-2:]});"
        " paying here always succeeds."
    )
    form = (
        f'<form id="repay-form" class="card" method="post" action="{esc(action)}">'
        f'<input type="hidden" name="loan_no" value="{esc(loan.loan_no)}">'
        f'<input type="hidden" name="kind" value="{esc(kind)}">'
        f'<input type="hidden" name="amount" value="{format_yuan(amount)}">'
        f'<input type="hidden" name="form_token" value="{esc(token)}">'
        "<fieldset><legend>身份验证 <small>Verify it is you</small></legend>"
        '<label for="trade_password">交易密码 <small>Trading password, 6 digits</small></label>'
        '<input type="password" id="trade_password" name="trade_password" inputmode="numeric" '
        'maxlength="6" required autocomplete="off">'
        '<label for="sms_code">短信验证码 <small>SMS code</small></label>'
        '<input type="text" id="sms_code" name="sms_code" required autocomplete="one-time-code">'
        f'<p class="hint" id="sandbox-hint">沙箱：交易密码任意6位数字，短信验证码 <b>{SANDBOX_SMS_CODE}</b>。'
        f" Sandbox: any 6-digit trading password, SMS code {SANDBOX_SMS_CODE}. {funds}</p>"
        "</fieldset>"
        f'<button type="submit" id="repay-submit">确认还款 {yuan_label(format_yuan(amount))} '
        "<small>Pay</small></button></form>"
    )
    loan_card = (
        f'<section class="card" id="loan-info"><h1>{title} <small>{hint}</small></h1>'
        f"<dl>{_rows(_loan_rows(loan))}</dl></section>"
    )
    body = (
        f'<div id="repay" data-kind="{esc(kind)}" data-loan-no="{esc(loan.loan_no)}">'
        f"{enterprise_card(enterprise)}{loan_card}{error_html}{section}{form}</div>"
    )
    return document(title, body)


def repay_result_page(enterprise: Enterprise, loan: Loan, repayment: Repayment) -> str:
    """The repayment just made: `#repay-result[data-status=PAID|SETTLED]`."""
    settled = repayment.kind == EARLY_SETTLEMENT or loan.status == "SETTLED"
    status = "SETTLED" if settled else "PAID"
    title = "贷款已结清 <small>Settled</small>" if settled else "还款成功 <small>Paid</small>"
    rows = [
        ("还款编号", "Repayment no.", f'<span id="repayment-no">{esc(repayment.repayment_no)}</span>'),
        ("还款方式", "Kind", esc(REPAYMENT_KIND_LABELS.get(repayment.kind, repayment.kind))),
        ("本金", "Principal", _money("repaid-principal", repayment.principal)),
        ("利息", "Interest", _money("repaid-interest", repayment.interest)),
        ("罚息", "Penalty", _money("repaid-penalty", repayment.penalty)),
        ("还款金额", "Amount", _money("repaid-amount", repayment.amount)),
        (
            "还款时间",
            "Paid at",
            f'<span id="repaid-at" data-value="{repayment.paid_at.isoformat()}">{time_label(repayment.paid_at)}</span>',
        ),
        ("剩余本金", "Outstanding", _money("loan-outstanding", loan.outstanding_principal)),
    ]
    body = (
        f"{enterprise_card(enterprise)}"
        f'<section class="card approved" id="repay-result" data-status="{status}"><h2>{title}</h2>'
        f"<dl>{_rows(rows)}</dl>"
        f'<p><a id="loan-link" href="../loan?loan_no={esc(loan.loan_no)}">查看借据 · View the loan</a></p>'
        "<p><small>结果已通知云筑网，可关闭本页返回信融宝。"
        "The platform has been notified; you may close this page.</small></p></section>"
    )
    return document("还款结果", body)
