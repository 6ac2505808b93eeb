"""What a person reads for a status: the manual's Chinese (处理中, 已放款, 融资失败, 待发货 …).

Plain mappings, one per status enum, each complete (a test walks every member), so a screen never shows
a code. The GraphQL `statusLabel` fields read these; nothing here knows of GraphQL.
"""

from __future__ import annotations

from bff.domain.records import OrderStatus
from bff.domain.statuses import AdmissionStatus, ApplicationStatus, LoanStatus

ORDER_STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.PENDING_CONFIRMATION: "待确认",
    OrderStatus.PENDING_SHIPMENT: "待发货",
    OrderStatus.PROCESSING: "处理中",
    OrderStatus.PENDING_RECEIPT: "待收货",
    OrderStatus.COMPLETED: "已完成",
    OrderStatus.REJECTED: "已拒绝",
    OrderStatus.CANCELLED: "已取消",
}

# 融资状态 as the manual's 数据列表 and MRO 融资查询 show it: 处理中，已放款，融资失败 …
LOAN_STATUS_LABELS: dict[LoanStatus, str] = {
    LoanStatus.PROCESSING: "处理中",
    LoanStatus.DISBURSED: "已放款",
    LoanStatus.FAILED: "融资失败",
    LoanStatus.OVERDUE: "已逾期",
    LoanStatus.SETTLED: "已结清",
}

ADMISSION_STATUS_LABELS: dict[AdmissionStatus, str] = {
    AdmissionStatus.AGREED: "已同意授权",
    AdmissionStatus.OPENED: "已开通",
    AdmissionStatus.REGISTERING: "注册认证中",
    AdmissionStatus.VERIFIED: "额度审批中",
    AdmissionStatus.APPROVED: "审核通过",
    AdmissionStatus.REJECTED: "审核未通过",
}

APPLICATION_STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.PENDING_PUSH: "提交中",
    ApplicationStatus.HANDED_OVER: "待微众银行确认",
    ApplicationStatus.LOAN_CREATED: "已生成融资",
    ApplicationStatus.EXPIRED: "已过期",
    ApplicationStatus.FAILED: "提交失败",
    ApplicationStatus.CANCELLED: "已撤销",
}


def order_status_label(status: OrderStatus) -> str:
    """The mall and the MRO shop use the same words for the statuses they share."""
    return ORDER_STATUS_LABELS[status]


def loan_status_label(status: LoanStatus) -> str:
    return LOAN_STATUS_LABELS[status]


def admission_status_label(status: AdmissionStatus) -> str:
    return ADMISSION_STATUS_LABELS[status]


def application_status_label(status: ApplicationStatus) -> str:
    return APPLICATION_STATUS_LABELS[status]
