"""Business refusals: returned to clients as `userErrors` data, never raised as GraphQL errors.

Codes are a contract (DESIGN §3): add new ones, never rename.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RefusalCode(enum.Enum):
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    REAPPLY_WINDOW = "REAPPLY_WINDOW"
    INVALID_INPUT = "INVALID_INPUT"
    NO_CREDIT_LIMIT = "NO_CREDIT_LIMIT"
    LIMIT_EXHAUSTED = "LIMIT_EXHAUSTED"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_STATUS_NOT_FINANCEABLE = "ORDER_STATUS_NOT_FINANCEABLE"
    ORDER_ALREADY_IN_FINANCING = "ORDER_ALREADY_IN_FINANCING"
    LOAN_NOT_FOUND = "LOAN_NOT_FOUND"
    LOAN_NOT_REPAYABLE = "LOAN_NOT_REPAYABLE"
    # added by this BFF
    FINANCING_NOT_OPENED = "FINANCING_NOT_OPENED"  # submitHandler before 开通
    SUPPLIER_NOT_FOUND = "SUPPLIER_NOT_FOUND"  # reconcileSupplier: the platform has no such supplier
    INVALID_CREDIT_CODE = (
        "INVALID_CREDIT_CODE"  # the platform's 统一社会信用代码 fails GB 32100; never pushed
    )
    # DESIGN §6.2
    APPLICATION_NOT_FOUND = "APPLICATION_NOT_FOUND"  # unknown, or another supplier's
    APPLICATION_NOT_CANCELLABLE = "APPLICATION_NOT_CANCELLABLE"  # WeBank made a loan, or expired/failed
    # DESIGN §6.5
    NOTICE_NOT_FOUND = "NOTICE_NOT_FOUND"  # markNoticesRead: unknown, or another supplier's notice


@dataclass(frozen=True, slots=True)
class Refusal:
    code: RefusalCode
    message: str
    field: str | None = None
