"""A supplier's notices (消息通知): the list (newest first, keyset cursors), marking them read, and the
notices a subscriber has not seen yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bff.context import Context
from bff.domain.refusals import Refusal, RefusalCode
from bff.errors import InvalidInputError
from bff.models import Notice
from bff.resolvers.cursors import cursor_int, decode_cursor, encode_cursor, page_size

CURSOR_KIND = "notices"
MAX_IDS = 100


@dataclass(frozen=True, slots=True)
class NoticePage:
    edges: tuple[tuple[Notice, str], ...]
    has_next_page: bool
    total_count: int
    unread_count: int


@dataclass(slots=True)
class MarkReadOutcome:
    notices: list[Notice] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


async def list_notices(
    context: Context, supplier_code: str, *, unread_only: bool, first: int | None, after: str | None
) -> NoticePage:
    limit = page_size(first)
    query = Notice.filter(supplier_code=supplier_code)
    unread = await query.filter(read_at=None).count()
    if unread_only:
        query = query.filter(read_at=None)
    total = unread if unread_only else await query.count()
    if after is not None:
        query = query.filter(id__lt=cursor_int(decode_cursor(CURSOR_KIND, after).get("i")))
    rows = await query.order_by("-id").limit(limit + 1)
    return NoticePage(
        edges=tuple((row, encode_cursor(CURSOR_KIND, {"i": row.id})) for row in rows[:limit]),
        has_next_page=len(rows) > limit,
        total_count=total,
        unread_count=unread,
    )


async def mark_notices_read(context: Context, notice_ids: list[int]) -> MarkReadOutcome:
    """Mark the viewer's notices read (already read ones keep their time); none if any id is not theirs."""
    supplier_code = context.require_supplier().supplier_code
    if not 1 <= len(notice_ids) <= MAX_IDS:
        return MarkReadOutcome(
            refusals=[Refusal(RefusalCode.INVALID_INPUT, f"Give 1 to {MAX_IDS} notice ids.", "ids")]
        )
    wanted = list(dict.fromkeys(notice_ids))
    found = {row.id: row for row in await Notice.filter(id__in=wanted, supplier_code=supplier_code)}
    missing = [notice_id for notice_id in wanted if notice_id not in found]
    if missing:
        return MarkReadOutcome(
            refusals=[Refusal(RefusalCode.NOTICE_NOT_FOUND, "No such notice of yours.", "ids")]
        )
    await Notice.filter(id__in=wanted, read_at=None).update(read_at=datetime.now(UTC))
    rows = {row.id: row for row in await Notice.filter(id__in=wanted)}
    return MarkReadOutcome(notices=[rows[notice_id] for notice_id in wanted])


async def newest_notice_id(supplier_code: str) -> int:
    row = await Notice.filter(supplier_code=supplier_code).order_by("-id").first()
    return 0 if row is None else row.id


async def notices_after(supplier_code: str, last_seen: int, limit: int = 100) -> list[Notice]:
    """The supplier's notices newer than `last_seen`, oldest first (a subscriber's catch-up)."""
    if last_seen < 0:
        raise InvalidInputError("`last_seen` must not be negative.")
    return await Notice.filter(supplier_code=supplier_code, id__gt=last_seen).order_by("id").limit(limit)
