"""Statuses and kinds of the platform-side records, shared by the models and the domain rules.

Migrations import these classes by path, so they stay here; adding a member is fine (the columns are
sized with room to spare), renaming a value needs a data migration.
"""

from __future__ import annotations

import enum


class EntryPoint(enum.StrEnum):
    """Where the supplier entered Xinrongbao; recorded for analytics."""

    FINTECH_HOME_BANNER = "FINTECH_HOME_BANNER"  # 数科首页banner
    SUPPLIER_ORDER_LIST = "SUPPLIER_ORDER_LIST"  # 供应商订单列表页
    MRO_ORDER_MANAGEMENT = "MRO_ORDER_MANAGEMENT"  # MRO后台订单管理
    YZW_HOME_BANNER = "YZW_HOME_BANNER"  # 云筑首页banner
    FINTECH_PRODUCT_ENTRY = "FINTECH_PRODUCT_ENTRY"  # 数科产品入口


class AdmissionStatus(enum.StrEnum):
    AGREED = "AGREED"
    OPENED = "OPENED"
    REGISTERING = "REGISTERING"
    VERIFIED = "VERIFIED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ApplicationStatus(enum.StrEnum):
    """Lifecycle of an order-financing application."""

    PENDING_PUSH = "PENDING_PUSH"  # claims won, orders not yet pushed to WeBank
    HANDED_OVER = "HANDED_OVER"  # pushed; the supplier continues on WeBank's financing page
    LOAN_CREATED = "LOAN_CREATED"  # WeBank reported `loan.applied` for its batch
    EXPIRED = "EXPIRED"  # abandoned; its order claims are freed
    FAILED = "FAILED"  # the push was refused; its order claims are freed
    CANCELLED = "CANCELLED"  # the supplier withdrew it before WeBank made a loan; its order claims are freed


# Applications that hold their orders' claims (until `expires_at`).
OPEN_APPLICATION_STATUSES = (ApplicationStatus.PENDING_PUSH, ApplicationStatus.HANDED_OVER)


class LoanKind(enum.StrEnum):
    ORDER = "ORDER"
    CREDIT = "CREDIT"


class LoanStatus(enum.StrEnum):
    PROCESSING = "PROCESSING"
    DISBURSED = "DISBURSED"
    FAILED = "FAILED"
    OVERDUE = "OVERDUE"
    SETTLED = "SETTLED"


# A live loan uses its share of the limit and finances its orders; failed and settled loans no longer do.
LIVE_LOAN_STATUSES = (LoanStatus.PROCESSING, LoanStatus.DISBURSED, LoanStatus.OVERDUE)
# Only a disbursed loan has something to repay (overdue is disbursed and late); WeBank quotes only these.
REPAYABLE_LOAN_STATUSES = (LoanStatus.DISBURSED, LoanStatus.OVERDUE)


class InstallmentStatus(enum.StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    OVERDUE = "OVERDUE"
    SETTLED = "SETTLED"  # closed by an early settlement (提前结清) before its due date


class RepaymentMethod(enum.StrEnum):
    EQUAL_INSTALLMENT = "EQUAL_INSTALLMENT"  # 等额本息
    INTEREST_FIRST = "INTEREST_FIRST"  # 先息后本
    EQUAL_PRINCIPAL = "EQUAL_PRINCIPAL"  # 等额本金


class RepaymentKind(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    EARLY_SETTLEMENT = "EARLY_SETTLEMENT"


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # gave up after the last attempt; needs an operator


class NoticeKind(enum.StrEnum):
    """What a notice (消息通知) to a supplier is about."""

    DUE_SOON = "DUE_SOON"  # 还款提醒: an installment is due in 5 days
    OVERDUE = "OVERDUE"  # 逾期: the loan fell overdue
    DEBIT_FAILED = "DEBIT_FAILED"  # 自动扣款失败: an installment's automatic debit failed
    DISBURSED = "DISBURSED"  # 放款成功
    LOAN_FAILED = "LOAN_FAILED"  # 融资失败
    SETTLED = "SETTLED"  # 结清
    LIMIT_APPROVED = "LIMIT_APPROVED"  # 授信通过
    LIMIT_REJECTED = "LIMIT_REJECTED"  # 授信拒绝


class MessageChannel(enum.StrEnum):
    SMS = "SMS"
    EMAIL = "EMAIL"


class MessageStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"  # gave up after retrying; logged for an operator
