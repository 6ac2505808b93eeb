"""What operators see of the bank notifications the BFF could not understand (newest first)."""

from __future__ import annotations

from dataclasses import dataclass

from bff.context import Context
from bff.errors import InvalidInputError
from bff.models import QuarantinedBankEvent
from bff.resolvers.cursors import decode_cursor, encode_cursor, page_size
from bff.resolvers.operators import require_operator

CURSOR_KIND = "quarantine"
# A bigint id: a cursor holding more is not one this list gave out (and would overflow the column).
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class QuarantinePage:
    events: tuple[tuple[QuarantinedBankEvent, str], ...]  # (event, cursor)
    has_next_page: bool
    total_count: int


def _cursor(event: QuarantinedBankEvent) -> str:
    return encode_cursor(CURSOR_KIND, {"i": event.id})


def _after_id(after: str) -> int:
    value = decode_cursor(CURSOR_KIND, after).get("i")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidInputError("`after` is not a cursor this list gave out.")
    return value


async def list_quarantined_events(
    context: Context, *, first: int | None, after: str | None
) -> QuarantinePage:
    require_operator(context, "quarantinedBankEvents", first=first, after=after)
    limit = page_size(first)
    query = QuarantinedBankEvent.all()
    total = await query.count()
    if after is not None:
        query = query.filter(id__lt=_after_id(after))
    rows = await query.order_by("-id").limit(limit + 1)
    return QuarantinePage(
        events=tuple((row, _cursor(row)) for row in rows[:limit]),
        has_next_page=len(rows) > limit,
        total_count=total,
    )
