"""The BFF's own records (tortoise app `models`): what the platform decided, and mirrors of WeBank's state.

Conventions: money is integer fen in `BigIntField`s named `*_fen` (convert with `bff.domain.money` at the
edges); times are timezone-aware and stored in UTC; ratios and rates are `DecimalField`s that are read and
written whole, never used in SQL arithmetic (SQLite would do it in floating point). Changing a model needs a
new migration: `.venv/bin/tortoise makemigrations` (configured by `[tool.tortoise]` in pyproject.toml).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.indexes import Index
from tortoise.models import Model

from bff.domain.records import OrderSource, OrderStatus
from bff.domain.statuses import (
    AdmissionStatus,
    ApplicationStatus,
    EntryPoint,
    LoanKind,
    LoanStatus,
    MessageChannel,
    MessageStatus,
    NoticeKind,
    OutboxStatus,
    RepaymentKind,
)

__all__ = [
    "Admission",
    "AdmissionStatus",
    "ApplicationOrder",
    "ApplicationStatus",
    "BankEvent",
    "Consent",
    "CreditLimit",
    "EntryPoint",
    "FinancingApplication",
    "IdempotencyKey",
    "Loan",
    "LoanKind",
    "LoanOrder",
    "LoanStatus",
    "MessageChannel",
    "MessageStatus",
    "Notice",
    "NoticeKind",
    "NoticeMessage",
    "OrderClaim",
    "OrderSource",
    "OrderStatus",
    "OutboxMessage",
    "OutboxStatus",
    "OverdueEpisode",
    "QuarantinedBankEvent",
    "Repayment",
    "RepaymentKind",
]

ENUM_LENGTH = 32
SUPPLIER_CODE_LENGTH = 64
EXTERNAL_ID_LENGTH = 64  # order ids and numbers, loan/repayment/apply/batch numbers from upstreams

E = TypeVar("E", bound=enum.Enum)


# tortoise types `BigIntField` as `Field[Any]`; these give the attributes their `int` type.
def _pk() -> fields.Field[int]:
    return fields.BigIntField(primary_key=True)


def _fen(*, default: int | None = None) -> fields.Field[int]:
    """A money column: integer fen, never NULL."""
    return fields.BigIntField() if default is None else fields.BigIntField(default=default)


def _enum(enum_type: type[E], **kwargs: Any) -> fields.Field[E]:
    # A fixed width and description (tortoise would derive both from the members), so that adding a
    # member changes neither the schema nor the migration state.
    return fields.CharEnumField(enum_type, max_length=ENUM_LENGTH, description=enum_type.__name__, **kwargs)


class Consent(Model):
    """A supplier's agreement to the data-sharing authorization: which version, when, by whom, from where."""

    id = _pk()
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH, db_index=True)
    agreement_version = fields.CharField(max_length=32)
    entry_point = _enum(EntryPoint)
    agreed_at = fields.DatetimeField()
    user_id = fields.CharField(max_length=128)
    ip = fields.CharField(max_length=45)  # the longest textual IPv6 address
    user_agent = fields.TextField()

    admissions: fields.ReverseRelation[Admission]

    class Meta:
        table = "consent"


class Admission(Model):
    """One attempt of a supplier to be admitted and granted a WeBank credit limit, from consent to decision.

    At most one admission per supplier is current: `current_key` is UNIQUE, equals `supplier_code` while
    `is_current` and is NULL otherwise (NULLs never collide). Tortoise's migrations cannot create a partial
    unique index on SQLite, hence the extra column. `save()` derives it from `is_current`; a bulk
    `.update(is_current=...)` must set `current_key` too. Find a supplier's current one by `current_key`.
    """

    id = _pk()
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH, db_index=True)
    status = _enum(AdmissionStatus)
    entry_point = _enum(EntryPoint)
    consent: fields.ForeignKeyRelation[Consent] = fields.ForeignKeyField(
        "models.Consent", related_name="admissions", on_delete=fields.RESTRICT, db_index=True
    )
    agreed_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    handler_name = fields.CharField(max_length=64, null=True)
    handler_phone = fields.CharField(max_length=32, null=True)
    handler_email = fields.CharField(max_length=254, null=True)
    apply_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, null=True, db_index=True)
    # The 统一社会信用代码 pushed at 开通: WeBank's admission notifications name the supplier only by it.
    credit_code = fields.CharField(max_length=18, null=True, db_index=True)
    register_url = fields.TextField(null=True)
    verified_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    rejection_reason = fields.TextField(null=True)
    reapply_after = fields.DateField(null=True)
    is_current = fields.BooleanField(default=True)
    current_key = fields.CharField(max_length=SUPPLIER_CODE_LENGTH, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    consent_id: int
    credit_limit: fields.BackwardOneToOneRelation[CreditLimit]

    class Meta:
        table = "admission"

    async def save(
        self,
        using_db: BaseDBAsyncClient | None = None,
        update_fields: Iterable[str] | None = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        self.current_key = self.supplier_code if self.is_current else None
        if update_fields is not None:
            update_fields = {*update_fields, "current_key"}
        await super().save(using_db, update_fields, force_create, force_update)


class CreditLimit(Model):
    """The credit limit WeBank approved for an admission, split between order loans and credit loans."""

    id = _pk()
    admission: fields.OneToOneRelation[Admission] = fields.OneToOneField(
        "models.Admission", related_name="credit_limit", on_delete=fields.RESTRICT
    )
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH, db_index=True)
    total_fen = _fen()
    order_ratio = fields.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.4"))
    credit_ratio = fields.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.6"))
    approved_at = fields.DatetimeField()
    valid_until = fields.DateField(null=True)

    admission_id: int

    class Meta:
        table = "credit_limit"


class FinancingApplication(Model):
    """A supplier's order-financing application: the orders it combines and what was handed to WeBank."""

    id = _pk()
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH)
    status = _enum(ApplicationStatus)
    ceiling_fen = _fen()
    financeable_total_fen = _fen()
    batch_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, null=True, db_index=True)
    financing_url = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    expires_at = fields.DatetimeField()

    orders: fields.ReverseRelation[ApplicationOrder]
    claims: fields.ReverseRelation[OrderClaim]
    loans: fields.ReverseRelation[Loan]

    class Meta:
        table = "financing_application"
        indexes = (Index(fields=("supplier_code", "created_at")), Index(fields=("status", "expires_at")))


class ApplicationOrder(Model):
    """One order of an application, as it was when the application was made."""

    id = _pk()
    application: fields.ForeignKeyRelation[FinancingApplication] = fields.ForeignKeyField(
        "models.FinancingApplication", related_name="orders", on_delete=fields.CASCADE
    )
    source = _enum(OrderSource)
    order_id = fields.CharField(max_length=EXTERNAL_ID_LENGTH)
    order_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH)
    status_at_application = _enum(OrderStatus)
    amount_fen = _fen()
    financeable_fen = _fen()

    application_id: int

    class Meta:
        table = "application_order"
        unique_together = (("application", "source", "order_id"),)


class OrderClaim(Model):
    """The claim that keeps an order in at most one open application or live loan.

    Inserting the row wins the claim (UNIQUE (source, order_id)); deleting it frees the order.
    """

    id = _pk()
    source = _enum(OrderSource)
    order_id = fields.CharField(max_length=EXTERNAL_ID_LENGTH)
    application: fields.ForeignKeyNullableRelation[FinancingApplication] = fields.ForeignKeyField(
        "models.FinancingApplication",
        related_name="claims",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    loan: fields.ForeignKeyNullableRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="claims", null=True, on_delete=fields.RESTRICT, db_index=True
    )
    claimed_at = fields.DatetimeField(auto_now_add=True)

    application_id: int | None
    loan_id: int | None

    class Meta:
        table = "order_claim"
        unique_together = (("source", "order_id"),)


class Loan(Model):
    """A loan as WeBank reports it (mirrored from notifications and reconciliation)."""

    id = _pk()
    loan_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, unique=True)
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH)
    kind = _enum(LoanKind)
    status = _enum(LoanStatus)
    amount_fen = _fen()
    outstanding_principal_fen = _fen(default=0)
    annual_rate = fields.DecimalField(max_digits=9, decimal_places=6, null=True)
    term_months = fields.IntField(null=True)
    application: fields.ForeignKeyNullableRelation[FinancingApplication] = fields.ForeignKeyField(
        "models.FinancingApplication",
        related_name="loans",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=True,
    )
    batch_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, null=True, db_index=True)
    applied_at = fields.DatetimeField()
    disbursed_at = fields.DatetimeField(null=True)
    settled_at = fields.DatetimeField(null=True)
    failure_reason = fields.TextField(null=True)
    overdue_since = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    application_id: int | None
    orders: fields.ReverseRelation[LoanOrder]
    repayments: fields.ReverseRelation[Repayment]
    claims: fields.ReverseRelation[OrderClaim]

    class Meta:
        table = "loan"
        # A supplier's loans newest first, keyset-paginated on (applied_at, id).
        indexes = (Index(fields=("supplier_code", "applied_at", "id")),)


class LoanOrder(Model):
    """An order financed by a loan, and how much of it the loan financed."""

    id = _pk()
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="orders", on_delete=fields.CASCADE
    )
    source = _enum(OrderSource)
    order_id = fields.CharField(max_length=EXTERNAL_ID_LENGTH)
    order_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH)
    financed_fen = _fen()

    loan_id: int

    class Meta:
        table = "loan_order"
        unique_together = (("loan", "source", "order_id"),)
        # "what is already financed on this order" and `Order.loans`
        indexes = (Index(fields=("source", "order_id")),)


class Repayment(Model):
    """A repayment WeBank posted against a loan."""

    id = _pk()
    repayment_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, unique=True)
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="repayments", on_delete=fields.RESTRICT
    )
    kind = _enum(RepaymentKind)
    principal_fen = _fen()
    interest_fen = _fen()
    penalty_fen = _fen(default=0)
    paid_at = fields.DatetimeField()

    loan_id: int

    class Meta:
        table = "repayment"
        indexes = (Index(fields=("loan_id", "paid_at")),)

    @property
    def amount_fen(self) -> int:
        """What the supplier paid: principal + interest + penalty."""
        return self.principal_fen + self.interest_fen + self.penalty_fen


class OverdueEpisode(Model):
    """One installment of a loan falling overdue, until the arrears are paid: the supplier's overdue record."""

    id = _pk()
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="overdue_episodes", on_delete=fields.RESTRICT
    )
    period = fields.IntField()
    since = fields.DateField()
    overdue_fen = _fen()
    cleared_at = fields.DatetimeField(null=True)

    loan_id: int

    class Meta:
        table = "overdue_episode"
        unique_together = (("loan", "period"),)


class BankEvent(Model):
    """A WeBank notification, stored (unique `event_id`) before it is acknowledged, then processed."""

    id = _pk()
    event_id = fields.CharField(max_length=128, unique=True)
    # The loan a loan/repayment event is about, so a loan's waiting events are found by index, not by scan.
    loan_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, null=True, db_index=True)
    type = fields.CharField(max_length=64)
    occurred_at = fields.DatetimeField()
    payload: fields.Field[Any] = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    # Set when its data turned out unreadable: never processed again, listed to operators instead.
    quarantined_at = fields.DatetimeField(null=True)

    class Meta:
        table = "bank_event"
        # the processor's queue: unprocessed events in arrival order
        indexes = (Index(fields=("processed_at", "received_at")),)


class QuarantinedBankEvent(Model):
    """A signed WeBank notification the BFF could not understand, kept for operators and never processed."""

    id = _pk()
    # The same unreadable body delivered again is the same quarantined event.
    body_sha256 = fields.CharField(max_length=64, unique=True)
    event_id = fields.CharField(max_length=128, null=True)
    type = fields.CharField(max_length=64, null=True)
    reason = fields.TextField()
    body = fields.TextField()
    received_at = fields.DatetimeField(auto_now_add=True)
    # Set when the envelope was stored as a `BankEvent` and only its data proved unreadable.
    bank_event: fields.ForeignKeyNullableRelation[BankEvent] = fields.ForeignKeyField(
        "models.BankEvent", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    bank_event_id: int | None

    class Meta:
        table = "quarantined_bank_event"


class OutboxMessage(Model):
    """A push to WeBank, written in the same transaction as the state change it announces.

    `kind` and `payload` are the typed push (`bff.domain.bank_pushes`: its own fields, not the wire
    body; the WeBank client builds path and body on delivery). `request_id` is sent as `X-WB-Request-Id` on
    every attempt, so a retry is the same request to the bank. `response` is the bank's typed answer.
    A FAILED message keeps why in `error_code` (the bank's refusal code, or `PUSH_GAVE_UP` when retrying
    ran out of time) and `last_error`, and when in `failed_at`: the graph's `pushError` is read from them.
    """

    id = _pk()
    request_id = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=64)
    payload: fields.Field[Any] = fields.JSONField()
    status = _enum(OutboxStatus, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    error_code = fields.CharField(max_length=64, null=True)
    failed_at = fields.DatetimeField(null=True)
    response: fields.Field[Any] = fields.JSONField(null=True)
    aggregate_type = fields.CharField(max_length=32)
    aggregate_id = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("aggregate_type", "aggregate_id")),
        )


IDEMPOTENCY_KEY_LENGTH = 255


class IdempotencyKey(Model):
    """The first response to a mutation sent with an `Idempotency-Key` (see `bff.idempotency`).

    Inserted in the transaction that runs the mutation, so the row exists exactly when the mutation's
    effect committed; UNIQUE per (supplier, key) so that of two concurrent requests one waits for the other.
    `fingerprint` is the SHA-256 of the canonical request; `response` the exact JSON body answered.
    """

    id = _pk()
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH)
    key = fields.CharField(max_length=IDEMPOTENCY_KEY_LENGTH)
    fingerprint = fields.CharField(max_length=64)
    status_code = fields.IntField()
    response = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("supplier_code", "key"),)
        indexes = (Index(fields=("created_at",)),)


NOTICE_KEY_LENGTH = 160


class Notice(Model):
    """A notice (消息通知) to a supplier about one happening: a bank event applied, or an installment due soon.

    `key` names the happening (e.g. `DISBURSED:WBL1`, `DUE_SOON:WBL1:2`) and is UNIQUE, so a re-delivered
    bank event or a restarted job never creates a second notice. Created in the transaction that applies
    the happening, together with its messages (`NoticeMessage`).
    """

    id = _pk()
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH)
    kind = _enum(NoticeKind)
    key = fields.CharField(max_length=NOTICE_KEY_LENGTH, unique=True)
    title = fields.CharField(max_length=64)
    body = fields.TextField()
    loan_no = fields.CharField(max_length=EXTERNAL_ID_LENGTH, null=True)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    messages: fields.ReverseRelation[NoticeMessage]

    class Meta:
        table = "notice"
        # a supplier's notices newest first, and its unread ones
        indexes = (Index(fields=("supplier_code", "id")), Index(fields=("supplier_code", "read_at")))


class NoticeMessage(Model):
    """One notice sent by SMS or e-mail to the supplier's handler (经办人): the messaging outbox.

    Written with its notice; delivered by the messages worker (`bff.messaging`) once (UNIQUE per notice and
    channel; `SENT` is recorded after the sender took it, and the sender is given `id` as an idempotency
    key), retried with backoff, and rate-limited per supplier.
    """

    id = _pk()
    notice: fields.ForeignKeyRelation[Notice] = fields.ForeignKeyField(
        "models.Notice", related_name="messages", on_delete=fields.CASCADE
    )
    supplier_code = fields.CharField(max_length=SUPPLIER_CODE_LENGTH)
    channel = _enum(MessageChannel)
    recipient = fields.CharField(max_length=254)
    status = _enum(MessageStatus, default=MessageStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    notice_id: int

    class Meta:
        table = "notice_message"
        unique_together = (("notice", "channel"),)
        indexes = (Index(fields=("status", "next_attempt_at")), Index(fields=("supplier_code", "sent_at")))
