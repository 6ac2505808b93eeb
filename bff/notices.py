"""Creating notices (消息通知): once per happening, inside the transaction that applies it.

A notice is written with its messages to the supplier's handler (经办人, from the admission's handler
form): one SMS and one e-mail, delivered later by the messages worker (`bff.messaging`), so creating a
notice never waits for a sender. Subscribers of `noticeReceived` are told after the commit, by whoever
committed (`changes_of` for bank events, the DUE_SOON job for its own).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from bff.domain.notices import NoticeDraft
from bff.models import Admission, MessageChannel, Notice, NoticeMessage

logger = logging.getLogger("bff.notices")


async def create_notice(
    supplier_code: str, draft: NoticeDraft, conn: BaseDBAsyncClient, *, now: datetime | None = None
) -> Notice | None:
    """The new notice with its messages, or None when one for the same happening (`draft.key`) exists.

    Runs in the caller's transaction (`conn`); the insert has its own savepoint, so losing a race for the
    key rolls back only the insert, never the caller's work.
    """
    if await Notice.filter(key=draft.key).using_db(conn).exists():
        return None
    moment = now or datetime.now(UTC)
    try:
        # a savepoint of the caller's transaction (a transaction of its own when `conn` has none)
        async with conn._in_transaction() as savepoint:
            notice = await Notice.create(
                using_db=savepoint,
                supplier_code=supplier_code,
                kind=draft.kind,
                key=draft.key,
                title=draft.title,
                body=draft.body,
                loan_no=draft.loan_no,
                created_at=moment,
            )
            await _queue_messages(notice, moment, savepoint)
    except IntegrityError:
        return None
    logger.info("notice %s (%s) for supplier %s", notice.id, draft.kind.value, supplier_code)
    return notice


async def _queue_messages(notice: Notice, now: datetime, conn: BaseDBAsyncClient) -> None:
    admission = await Admission.filter(current_key=notice.supplier_code).using_db(conn).first()
    if admission is None:
        return
    recipients = {MessageChannel.SMS: admission.handler_phone, MessageChannel.EMAIL: admission.handler_email}
    for channel, recipient in recipients.items():
        if recipient:
            await NoticeMessage.create(
                using_db=conn,
                notice=notice,
                supplier_code=notice.supplier_code,
                channel=channel,
                recipient=recipient,
                next_attempt_at=now,
            )
