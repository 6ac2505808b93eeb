"""Reading WeBank notifications: the envelope at the door, each admission event's data when processed."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bff.domain.calendar import shanghai_date
from bff.domain.money import InvalidAmountError, parse_yuan

__all__ = [
    "DEFAULT_CREDIT_RATIO",
    "DEFAULT_ORDER_RATIO",
    "EVENT_ID_MAX_LENGTH",
    "EventType",
    "InvalidEventError",
    "LimitApproved",
    "LimitRejected",
    "Notification",
    "RealnameVerified",
    "parse_limit_approved",
    "parse_limit_rejected",
    "parse_notification",
    "parse_realname_verified",
]

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
    return parsed


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
    # PostgreSQL's jsonb cannot hold U+0000; refusing it here keeps storing from failing later.
    if "\\u0000" in json.dumps(parsed):
        raise InvalidEventError("The body contains a NUL character.")
    return Notification(event_id=event_id, type=event_type, occurred_at=occurred_at, data=data, body=parsed)


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
