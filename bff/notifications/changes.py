"""What a bank event changed, for live subscriptions: the same answer whether the webhook applied the event
or the background sweep did (an event that had to wait for its loan or its admission)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bff.events import Change
from bff.models import BankEvent, Loan
from bff.store import current_admissions_by_credit_code


async def changes_of(event_type: str, data: Mapping[str, Any]) -> list[Change]:
    """The admission of every supplier holding the event's credit code, or the event's loan (and the
    financing application it came from)."""
    changes: list[Change] = []
    credit_code, loan_no = data.get("credit_code"), data.get("loan_no")
    if isinstance(credit_code, str) and event_type.startswith(("realname.", "limit.")):
        admissions = await current_admissions_by_credit_code(credit_code.strip())
        codes = sorted({a.supplier_code for a in admissions})
        changes += [Change.admission(code) for code in codes]
        if event_type.startswith("limit."):  # a decision brings a notice (LIMIT_APPROVED / LIMIT_REJECTED)
            changes += [Change.notice(code) for code in codes]
    if isinstance(loan_no, str):
        loan = await Loan.get_or_none(loan_no=loan_no.strip())
        if loan is not None:
            changes.append(Change.loan(loan.supplier_code, loan.loan_no))
            changes.append(Change.notice(loan.supplier_code))  # the event may have brought a notice
            if loan.application_id is not None:
                changes.append(Change.application(loan.supplier_code, loan.application_id))
    return changes


async def changes_of_event(event: BankEvent) -> list[Change]:
    data = event.payload.get("data") if isinstance(event.payload, dict) else None
    return await changes_of(event.type, data if isinstance(data, dict) else {})
