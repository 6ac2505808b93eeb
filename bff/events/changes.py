"""The one way a state change reaches live subscriptions: `tell(broker, changes)`.

Every path that changes a supplier's admission, loans or financing applications — a mutation, a bank
notification at the webhook or in the background sweep, a delivered push, reconciliation — says *what*
changed as `Change`s, and `tell` publishes them in one payload shape. Subscribers reload the current state
themselves, so a change told twice is harmless, and telling never fails the work that made the change:
the change is already committed, and Redis being away only delays what a subscriber sees until its next
event or resubscription.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from redis.exceptions import RedisError

from bff.events.broker import Broker, Event, admission_topic, application_topic, loan_topic, notice_topic

logger = logging.getLogger("bff.events")

# A silent Redis must not hold up a webhook answer or a mutation for longer than this.
TELL_TIMEOUT = 3.0


class ChangeKind(enum.StrEnum):
    ADMISSION = "admission"
    LOAN = "loan"
    APPLICATION = "application"
    NOTICE = "notice"  # new notices may exist: subscribers read those after the last they saw


@dataclass(frozen=True, slots=True)
class Change:
    supplier_code: str
    kind: ChangeKind
    loan_no: str | None = None
    application_id: int | None = None

    @classmethod
    def admission(cls, supplier_code: str) -> Change:
        return cls(supplier_code, ChangeKind.ADMISSION)

    @classmethod
    def loan(cls, supplier_code: str, loan_no: str) -> Change:
        return cls(supplier_code, ChangeKind.LOAN, loan_no=loan_no)

    @classmethod
    def application(cls, supplier_code: str, application_id: int | None = None) -> Change:
        return cls(supplier_code, ChangeKind.APPLICATION, application_id=application_id)

    @classmethod
    def notice(cls, supplier_code: str) -> Change:
        return cls(supplier_code, ChangeKind.NOTICE)

    @property
    def topic(self) -> str:
        if self.kind is ChangeKind.ADMISSION:
            return admission_topic(self.supplier_code)
        if self.kind is ChangeKind.LOAN:
            return loan_topic(self.supplier_code)
        if self.kind is ChangeKind.NOTICE:
            return notice_topic(self.supplier_code)
        return application_topic(self.supplier_code)

    @property
    def payload(self) -> Event:
        """`{"kind"}`, plus `loanNo` or `applicationId` when the change is about one of them."""
        event: Event = {"kind": self.kind.value}
        if self.loan_no is not None:
            event["loanNo"] = self.loan_no
        if self.application_id is not None:
            event["applicationId"] = self.application_id
        return event


async def tell(broker: Broker, changes: Iterable[Change]) -> None:
    """Publish each distinct change once; never raises (a broker failure is logged)."""
    await publish_all(broker, [(change.topic, change.payload) for change in dict.fromkeys(changes)])


async def publish_all(broker: Broker, events: list[tuple[str, Event]]) -> None:
    """Publish `(topic, event)` pairs in order; never raises. `tell`'s own step, and the way events held
    back for a transaction (`idempotency.AfterCommitBroker`) go out once it committed."""
    if not events:
        return
    try:
        async with asyncio.timeout(TELL_TIMEOUT):
            for topic, event in events:
                await broker.publish(topic, event)
    except (RedisError, OSError) as exc:  # Redis away or silent (TimeoutError is an OSError)
        logger.warning(
            "live updates not sent for %d change(s) (%s: %s)", len(events), type(exc).__name__, exc
        )
    except Exception:
        logger.exception("live updates failed for %d change(s)", len(events))
