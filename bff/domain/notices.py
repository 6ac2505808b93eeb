"""What each notice (消息通知) says, in the manual's Chinese, with amounts and dates; and its key.

A notice's key names the happening it tells of, so the same happening never makes a second notice: a
bank event delivered again, a reconciliation that applies what an event already did, a restarted job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bff.domain.statuses import NoticeKind

# DUE_SOON: this many days before an installment's due date (DESIGN §6.5).
DUE_SOON_DAYS = 5


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    kind: NoticeKind
    key: str
    title: str
    body: str
    loan_no: str | None = None


def yuan(amount: Decimal) -> str:
    """`12,345.60元`."""
    return f"{amount:,.2f}元"


def day(value: date) -> str:
    """`2026年3月5日`."""
    return f"{value.year}年{value.month}月{value.day}日"


def disbursed(loan_no: str, amount: Decimal, on: date) -> NoticeDraft:
    return NoticeDraft(
        NoticeKind.DISBURSED,
        f"DISBURSED:{loan_no}",
        "放款成功",
        f"您的借据{loan_no}已于{day(on)}放款{yuan(amount)}，款项已转入您的收款账户。",
        loan_no,
    )


def loan_failed(loan_no: str, reason: str | None) -> NoticeDraft:
    why = f"（{reason}）" if reason else ""
    return NoticeDraft(
        NoticeKind.LOAN_FAILED,
        f"LOAN_FAILED:{loan_no}",
        "融资失败",
        f"很抱歉，您的借据{loan_no}融资失败{why}，所选订单已释放，可重新发起融资申请。",
        loan_no,
    )


def settled(loan_no: str, on: date) -> NoticeDraft:
    return NoticeDraft(
        NoticeKind.SETTLED,
        f"SETTLED:{loan_no}",
        "贷款已结清",
        f"您的借据{loan_no}已于{day(on)}结清，可在文件中查看贷款结清证明。",
        loan_no,
    )


def debit_failed(loan_no: str, period: int, due: date, arrears: Decimal) -> NoticeDraft:
    return NoticeDraft(
        NoticeKind.DEBIT_FAILED,
        f"DEBIT_FAILED:{loan_no}:{period}",
        "自动扣款失败",
        f"您的借据{loan_no}第{period}期（应还日{day(due)}）自动扣款失败，当前逾期应还{yuan(arrears)}"
        "（不含罚息）。请尽快向还款账户存入足额资金或主动还款。",
        loan_no,
    )


def overdue(loan_no: str, since: date, arrears: Decimal) -> NoticeDraft:
    return NoticeDraft(
        NoticeKind.OVERDUE,
        f"OVERDUE:{loan_no}:{since.isoformat()}",
        "借据逾期",
        f"您的借据{loan_no}自{day(since)}起逾期，逾期金额{yuan(arrears)}，逾期期间将按日计收罚息。"
        "还款和逾期记录将作为后续在云筑网开展业务的数据参考，请尽快还款。",
        loan_no,
    )


def due_soon(loan_no: str, period: int, due: date, principal: Decimal, interest: Decimal) -> NoticeDraft:
    return NoticeDraft(
        NoticeKind.DUE_SOON,
        f"DUE_SOON:{loan_no}:{period}",
        "还款提醒",
        f"您的借据{loan_no}第{period}期将于{day(due)}到期，应还{yuan(principal + interest)}"
        f"（本金{yuan(principal)}，利息{yuan(interest)}），届时将从还款账户自动扣款，请确保余额充足。",
        loan_no,
    )


def limit_approved(admission_id: int, total: Decimal, valid_until: date | None) -> NoticeDraft:
    until = f"，有效期至{day(valid_until)}" if valid_until is not None else ""
    return NoticeDraft(
        NoticeKind.LIMIT_APPROVED,
        f"LIMIT_APPROVED:{admission_id}",
        "授信审批通过",
        f"恭喜，微众银行已为您核定授信额度{yuan(total)}{until}。现在即可发起订单融资或信用贷款。",
    )


def limit_rejected(admission_id: int, reason: str | None, reapply_after: date | None) -> NoticeDraft:
    why = f"（{reason}）" if reason else ""
    again = f"您可于{day(reapply_after)}后重新申请。" if reapply_after is not None else ""
    return NoticeDraft(
        NoticeKind.LIMIT_REJECTED,
        f"LIMIT_REJECTED:{admission_id}",
        "授信审批未通过",
        f"很抱歉，您的授信申请未通过审批{why}。{again}",
    )


def due_soon_day(due: date) -> date:
    """The day the DUE_SOON notice of an installment due on `due` is given."""
    return due - timedelta(days=DUE_SOON_DAYS)
