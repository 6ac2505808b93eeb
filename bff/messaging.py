"""Delivering notices by SMS and e-mail to the handler (经办人): the messages outbox (`NoticeMessage`).

A notice's messages are written with it, in the transaction that applied its happening, so the event never
waits for a sender. This worker sends each due message through the sender adapter
(`bff.integrations.messaging`):

- **once**: a message is claimed by a conditional update (any number of processes may deliver), sent with
  a stable `Idempotency-Key`, then recorded `SENT`. A process that dies between sending and recording
  leaves it claimed until the lease ends; the next attempt carries the same key, which the gateway has
  seen — so across a restart the handler still gets it exactly once;
- **retried with backoff** (5 s doubling, at most 15 min) after a failure, until `give_up_after` (24 h)
  from its creation: then `FAILED`, logged as an error for an operator;
- **rate-limited per supplier and channel**: at most `BFF_MESSAGE_RATE_PER_HOUR` sent in any hour; one
  over the limit waits until a slot frees up (postponed, never dropped).

Logs name recipients masked (`138****8000`, `z***@example.com`). A channel whose gateway URL is unset is
not delivered (its messages wait).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from bff.domain.masking import mask_recipient
from bff.errors import UpstreamError
from bff.integrations.messaging import MessageSender
from bff.models import MessageChannel, MessageStatus, Notice, NoticeMessage

logger = logging.getLogger("bff.messaging")

HOUR = timedelta(hours=1)
SENDER_NAME = "信融宝"


@dataclass(frozen=True, slots=True)
class MessagePolicy:
    rate_per_hour: int = 10
    lease: timedelta = timedelta(seconds=60)
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(minutes=15)
    give_up_after: timedelta = timedelta(hours=24)
    batch: int = 50

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt."""
        factor: int = 2 ** min(max(attempts - 1, 0), 20)
        return min(self.first_backoff * factor, self.max_backoff)


def sms_text(notice: Notice) -> str:
    return f"【{SENDER_NAME}】{notice.title}：{notice.body}"


def email_subject(notice: Notice) -> str:
    return f"【{SENDER_NAME}】{notice.title}"


def idempotency_key(message: NoticeMessage) -> str:
    """Stable for the message across attempts and processes; distinct between databases in practice."""
    return f"xrb-notice-{message.id}-{int(message.created_at.timestamp() * 1_000_000)}"


class MessageDelivery:
    def __init__(self, sender: MessageSender, policy: MessagePolicy = MessagePolicy()) -> None:
        self.sender = sender
        self.policy = policy

    def _channels(self) -> list[MessageChannel]:
        enabled = {
            MessageChannel.SMS: self.sender.sms_enabled,
            MessageChannel.EMAIL: self.sender.email_enabled,
        }
        return [channel for channel, on in enabled.items() if on]

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Send the messages due now; how many were sent. Never raises for one message's failure."""
        moment = now or datetime.now(UTC)
        channels = self._channels()
        if not channels:
            return 0
        candidates = (
            await NoticeMessage.filter(
                status=MessageStatus.PENDING, next_attempt_at__lte=moment, channel__in=channels
            )
            .filter(Q(locked_until=None) | Q(locked_until__lt=moment))
            .order_by("next_attempt_at", "id")
            .limit(self.policy.batch)
        )
        sent = 0
        for message in candidates:
            if not await self._claim(message, moment):
                continue
            wait_until = await self._rate_limited_until(message, moment)
            if wait_until is not None:
                await NoticeMessage.filter(id=message.id).update(
                    next_attempt_at=wait_until, locked_until=None
                )
                logger.info(
                    "%s to %s for supplier %s postponed to %s (rate limit %d/h)",
                    message.channel.value,
                    mask_recipient(message.channel.value, message.recipient),
                    message.supplier_code,
                    wait_until.isoformat(),
                    self.policy.rate_per_hour,
                )
                continue
            sent += await self._send(message, moment)
        return sent

    async def _claim(self, message: NoticeMessage, now: datetime) -> bool:
        claimed = await NoticeMessage.filter(
            id=message.id, status=MessageStatus.PENDING, locked_until=message.locked_until
        ).update(locked_until=now + self.policy.lease)
        return claimed == 1

    async def _rate_limited_until(self, message: NoticeMessage, now: datetime) -> datetime | None:
        recent = (
            await NoticeMessage.filter(
                supplier_code=message.supplier_code,
                channel=message.channel,
                status=MessageStatus.SENT,
                sent_at__gt=now - HOUR,
            )
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        )
        if len(recent) < self.policy.rate_per_hour:
            return None
        # the slot the oldest of the last `rate` sends holds frees up an hour after it
        oldest: datetime = recent[len(recent) - self.policy.rate_per_hour]  # type: ignore[assignment]
        return oldest + HOUR

    async def _send(self, message: NoticeMessage, now: datetime) -> int:
        masked = mask_recipient(message.channel.value, message.recipient)
        notice = await Notice.get(id=message.notice_id)
        key = idempotency_key(message)
        try:
            if message.channel is MessageChannel.SMS:
                await self.sender.send_sms(message.recipient, sms_text(notice), key=key)
            else:
                await self.sender.send_email(message.recipient, email_subject(notice), notice.body, key=key)
        except Exception as exc:
            await self._failed(message, now, exc, masked)
            return 0
        await NoticeMessage.filter(id=message.id).update(
            status=MessageStatus.SENT,
            sent_at=now,
            attempts=message.attempts + 1,
            locked_until=None,
            last_error=None,
        )
        logger.info(
            "%s of notice %s (%s) sent to %s", message.channel.value, notice.id, notice.kind.value, masked
        )
        return 1

    async def _failed(self, message: NoticeMessage, now: datetime, exc: Exception, masked: str) -> None:
        attempts = message.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if now - message.created_at >= self.policy.give_up_after:
            await NoticeMessage.filter(id=message.id).update(
                status=MessageStatus.FAILED, attempts=attempts, last_error=error, locked_until=None
            )
            logger.error(
                "%s of notice %s to %s given up after %d attempts: %s",
                message.channel.value,
                message.notice_id,
                masked,
                attempts,
                error,
            )
            return
        retry_at = now + self.policy.backoff(attempts)
        await NoticeMessage.filter(id=message.id).update(
            attempts=attempts, last_error=error, next_attempt_at=retry_at, locked_until=None
        )
        log = logger.warning if isinstance(exc, UpstreamError) else logger.error
        log(
            "%s of notice %s to %s failed (attempt %d), retrying at %s: %s",
            message.channel.value,
            message.notice_id,
            masked,
            attempts,
            retry_at.isoformat(),
            error,
            exc_info=not isinstance(exc, UpstreamError),
        )
