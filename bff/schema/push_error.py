"""`PushError`: why a push to WeBank failed for good, on an admission or an application (DESIGN §6.2)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from bff.domain.push_errors import PushError as PushErrorRecord


@strawberry.type(
    description="A push to WeBank that failed for good: the bank refused it, or retries gave up after "
    "BFF_PUSH_GIVE_UP_HOURS. Null once the push is queued again."
)
class PushError:
    code: str = strawberry.field(
        description="WeBank's refusal code (e.g. INVALID_STATISTICS, or HTTP_404 when the bank named none), "
        "PUSH_GAVE_UP when the bank never took it in time, PUSH_UNREADABLE for an internal error."
    )
    message: str = strawberry.field(description="For the supplier, in Chinese: what failed and what to do.")
    failed_at: datetime = strawberry.field(description="When it failed for good.")

    @classmethod
    def from_record(cls, record: PushErrorRecord | None) -> PushError | None:
        if record is None:
            return None
        return cls(code=record.code, message=record.message, failed_at=record.failed_at)
