"""The HTML of the sandbox bank's registration pages: plain forms, inline CSS, no scripts, stable ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape

from bff_sandbox.data import SHANGHAI
from bff_sandbox.decision import REJECTING_NAME, settled_last_12_months
from bff_sandbox.money import format_yuan, round_fen
from bff_sandbox.state import (
    STEP_APPLY,
    STEP_DONE,
    STEP_ENTERPRISE,
    STEP_LEGAL_REP,
    STEPS,
    Application,
    SupplierPush,
)

SANDBOX_SMS_CODE = "123456"
ENTERPRISE_METHODS = {"TAX": ("税务认证", "Tax bureau"), "BUSINESS": ("工商认证", "Business licence")}

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f9;color:#1f2733}
header{background:#2456d6;color:#fff;padding:12px 24px;display:flex;gap:12px;align-items:center}
header .badge{margin-left:auto;background:#ffb020;color:#3a2600;border-radius:4px;padding:0 8px;font-size:12px}
main{max-width:720px;margin:24px auto;padding:0 16px}
.card{background:#fff;border-radius:8px;padding:16px 24px;margin-bottom:16px;box-shadow:0 1px 3px #0001}
h1,h2{font-size:18px;margin:0 0 12px}
small{color:#6b7685;font-weight:normal;font-size:12px}
dl{display:grid;grid-template-columns:10em 1fr;gap:4px 12px;margin:0}
dt{color:#6b7685}dd{margin:0}
.steps{display:flex;gap:8px;list-style:none;padding:0;margin:0 0 16px;counter-reset:s}
.steps li{flex:1;background:#fff;border-radius:6px;padding:8px;border-top:3px solid #d5dbe5;font-size:13px}
.steps li[data-state=done]{border-color:#1aa260}.steps li[data-state=current]{border-color:#2456d6;font-weight:600}
fieldset{border:1px solid #e3e7ee;border-radius:6px;margin:0 0 16px;padding:8px 16px 16px}
legend{font-weight:600;padding:0 4px}
label{display:block;margin:10px 0 4px}
input[type=text],input[type=password],select{width:100%;padding:8px 10px;border:1px solid #c9d0db;border-radius:4px;font:inherit}
.choices label{display:inline-block;margin-right:24px}
button{background:#2456d6;color:#fff;border:0;border-radius:4px;padding:10px 24px;font:inherit;cursor:pointer}
.hint{background:#fff8e6;border-left:3px solid #ffb020;padding:6px 12px;font-size:13px}
.error{background:#fdecec;color:#b3261e;border-left:3px solid #b3261e;padding:8px 12px;border-radius:4px}
.approved h2{color:#1aa260}.rejected h2{color:#b3261e}
table{width:100%;border-collapse:collapse;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e7ee}
td.num,th.num{text-align:right;white-space:nowrap}
.ceiling{font-size:20px;font-weight:600;color:#2456d6}
header{flex-wrap:wrap}
main.wide{max-width:1080px}
dd,td{overflow-wrap:anywhere}
td.nowrap,th.nowrap{white-space:nowrap}
td.name{min-width:10em}
.overdue h2,.status-overdue{color:#c2410c}
.overdue{border-left:4px solid #c2410c}
.status-overdue{font-weight:600;background:#fff1e6;border-radius:4px;padding:0 6px}
.status-paid,.status-settled{color:#1aa260}
.status-pending{color:#6b7685}
nav.links{display:flex;flex-wrap:wrap;gap:8px 16px;margin:0 0 16px}
nav.links a{color:#2456d6}
@media (max-width:640px){
main{margin:12px auto;padding:0 8px}
.card{padding:12px}
header{padding:10px 12px}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:6px}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid #e3e7ee;border-radius:6px;margin:0 0 8px;padding:4px 8px}
table.cards td{border:0;padding:2px 0;text-align:right;white-space:normal}
table.cards td::before{content:attr(data-label);float:left;color:#6b7685;margin-right:8px;text-align:left}
table.cards td.name{min-width:0}
}
"""

# What a person reads instead of the bank's codes (manual's wording).
LOAN_STATUS_LABELS = {
    "PROCESSING": "处理中",
    "DISBURSED": "已放款",
    "FAILED": "融资失败",
    "OVERDUE": "已逾期",
    "SETTLED": "已结清",
}
INSTALLMENT_STATUS_LABELS = {
    "PENDING": "待还",
    "PAID": "已还",
    "OVERDUE": "已逾期",
    "SETTLED": "已结清（提前结清）",
}
TRANSACTION_KIND_LABELS = {"DEPOSIT": "存入", "DEBIT": "扣款", "DISBURSEMENT": "放款", "FEE": "手续费"}

STEP_LABELS = {
    STEP_ENTERPRISE: ("step-enterprise", "注册登录 · 企业认证", "Sign up & enterprise"),
    STEP_LEGAL_REP: ("step-legal-rep", "法定代表人认证", "Legal representative"),
    STEP_APPLY: ("step-apply", "申请额度", "Apply for a limit"),
    STEP_DONE: ("step-result", "审批结果", "Decision"),
}


@dataclass(frozen=True, slots=True)
class FormError:
    field: str
    message: str


def esc(value: object) -> str:
    """Text for HTML, attributes included: every page of the sandbox bank escapes through this."""
    return escape(str(value), quote=True)


def yuan_label(text: str) -> str:
    """`"12345.60"` → `"12,345.60 元"`."""
    whole, _, fen = text.partition(".")
    return f"{int(whole):,}.{fen} 元"


def time_label(moment: datetime) -> str:
    """`2026-12-01T16:06:50+08:00` → `2026年12月1日 16:06` (Shanghai time)."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def date_label(day: date) -> str:
    """`2026-12-01` → `2026年12月1日`."""
    return f"{day.year}年{day.month}月{day.day}日"


def status_badge(element_id: str, status: str, labels: Mapping[str, str]) -> str:
    """A status in Chinese, the code kept for machines in `data-value`; overdue in warning colours."""
    ident = f' id="{esc(element_id)}"' if element_id else ""
    return (
        f'<span{ident} class="status-{esc(status.lower())}" data-value="{esc(status)}">'
        f"{esc(labels.get(status, status))}</span>"
    )


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{ratio * 100:.0f}%"


WIDE = ' class="wide"'


def document(title: str, body: str, *, wide: bool = False) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)} · 微众银行（沙箱）</title><style>{CSS}</style></head><body>"
        "<header><strong>微众银行 WeBank</strong><span>微业贷 · 供应商专属贷款</span>"
        '<span class="badge">沙箱 SANDBOX</span></header>'
        f"<main{WIDE if wide else ''}>{body}</main></body></html>"
    )


def message_page(element_id: str, title: str, text: str) -> str:
    return document(
        title, f'<section class="card" id="{esc(element_id)}"><h1>{esc(title)}</h1><p>{text}</p></section>'
    )


def _field(name: str, label: str, hint: str, value: str = "", *, kind: str = "text", extra: str = "") -> str:
    return (
        f'<label for="{name}">{label} <small>{hint}</small></label>'
        f'<input type="{kind}" id="{name}" name="{name}" value="{esc(value)}" required{extra}>'
    )


def _summary(application: Application, push: SupplierPush) -> str:
    supplier = push.supplier
    region = " ".join(part for part in (supplier.province, supplier.city) if part) or "—"
    rows = [
        ("企业名称", "Enterprise", "enterprise-name", supplier.name),
        ("统一社会信用代码", "Credit code", "credit-code", supplier.credit_code),
        ("注册地区", "Region", "region", region),
        ("申请编号", "Application no.", "apply-no", application.apply_no),
    ]
    if application.account_phone:
        rows.append(("登录手机号", "Account", "account-phone", application.account_phone))
    if application.enterprise_method:
        method, _ = ENTERPRISE_METHODS[application.enterprise_method]
        rows.append(("企业认证", "Enterprise verified", "enterprise-method", f"{method} ✓"))
    if application.legal_rep:
        rows.append(
            ("法定代表人", "Legal representative", "legal-rep-name", f"{application.legal_rep.name} ✓")
        )
    cells = "".join(f'<dt>{a} <small>{b}</small></dt><dd id="{i}">{esc(v)}</dd>' for a, b, i, v in rows)
    return f'<section class="card" id="enterprise-info"><h1>企业信息 <small>Enterprise</small></h1><dl>{cells}</dl></section>'


def _progress(step: str) -> str:
    current = STEPS.index(step)
    items = []
    for index, name in enumerate(STEPS):
        element_id, label, hint = STEP_LABELS[name]
        state = "done" if index < current or step == STEP_DONE else "current" if index == current else "todo"
        items.append(
            f'<li id="{element_id}" data-state="{state}">{index + 1}. {label}<br><small>{hint}</small></li>'
        )
    return f'<ol id="progress" class="steps">{"".join(items)}</ol>'


def _form(form_id: str, action: str, apply_no: str, content: str, button: str) -> str:
    return (
        f'<section class="card"><form method="post" action="{esc(action)}" id="{form_id}">'
        f'<input type="hidden" name="apply_no" value="{esc(apply_no)}">{content}'
        f'<button type="submit" id="{form_id.removesuffix("-form")}-submit">{button}</button></form></section>'
    )


def _enterprise_form(
    action: str, application: Application, push: SupplierPush, values: Mapping[str, str]
) -> str:
    method = values.get("method", "TAX")
    radios = "".join(
        f'<label><input type="radio" id="method-{key.lower()}" name="method" value="{key}"'
        f"{' checked' if key == method else ''}> {label} <small>{hint}</small></label>"
        for key, (label, hint) in ENTERPRISE_METHODS.items()
    )
    content = (
        "<fieldset><legend>① 注册并登录 <small>Sign up and log in</small></legend>"
        + _field("account_phone", "手机号", "Mobile number (11 digits)", values.get("account_phone", ""))
        + _field("password", "登录密码", "Password, at least 6 characters", kind="password")
        + "</fieldset><fieldset><legend>② 企业认证 <small>Enterprise verification</small></legend>"
        + f'<div class="choices">{radios}</div>'
        + _field(
            "licence_no",
            "营业执照号码",
            "Business-licence number (= credit code)",
            values.get("licence_no", push.supplier.credit_code),
        )
        + "</fieldset>"
    )
    return _form(
        "enterprise-form",
        action,
        application.apply_no,
        content,
        "注册并提交企业认证 <small>Sign up &amp; verify</small>",
    )


def _legal_rep_form(action: str, application: Application, values: Mapping[str, str]) -> str:
    content = (
        "<fieldset><legend>法定代表人认证 <small>Legal-representative verification</small></legend>"
        + _field("legal_name", "法定代表人姓名", "Name", values.get("legal_name", ""))
        + _field("id_number", "身份证号码", "ID number (18 characters)", values.get("id_number", ""))
        + _field("bank_card", "银行储蓄卡号", "Debit card number", values.get("bank_card", ""))
        + _field(
            "phone",
            "银行预留手机号",
            "Phone registered with the card",
            values.get("phone", application.account_phone or ""),
        )
        + _field("sms_code", "短信验证码", "SMS code", extra=' autocomplete="one-time-code"')
        + f'<p class="hint" id="sandbox-hint">沙箱短信验证码为 <b>{SANDBOX_SMS_CODE}</b> · Sandbox SMS code.'
        f" 姓名填写「{REJECTING_NAME}」将演示额度被拒 · Name {REJECTING_NAME} forces a rejection.</p>"
        "</fieldset>"
    )
    return _form("legal-rep-form", action, application.apply_no, content, "提交认证 <small>Verify</small>")


def _apply_form(action: str, application: Application, push: SupplierPush) -> str:
    settled = format_yuan(settled_last_12_months(push.months))
    content = (
        "<fieldset><legend>申请授信额度 <small>Apply for a credit limit</small></legend>"
        f'<p>近12个月结算金额 <small>Settled, last 12 months</small>: <b id="settled-12m" data-value="{settled}">'
        f"{yuan_label(settled)}</b></p>"
        '<label><input type="checkbox" id="agree" name="agree" value="yes" required> '
        "我已阅读并同意《授信协议》《征信授权书》 <small>I agree to the credit agreements</small></label>"
        "</fieldset>"
    )
    return _form("apply-form", action, application.apply_no, content, "申请额度 <small>Apply</small>")


def _result(application: Application) -> str:
    decision = application.decision
    assert decision is not None
    if decision.status == "APPROVED" and decision.total is not None:
        total = format_yuan(decision.total)
        order = format_yuan(round_fen(decision.total * (decision.order_ratio or 0)))
        credit = format_yuan(decision.total - round_fen(decision.total * (decision.order_ratio or 0)))
        until = decision.valid_until.isoformat() if decision.valid_until else "—"
        until_label = date_label(decision.valid_until) if decision.valid_until else "—"
        rows = [
            ("授信额度", "Total limit", "limit-total", total, yuan_label(total)),
            (
                f"订单贷 {_percent(decision.order_ratio)}",
                "Order loans",
                "order-loan-total",
                order,
                yuan_label(order),
            ),
            (
                f"信用贷 {_percent(decision.credit_ratio)}",
                "Credit loans",
                "credit-loan-total",
                credit,
                yuan_label(credit),
            ),
            ("有效期至", "Valid until", "valid-until", until, until_label),
        ]
        title = "额度申请已通过 <small>Approved</small>"
        css = "approved"
    else:
        after = decision.reapply_after.isoformat() if decision.reapply_after else "—"
        after_label = date_label(decision.reapply_after) if decision.reapply_after else "—"
        rows = [
            ("未通过原因", "Reason", "reject-reason", decision.reason or "", decision.reason or "—"),
            ("可重新申请日期", "Re-apply from", "reapply-after", after, after_label),
        ]
        title = "额度申请未通过 <small>Rejected</small>"
        css = "rejected"
    cells = "".join(
        f'<dt>{a} <small>{b}</small></dt><dd id="{i}" data-value="{esc(v)}">{esc(shown)}</dd>'
        for a, b, i, v, shown in rows
    )
    return (
        f'<section class="card {css}" id="result" data-status="{decision.status}"><h2>{title}</h2>'
        f"<dl>{cells}</dl><p><small>结果已通知云筑网，可关闭本页返回信融宝。"
        "The platform has been notified; you may close this page.</small></p></section>"
    )


def register_page(
    application: Application,
    push: SupplierPush,
    actions: Mapping[str, str],
    *,
    error: FormError | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The applicant's progress and the form of their current step (or the decision once made)."""
    values = values or {}
    step = application.step
    parts = [_summary(application, push), _progress(step)]
    if error is not None:
        parts.append(
            f'<p id="error" class="error" role="alert" data-field="{esc(error.field)}">{esc(error.message)}</p>'
        )
    if step == STEP_ENTERPRISE:
        parts.append(_enterprise_form(actions[step], application, push, values))
    elif step == STEP_LEGAL_REP:
        parts.append(_legal_rep_form(actions[step], application, values))
    elif step == STEP_APPLY:
        parts.append(_apply_form(actions[step], application, push))
    else:
        parts.append(_result(application))
    body = f'<div id="register" data-apply-no="{esc(application.apply_no)}" data-step="{step}">{"".join(parts)}</div>'
    return document("注册与额度申请", body)
