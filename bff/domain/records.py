"""The internal model every upstream is mapped into: one shape whatever system a record came from."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class OrderSource(enum.Enum):
    MALL = "MALL"
    MRO = "MRO"


class OrderStatus(enum.Enum):
    PENDING_CONFIRMATION = "PENDING_CONFIRMATION"
    PENDING_SHIPMENT = "PENDING_SHIPMENT"
    PROCESSING = "PROCESSING"
    PENDING_RECEIPT = "PENDING_RECEIPT"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class StatementKind(enum.Enum):
    SETTLEMENT = "SETTLEMENT"  # 结算单
    OUTPUT_VALUE = "OUTPUT_VALUE"  # 产值单


@dataclass(frozen=True, slots=True)
class OrderKey:
    """Identifies an order across both order systems; ids are only unique within one source."""

    source: OrderSource
    id: str


@dataclass(frozen=True, slots=True)
class Contract:
    contract_no: str
    amount: Decimal | None
    signed_at: datetime | None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    key: OrderKey
    order_no: str
    supplier_code: str
    status: OrderStatus
    amount: Decimal
    buyer_name: str
    created_at: datetime
    contract: Contract | None

    @property
    def source(self) -> OrderSource:
        return self.key.source


@dataclass(frozen=True, slots=True)
class SupplierProfile:
    code: str
    name: str
    credit_code: str
    province: str
    city: str


@dataclass(frozen=True, slots=True)
class Statement:
    no: str
    source: OrderSource
    kind: StatementKind
    amount: Decimal
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """One system's fulfilment history of one supplier."""

    supplier_code: str
    source: OrderSource
    first_fulfilled_at: datetime | None
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class OrderPage:
    """A window of one system's order list for a supplier, newest first, and that list's total size."""

    total: int
    orders: tuple[OrderRecord, ...]
