"""Reading WeBank notifications: the envelope at the door, each admission event's data when processed."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from bff.domain.calendar import shanghai_date
from bff.domain.money import InvalidAmountError, parse_yuan
from bff.domain.statuses import LoanKind, RepaymentKind
from bff.models import EXTERNAL_ID_LENGTH

__all__ = [
    "DEFAULT_CREDIT_RATIO",
    "DEFAULT_ORDER_RATIO",
    "EVENT_ID_MAX_LENGTH",
    "LOAN_EVENT_TYPES",
    "EventType",
    "InvalidEventError",
    "LimitApproved",
    "LimitRejected",
    "LoanApplied",
    "LoanDisbursed",
    "LoanFailed",
    "LoanOverdue",
    "LoanSettled",
    "Notification",
    "RealnameVerified",
    "RepaymentPosted",
    "loan_no_of",
    "parse_limit_approved",
    "parse_limit_rejected",
    "parse_loan_applied",
    "parse_loan_disbursed",
    "parse_loan_failed",
    "parse_loan_overdue",
    "parse_loan_settled",
    "parse_notification",
    "parse_realname_verified",
    "parse_repayment_posted",
]

_E = TypeVar("_E", bound=enum.Enum)
T = TypeVar("T")

EVENT_ID_MAX_LENGTH = 128  # `BankEvent.event_id`
DEFAULT_ORDER_RATIO = Decimal("0.4")
DEFAULT_CREDIT_RATIO = Decimal("0.6")


class EventType(enum.StrEnum):
    REALNAME_VERIFIED = "realname.verified"
    LIMIT_APPROVED = "limit.approved"
    LIMIT_REJECTED = "limit.rejected"
    LOAN_APPLIED = "loan.applied"
    LOAN_DISBURSED = "loan.disbursed"
    LOAN_FAILED = "loan.failed"
    REPAYMENT_POSTED = "repayment.posted"
    LOAN_OVERDUE = "loan.overdue"
    LOAN_SETTLED = "loan.settled"


# The types whose data names a loan by `loan_no`.
LOAN_EVENT_TYPES = frozenset(
    {
        EventType.LOAN_APPLIED,
        EventType.LOAN_DISBURSED,
        EventType.LOAN_FAILED,
        EventType.REPAYMENT_POSTED,
        EventType.LOAN_OVERDUE,
        EventType.LOAN_SETTLED,
    }
)


class InvalidEventError(ValueError):
    """A notification (or its data) that cannot be read; the message says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification's envelope; `body` is the whole JSON object as received, kept for storage."""

    event_id: str
    type: EventType
    occurred_at: datetime
    data: Mapping[str, Any]
    body: Mapping[str, Any]


def _aware_datetime(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidEventError(f"`{name}` must be an ISO-8601 string with an offset.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidEventError(f"`{name}` is not an ISO-8601 date-time: {value!r}.") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidEventError(f"`{name}` has no UTC offset: {value!r}.")
    # In UTC from here on: SQLite compares stored times as text, and tortoise passes values in updates
    # and filters through as given, so one offset everywhere keeps those comparisons right.
    return parsed.astimezone(UTC)


def parse_notification(body: bytes) -> Notification:
    """Read the raw (already verified) body; raises `InvalidEventError` for anything but a known event."""
    try:
        parsed: object = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidEventError("The body is not valid UTF-8 JSON.") from None
    if not isinstance(parsed, dict):
        raise InvalidEventError("The body must be a JSON object.")
    missing = [key for key in ("event_id", "type", "occurred_at", "data") if key not in parsed]
    if missing:
        raise InvalidEventError(f"Missing fields: {', '.join(missing)}.")
    event_id = parsed["event_id"]
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > EVENT_ID_MAX_LENGTH:
        raise InvalidEventError(
            f"`event_id` must be a non-empty string of at most {EVENT_ID_MAX_LENGTH} characters."
        )
    try:
        event_type = EventType(parsed["type"])
    except ValueError:
        raise InvalidEventError(f"Unknown event type: {parsed['type']!r}.") from None
    occurred_at = _aware_datetime(parsed["occurred_at"], "occurred_at")
    data = parsed["data"]
    if not isinstance(data, dict):
        raise InvalidEventError("`data` must be a JSON object.")
    _check_identifiers(data)
    # PostgreSQL's jsonb cannot hold U+0000; refusing it here keeps storing from failing later.
    if "\\u0000" in json.dumps(parsed):
        raise InvalidEventError("The body contains a NUL character.")
    return Notification(event_id=event_id, type=event_type, occurred_at=occurred_at, data=data, body=parsed)


# Identifiers the BFF stores in columns of EXTERNAL_ID_LENGTH: a longer one could never be stored, so the
# event is unreadable now rather than failing to store (and being resent by the bank) for ever.
_IDENTIFIERS = ("loan_no", "repayment_no", "batch_no", "credit_code")


def _check_identifiers(data: Mapping[str, Any]) -> None:
    for name in _IDENTIFIERS:
        value = data.get(name)
        if isinstance(value, str) and len(value) > EXTERNAL_ID_LENGTH:
            raise InvalidEventError(f"`data.{name}` is longer than {EXTERNAL_ID_LENGTH} characters.")
    order_nos = data.get("order_nos")
    if isinstance(order_nos, list) and any(
        isinstance(order_no, str) and len(order_no) > EXTERNAL_ID_LENGTH for order_no in order_nos
    ):
        raise InvalidEventError(f"`data.order_nos` has a number longer than {EXTERNAL_ID_LENGTH} characters.")


# --- the data of the admission events -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RealnameVerified:
    credit_code: str


@dataclass(frozen=True, slots=True)
class LimitApproved:
    credit_code: str
    total: Decimal
    order_ratio: Decimal
    credit_ratio: Decimal
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class LimitRejected:
    credit_code: str
    reason: str | None
    reapply_after: date | None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(f"`data.{name}` must be a non-empty string.")
    return value.strip()


def _optional_date(data: Mapping[str, Any], name: str) -> date | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidEventError(f"`data.{name}` must be an ISO-8601 date.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    # A date-time with an offset counts by its date in Shanghai.
    return shanghai_date(_aware_datetime(value, f"data.{name}"))


def _ratio(data: Mapping[str, Any], name: str, default: Decimal) -> Decimal:
    value = data.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidEventError(f'`data.{name}` must be a decimal string such as "0.4".')
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidEventError(f"`data.{name}` is not a decimal: {value!r}.") from None
    if (
        not ratio.is_finite()
        or not Decimal(0) <= ratio <= Decimal(1)
        or ratio != ratio.quantize(Decimal("0.0001"))
    ):
        raise InvalidEventError(f"`data.{name}` must lie between 0 and 1 with at most 4 decimals: {value!r}.")
    return ratio


def parse_realname_verified(data: Mapping[str, Any]) -> RealnameVerified:
    return RealnameVerified(credit_code=_text(data, "credit_code"))


def parse_limit_approved(data: Mapping[str, Any]) -> LimitApproved:
    value = data.get("total")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidEventError("`data.total` must be a decimal string in yuan.")
    try:
        total = parse_yuan(value)
    except InvalidAmountError as exc:
        raise InvalidEventError(f"`data.total`: {exc}") from None
    if total <= 0:
        raise InvalidEventError("`data.total` must be positive.")
    order_ratio = _ratio(data, "order_ratio", DEFAULT_ORDER_RATIO)
    credit_ratio = _ratio(data, "credit_ratio", DEFAULT_CREDIT_RATIO)
    if order_ratio + credit_ratio != 1:
        raise InvalidEventError("`data.order_ratio` and `data.credit_ratio` must add up to 1.")
    return LimitApproved(
        credit_code=_text(data, "credit_code"),
        total=total,
        order_ratio=order_ratio,
        credit_ratio=credit_ratio,
        valid_until=_optional_date(data, "valid_until"),
    )


def parse_limit_rejected(data: Mapping[str, Any]) -> LimitRejected:
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidEventError("`data.reason` must be a string.")
    return LimitRejected(
        credit_code=_text(data, "credit_code"),
        reason=reason or None,
        reapply_after=_optional_date(data, "reapply_after"),
    )


# --- the data of the loan events ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoanApplied:
    credit_code: str
    loan_no: str
    kind: LoanKind
    amount: Decimal
    order_nos: tuple[str, ...]
    batch_no: str | None


@dataclass(frozen=True, slots=True)
class LoanDisbursed:
    loan_no: str
    amount: Decimal
    annual_rate: Decimal
    term_months: int
    disbursed_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoanFailed:
    loan_no: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class RepaymentPosted:
    loan_no: str
    repayment_no: str
    kind: RepaymentKind
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class LoanOverdue:
    loan_no: str
    period: int  # the installment overdue: the overdue record has one episode per period
    overdue_amount: Decimal
    since: date


@dataclass(frozen=True, slots=True)
class LoanSettled:
    loan_no: str
    settled_at: datetime | None


def loan_no_of(event_type: str, payload: object) -> str | None:
    """The `data.loan_no` of a stored loan event's body, or None (not a loan event, or unreadable)."""
    if event_type not in LOAN_EVENT_TYPES or not isinstance(payload, dict):
        return None
    data = payload.get("data")
    loan_no = data.get("loan_no") if isinstance(data, dict) else None
    return loan_no.strip() if isinstance(loan_no, str) and loan_no.strip() else None


def _amount(
    data: Mapping[str, Any], name: str, *, positive: bool = False, default: str | None = None
) -> Decimal:
    value = data.get(name)
    if value is None:
        value = default
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidEventError(f"`data.{name}` must be a decimal string in yuan.")
    try:
        amount = parse_yuan(value)
    except InvalidAmountError as exc:
        raise InvalidEventError(f"`data.{name}`: {exc}") from None
    if amount < 0 or (positive and amount == 0):
        raise InvalidEventError(f"`data.{name}` must be {'positive' if positive else 'zero or more'}.")
    return amount


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEventError(f"`data.{name}` must be a string.")
    return value.strip() or None


def _optional_datetime(data: Mapping[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    return None if value is None or value == "" else _aware_datetime(value, f"data.{name}")


def _int(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidEventError(f"`data.{name}` must be a positive integer.")
    return value


def _choice(data: Mapping[str, Any], name: str, choices: type[_E]) -> _E:
    value = data.get(name)
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in choices)
        raise InvalidEventError(f"`data.{name}` must be one of {allowed}: {value!r}.") from None


def parse_loan_applied(data: Mapping[str, Any]) -> LoanApplied:
    order_nos = data.get("order_nos") or []
    if not isinstance(order_nos, list) or not all(isinstance(n, str) and n.strip() for n in order_nos):
        raise InvalidEventError("`data.order_nos` must be a list of order numbers.")
    kind = _choice(data, "kind", LoanKind)
    batch_no = _optional_text(data, "batch_no")
    if kind is LoanKind.ORDER and (batch_no is None or not order_nos):
        raise InvalidEventError("An order loan needs `data.batch_no` and `data.order_nos`.")
    return LoanApplied(
        credit_code=_text(data, "credit_code"),
        loan_no=_text(data, "loan_no"),
        kind=kind,
        amount=_amount(data, "amount", positive=True),
        order_nos=tuple(dict.fromkeys(n.strip() for n in order_nos)),
        batch_no=batch_no,
    )


def parse_loan_disbursed(data: Mapping[str, Any]) -> LoanDisbursed:
    value = data.get("annual_rate")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidEventError('`data.annual_rate` must be a decimal string such as "0.072".')
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidEventError(f"`data.annual_rate` is not a decimal: {value!r}.") from None
    # a fraction with at most 6 decimals (`Loan.annual_rate`); "7.2" would be a percentage, refused
    if (
        not rate.is_finite()
        or not Decimal(0) <= rate < Decimal(1)
        or rate != rate.quantize(Decimal("0.000001"))
    ):
        raise InvalidEventError(
            f"`data.annual_rate` must be a fraction below 1 with at most 6 decimals: {value!r}."
        )
    return LoanDisbursed(
        loan_no=_text(data, "loan_no"),
        amount=_amount(data, "amount", positive=True),
        annual_rate=rate,
        term_months=_int(data, "term_months"),
        disbursed_at=_optional_datetime(data, "disbursed_at"),
    )


def parse_loan_failed(data: Mapping[str, Any]) -> LoanFailed:
    return LoanFailed(loan_no=_text(data, "loan_no"), reason=_optional_text(data, "reason"))


def _required(value: T | None, message: str) -> T:
    if value is None:
        raise InvalidEventError(message)
    return value


def parse_repayment_posted(data: Mapping[str, Any]) -> RepaymentPosted:
    return RepaymentPosted(
        loan_no=_text(data, "loan_no"),
        repayment_no=_text(data, "repayment_no"),
        kind=_choice(data, "kind", RepaymentKind),
        principal=_amount(data, "principal"),
        interest=_amount(data, "interest"),
        penalty=_amount(data, "penalty", default="0"),
        paid_at=_required(
            _optional_datetime(data, "paid_at"), "`data.paid_at` must be an ISO-8601 string with an offset."
        ),
    )


def parse_loan_overdue(data: Mapping[str, Any]) -> LoanOverdue:
    return LoanOverdue(
        loan_no=_text(data, "loan_no"),
        period=_int(data, "period"),
        overdue_amount=_amount(data, "overdue_amount", positive=True),
        since=_required(_optional_date(data, "since"), "`data.since` must be an ISO-8601 date."),
    )


def parse_loan_settled(data: Mapping[str, Any]) -> LoanSettled:
    return LoanSettled(loan_no=_text(data, "loan_no"), settled_at=_optional_datetime(data, "settled_at"))
