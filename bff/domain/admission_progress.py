"""The admission's progress as steps a UI can render (manual §2: "页面展示准入的进度")."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bff.domain.admission_flow import rank
from bff.domain.statuses import AdmissionStatus


class StepState(enum.Enum):
    DONE = "DONE"
    CURRENT = "CURRENT"  # the supplier (or the bank) acts next here
    TODO = "TODO"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    state: StepState
    at: datetime | None


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
) -> list[Step]:
    times = (agreed_at, opened_at, None, verified_at, decided_at)
    reached = rank(status)
    steps = []
    for index, ((key, title, _), at) in enumerate(zip(_STEPS, times, strict=True)):
        if status is AdmissionStatus.REJECTED and key == "DECISION":
            state = StepState.FAILED
        elif index <= reached:
            state = StepState.DONE
        elif index == reached + 1:
            state = StepState.CURRENT
        else:
            state = StepState.TODO
        steps.append(Step(key=key, title=title, state=state, at=at if state is not StepState.TODO else None))
    return steps
