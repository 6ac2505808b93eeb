"""Why a push to WeBank failed for good, as the graph tells the supplier (`pushError`, DESIGN §6.2).

A push fails for good when WeBank refuses it (a 4xx answer: `code` is the bank's refusal code, e.g.
`INVALID_STATISTICS`) or when retrying ran out of time (`PUSH_GAVE_UP`: the bank never took it within
`BFF_PUSH_GIVE_UP_HOURS`). The message says, in the product's Chinese, what did not reach the bank and
what the supplier can do: the mutation that wrote the push queues it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bff.domain.bank_pushes import HandlerPush, OrdersPush, SupplierPush

PUSH_GAVE_UP = "PUSH_GAVE_UP"  # retried until the give-up time: the bank never took it
PUSH_UNREADABLE = "PUSH_UNREADABLE"  # the stored push could not be read back (a bug on our side): never sent

# What did not reach the bank, and what the supplier can do about it, per push kind.
_WHAT = {
    SupplierPush.kind: ("开通信息（企业信息与近两年交易数据）", "请重新点击【开通】"),
    HandlerPush.kind: ("经办人信息", "请重新提交经办人信息"),
    OrdersPush.kind: ("融资申请的订单信息", "所选订单已释放，可重新发起融资申请"),
}
_SOMETHING = ("信息", "请重试")


@dataclass(frozen=True, slots=True)
class PushError:
    code: str
    message: str
    failed_at: datetime


def push_error(kind: str, code: str | None, last_error: str | None, failed_at: datetime) -> PushError:
    """The supplier-facing error of a FAILED push of `kind`; `code` None (failed before codes were kept)
    reads as a give-up."""
    what, action = _WHAT.get(kind, _SOMETHING)
    code = code or PUSH_GAVE_UP
    if code == PUSH_GAVE_UP:
        detail = f"（最后一次错误：{last_error}）" if last_error else ""
        message = f"{what}未能送达微众银行：长时间自动重试后仍未成功{detail}。{action}。"
    elif code == PUSH_UNREADABLE:
        message = f"{what}未能发送至微众银行（系统内部错误）。{action}；如仍未成功，请联系客服。"
    else:
        message = f"微众银行未接受{what}（{code}）。{action}；如仍未成功，请联系客服。"
    return PushError(code=code, message=message, failed_at=failed_at)
