"""DUE_SOON (还款提醒): a notice per installment 5 days before its due date, from a scheduled job.

Each pass reads the plans of every repayable loan from WeBank (batched `GET /v1/loans`, 100 loans a call)
and creates the notice of each PENDING installment whose reminder day has come and whose due date has
not passed. The notice's key (`DUE_SOON:{loan}:{period}`) makes it once per installment, however many
passes, processes or restarts see it; a pass missed on the exact day reminds on the next one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from tortoise.transactions import in_transaction

from bff import db
from bff.domain import notices
from bff.domain.bank_records import PlanItem
from bff.domain.statuses import REPAYABLE_LOAN_STATUSES
from bff.events import Broker, Change, tell
from bff.integrations.webank import WebankClient
from bff.models import Loan
from bff.notices import create_notice

logger = logging.getLogger("bff.due_soon")

PENDING = "PENDING"


def installments_to_remind(plan: Sequence[PlanItem], today: date) -> list[PlanItem]:
    """The pending installments whose reminder day has come and whose due date has not passed."""
    return [
        item
        for item in plan
        if item.status == PENDING and notices.due_soon_day(item.due_date) <= today <= item.due_date
    ]


async def remind_due_soon(webank: WebankClient, broker: Broker | None, today: date) -> int:
    """One pass; how many DUE_SOON notices it created."""
    loans = await Loan.filter(status__in=list(REPAYABLE_LOAN_STATUSES)).order_by("id")
    if not loans:
        return 0
    plans = {bank.loan_no: bank.plan for bank in await webank.loans([loan.loan_no for loan in loans])}
    created: dict[str, int] = defaultdict(int)
    for loan in loans:
        due = installments_to_remind(plans.get(loan.loan_no, ()), today)
        if not due:
            continue
        async with in_transaction(db.CONNECTION) as conn:
            for item in due:
                draft = notices.due_soon(
                    loan.loan_no, item.period, item.due_date, item.principal, item.interest
                )
                if await create_notice(loan.supplier_code, draft, conn) is not None:
                    created[loan.supplier_code] += 1
    if broker is not None:
        await tell(broker, [Change.notice(code) for code in sorted(created)])
    total = sum(created.values())
    if total:
        logger.info("due-date reminders: %d notice(s) for %d supplier(s)", total, len(created))
    return total
