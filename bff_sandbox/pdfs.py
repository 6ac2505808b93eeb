"""The bank's documents as real PDFs (reportlab), what `GET /v1/documents/{doc_id}` serves.

Chinese is set in reportlab's built-in CID font `STSong-Light` (no font file needed; readers supply the
glyphs), so the text can be extracted again (tests parse it back with pypdf). Amounts are printed in
figures and in Chinese capitals (`bff_sandbox.capitals`). A loan contract has two pages (terms, then
the repayment plan and signatures); every other document has one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from bff_sandbox.capitals import capitals
from bff_sandbox.data import SHANGHAI, Installment, Loan
from bff_sandbox.loan_engine import METHOD_LABELS
from bff_sandbox.money import format_yuan
from bff_sandbox.statements import REPAYMENT_BANK, Account, DocumentRef

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

KIND_LABELS = {"ORDER": "订单贷", "CREDIT": "信用贷"}


@dataclass(frozen=True, slots=True)
class Parties:
    enterprise: str
    credit_code: str
    receiving: Account | None
    repayment: Account | None
    limit_total: Decimal | None


def _amount(value: Decimal) -> str:
    return f"人民币 {format_yuan(value)} 元（大写：{capitals(value)}）"


def _time(value: datetime) -> str:
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _masked(account: Account | None) -> str:
    return "—" if account is None else f"{account.bank_name} 尾号{account.account_no[-4:]}"


class _Writer:
    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(REPAYMENT_BANK)
        self.title = title
        self._start_page()

    def _start_page(self) -> None:
        self.y = A4[1] - 72
        self.canvas.setFont(FONT, 18)
        self.canvas.drawCentredString(A4[0] / 2, self.y, self.title)
        self.y -= 36

    def line(self, text: str, size: int = 11) -> None:
        if self.y < 72:
            self.new_page()
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(64, self.y, text)
        self.y -= size + 9

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    def new_page(self) -> None:
        self.canvas.showPage()
        self._start_page()

    def finish(self) -> bytes:
        self.line("")
        self.line(f"{REPAYMENT_BANK}（电子签章）", 12)
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render(doc: DocumentRef, loan: Loan | None, parties: Parties) -> bytes:
    """The PDF of one document."""
    writer = _Writer(doc.title)
    writer.lines(
        [
            f"文件编号：{doc.doc_id}",
            f"企业名称：{parties.enterprise}",
            f"统一社会信用代码：{parties.credit_code}",
            f"出具时间：{_time(doc.issued_at)}",
            "",
        ]
    )
    if doc.kind == "REALNAME_AGREEMENT":
        writer.lines(
            [
                "甲方（企业）已通过法定代表人实名认证，同意微众银行依法查询、核验企业及法定代表人身份信息，",
                "并以此作为微业贷-供应商专属贷款业务中签署电子合同、发起还款的身份依据。",
                f"收款账户：{_masked(parties.receiving)}",
                f"还款账户：{_masked(parties.repayment)}",
            ]
        )
    elif doc.kind == "LIMIT_CONTRACT":
        total = parties.limit_total
        writer.lines(
            [
                "授信人：深圳前海微众银行股份有限公司",
                f"授信额度：{'—' if total is None else _amount(total)}",
                "额度内可申请订单贷（订单融资）与信用贷（信用融资），循环使用，以银行审批为准。",
            ]
        )
    elif loan is not None:
        _loan_document(writer, doc, loan, parties)
    return writer.finish()


def _loan_document(writer: _Writer, doc: DocumentRef, loan: Loan, parties: Parties) -> None:
    writer.line(f"借据编号：{loan.loan_no}（{KIND_LABELS.get(loan.kind, loan.kind)}）")
    if doc.kind == "LOAN_CONTRACT":
        writer.lines(
            [
                f"借款金额：{_amount(loan.amount)}",
                f"年化利率：{loan.annual_rate * 100:.2f}%",
                f"借款期限：{loan.term_months}个月",
                f"还款方式：{METHOD_LABELS.get(loan.method, loan.method)}",
                f"收款账户：{_masked(parties.receiving)}",
                f"还款账户：{_masked(parties.repayment)}",
                "借款人应于每期还款日前将应还款项存入还款账户，由银行自动扣款；逾期按执行利率的1.5倍计收罚息。",
            ]
        )
        writer.new_page()
        writer.line("还款计划")
        for item in loan.plan:
            writer.line(
                f"第{item.period}期  {item.due_date.isoformat()}  本金 {format_yuan(item.principal)}  "
                f"利息 {format_yuan(item.interest)}"
            )
        writer.line("")
        writer.line("借款人（签章）：" + parties.enterprise)
        return
    installment = next((i for i in loan.plan if i.period == doc.period), None)
    if doc.kind in ("INSTALLMENT_VOUCHER", "INTEREST_VOUCHER") and installment is not None:
        _voucher(writer, doc, loan, installment)
    elif doc.kind == "SETTLEMENT_CERTIFICATE":
        paid = sum((r.amount for r in loan.repayments), Decimal("0.00"))
        writer.lines(
            [
                f"借款金额：{_amount(loan.amount)}",
                f"累计还款：{_amount(paid)}",
                "剩余本金：人民币 0.00 元（大写：零元整）",
                "兹证明上述借款本金、利息及罚息已全部结清，借款人与我行之间就该笔借款的债权债务关系终止。",
            ]
        )


def _voucher(writer: _Writer, doc: DocumentRef, loan: Loan, installment: Installment) -> None:
    repayment = next((r for r in loan.repayments if installment.period in r.periods), None)
    penalty = (
        repayment.penalty
        if repayment is not None and repayment.periods and repayment.periods[0] == installment.period
        else Decimal("0.00")
    )
    total = installment.principal + installment.interest + penalty
    writer.lines(
        [
            f"期次：第{installment.period}期（应还日 {installment.due_date.isoformat()}）",
            f"还款时间：{'—' if repayment is None else _time(repayment.paid_at)}",
            f"还款编号：{'—' if repayment is None else repayment.repayment_no}",
        ]
    )
    if doc.kind == "INSTALLMENT_VOUCHER":
        writer.line(f"归还本金：{_amount(installment.principal)}")
    writer.lines(
        [
            f"支付利息：{_amount(installment.interest)}",
            f"罚息：{_amount(penalty)}",
            f"合计：{_amount(total)}",
        ]
    )
