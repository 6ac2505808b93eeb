"""Bank notifications in quarantine, for platform operators."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from bff.models import QuarantinedBankEvent as QuarantinedBankEventRecord


@strawberry.type(
    description="A signed WeBank notification the BFF could not understand: acknowledged to the bank, kept "
    "here unprocessed for an operator to settle with the bank."
)
class QuarantinedBankEvent:
    event_id: str | None = strawberry.field(
        description="The envelope's `event_id`, when it had a readable one."
    )
    type: str | None = strawberry.field(description="The envelope's `type`, when it had a readable one.")
    reason: str = strawberry.field(description="Why the BFF could not understand it.")
    body: str = strawberry.field(description="The notification as received (undecodable bytes escaped).")
    received_at: datetime = strawberry.field(description="When the BFF received it.")
    stored_as_event: bool = strawberry.field(
        description="True when the envelope was stored as a bank event and only its data was unreadable."
    )

    @classmethod
    def from_record(cls, record: QuarantinedBankEventRecord) -> QuarantinedBankEvent:
        return cls(
            event_id=record.event_id,
            type=record.type,
            reason=record.reason,
            body=record.body,
            received_at=record.received_at,
            stored_as_event=record.bank_event_id is not None,
        )


@strawberry.type(description="A quarantined notification in a page of them.")
class QuarantinedBankEventEdge:
    node: QuarantinedBankEvent = strawberry.field(description="The notification.")
    cursor: str = strawberry.field(description="Pass as `after` to read the ones after this one.")


@strawberry.type(description="A page of quarantined bank notifications.")
class QuarantinedBankEventConnection:
    edges: list[QuarantinedBankEventEdge] = strawberry.field(description="The notifications of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Whether more pages follow, and their cursors.")
    total_count: int = strawberry.field(description="Quarantined notifications in all.")
