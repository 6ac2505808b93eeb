"""The admission's progress as steps a UI can render (manual §2: "页面展示准入的进度")."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bff.domain.admission_flow import rank
from bff.domain.bank_pushes import HandlerPush, SupplierPush
from bff.domain.statuses import AdmissionStatus


class StepState(enum.Enum):
    DONE = "DONE"
    CURRENT = "CURRENT"  # the supplier (or the bank) acts next here
    TODO = "TODO"
    FAILED = "FAILED"  # WeBank rejected the admission, or a push of this step failed for good


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    state: StepState
    at: datetime | None


# The step a push of each kind carries out (by push kind, `bff.domain.bank_pushes`).
STEP_OF_PUSH = {SupplierPush.kind: "OPEN", HandlerPush.kind: "HANDLER"}

# key, title, the status reached when the step is done
_STEPS = (
    ("AGREE", "同意数据授权协议", AdmissionStatus.AGREED),
    ("OPEN", "开通（推送企业信息与近两年交易数据）", AdmissionStatus.OPENED),
    ("HANDLER", "填写经办人信息", AdmissionStatus.REGISTERING),
    ("VERIFY", "微众银行注册与企业、法定代表人认证", AdmissionStatus.VERIFIED),
    ("DECISION", "微众银行审批额度", AdmissionStatus.APPROVED),
)


def admission_steps(
    status: AdmissionStatus,
    *,
    agreed_at: datetime | None,
    opened_at: datetime | None,
    verified_at: datetime | None,
    decided_at: datetime | None,
    failed_step: str | None = None,
) -> list[Step]:
    """The steps of an admission in `status`; `failed_step` (OPEN or HANDLER) is the step whose push to
    WeBank failed for good: it reads FAILED until the supplier's retry queues the push again."""
    times = (agreed_at, opened_at, None, verified_at, decided_at)
    reached = rank(status)
    steps = []
    for index, ((key, title, _), at) in enumerate(zip(_STEPS, times, strict=True)):
        if (status is AdmissionStatus.REJECTED and key == "DECISION") or key == failed_step:
            state = StepState.FAILED
        elif index <= reached:
            state = StepState.DONE
        elif index == reached + 1:
            state = StepState.CURRENT
        else:
            state = StepState.TODO
        shown = state is not StepState.TODO and not (state is StepState.FAILED and key == failed_step)
        steps.append(Step(key=key, title=title, state=state, at=at if shown else None))
    return steps
