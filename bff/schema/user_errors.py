"""`UserError`: a business refusal as data in a mutation payload (DESIGN §3)."""

from __future__ import annotations

import strawberry

from bff.domain.refusals import Refusal, RefusalCode
from bff.schema.described_enum import described_enum

described_enum(
    RefusalCode,
    "Stable codes of business refusals (业务拒绝); never renamed, only added.",
    {
        RefusalCode.NOT_ELIGIBLE: "The supplier fails an admission threshold (不满足准入条件).",
        RefusalCode.AGREEMENT_REQUIRED: "The user agreement must be agreed to first (需同意协议).",
        RefusalCode.REAPPLY_WINDOW: "Rejected recently; may apply again from `Admission.reapplyAfter`.",
        RefusalCode.INVALID_INPUT: "An input field is invalid; `field` names it.",
        RefusalCode.NO_CREDIT_LIMIT: "No approved credit limit (无授信额度).",
        RefusalCode.LIMIT_EXHAUSTED: "The available limit is used up (额度不足).",
        RefusalCode.ORDER_NOT_FOUND: "An order is unknown or not the viewer's.",
        RefusalCode.ORDER_STATUS_NOT_FINANCEABLE: "An order's status does not allow financing; the message is "
        "the manual's: 请勾选待发货、处理中的订单发起贷款申请….",
        RefusalCode.ORDER_ALREADY_IN_FINANCING: "An order is already in an application or a live loan.",
        RefusalCode.LOAN_NOT_FOUND: "The loan is unknown or not the viewer's.",
        RefusalCode.LOAN_NOT_REPAYABLE: "The loan cannot be repaid now (not DISBURSED or OVERDUE).",
        RefusalCode.FINANCING_NOT_OPENED: "【开通】 must come before the handler form.",
        RefusalCode.SUPPLIER_NOT_FOUND: "The platform has no such supplier.",
        RefusalCode.INVALID_CREDIT_CODE: "The 统一社会信用代码 fails the GB 32100 check; never pushed.",
        RefusalCode.APPLICATION_NOT_FOUND: "The application is unknown or not the viewer's.",
        RefusalCode.APPLICATION_NOT_CANCELLABLE: "WeBank made a loan from it, or it expired or failed.",
        RefusalCode.NOTICE_NOT_FOUND: "A notice (消息) is unknown or not the viewer's; nothing was marked.",
    },
    name="UserErrorCode",
)


@strawberry.type(
    description="Why a mutation changed nothing; `field` names the input field at fault, if one."
)
class UserError:
    code: RefusalCode = strawberry.field(description="Stable code to branch on.")
    message: str = strawberry.field(description="For the supplier, in Chinese; show it as is.")
    field: str | None = strawberry.field(description="The input field at fault (e.g. `input.email`), if one.")

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> UserError:
        return cls(code=refusal.code, message=refusal.message, field=refusal.field)


def user_errors(refusals: list[Refusal]) -> list[UserError]:
    return [UserError.from_refusal(refusal) for refusal in refusals]
