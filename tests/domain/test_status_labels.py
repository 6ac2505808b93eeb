"""Status labels: every status has the manual's Chinese, so a screen never shows a code."""

from __future__ import annotations

import enum

import pytest

from bff.domain.records import OrderStatus
from bff.domain.status_labels import (
    ADMISSION_STATUS_LABELS,
    APPLICATION_STATUS_LABELS,
    LOAN_STATUS_LABELS,
    ORDER_STATUS_LABELS,
    admission_status_label,
    application_status_label,
    loan_status_label,
    order_status_label,
)
from bff.domain.statuses import AdmissionStatus, ApplicationStatus, LoanStatus


@pytest.mark.parametrize(
    ("labels", "statuses"),
    [
        (ORDER_STATUS_LABELS, OrderStatus),
        (LOAN_STATUS_LABELS, LoanStatus),
        (ADMISSION_STATUS_LABELS, AdmissionStatus),
        (APPLICATION_STATUS_LABELS, ApplicationStatus),
    ],
    ids=["order", "loan", "admission", "application"],
)
def test_every_status_has_a_distinct_chinese_label(
    labels: dict[enum.Enum, str], statuses: type[enum.Enum]
) -> None:
    assert set(labels) == set(statuses)
    assert len(set(labels.values())) == len(labels)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels.values())


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (LoanStatus.PROCESSING, "处理中"),
        (LoanStatus.DISBURSED, "已放款"),
        (LoanStatus.FAILED, "融资失败"),
        (LoanStatus.SETTLED, "已结清"),
    ],
    ids=lambda value: str(value),
)
def test_loan_statuses_read_as_the_manuals_data_list(status: LoanStatus, label: str) -> None:
    assert loan_status_label(status) == label


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (OrderStatus.PENDING_SHIPMENT, "待发货"),
        (OrderStatus.PROCESSING, "处理中"),
        (OrderStatus.PENDING_RECEIPT, "待收货"),
        (OrderStatus.PENDING_CONFIRMATION, "待确认"),
        (OrderStatus.COMPLETED, "已完成"),
        (OrderStatus.REJECTED, "已拒绝"),
        (OrderStatus.CANCELLED, "已取消"),
    ],
    ids=lambda value: str(value),
)
def test_order_statuses_read_as_the_manuals_order_lists(status: OrderStatus, label: str) -> None:
    assert order_status_label(status) == label


def test_admission_and_application_labels() -> None:
    assert admission_status_label(AdmissionStatus.APPROVED) == "审核通过"
    assert application_status_label(ApplicationStatus.CANCELLED) == "已撤销"
