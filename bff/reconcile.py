"""Reconciliation with WeBank: read what the bank says, plan the repairs (`bff.domain.reconcile`), apply them.

A repair is applied as the bank event the BFF missed: stored in the inbox under a reconciliation event id
(`reconcile:<type>:<subject>`) and processed by the same handlers as a notification, so one code path
decides every transition and nothing moves backwards. The id is fixed per repair, so even a repair applied
twice (two reconcilers at once) is stored once; a notification that arrives late afterwards finds the
state machines already there and changes nothing. Run by `bff reconcile`, the background job
(`bff.workers.run_reconciler`) and the operators' `reconcileSupplier` mutation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bff import db
from bff.domain.money import fen_to_yuan, yuan_to_fen
from bff.domain.reconcile import (
    Discrepancy,
    DiscrepancyKind,
    Known,
    KnownLoan,
    Repair,
    RepairKind,
    plan_repairs,
)
from bff.domain.statuses import LoanKind
from bff.events import Broker, Change, tell
from bff.integrations.webank import WebankClient
from bff.metrics import RECONCILE_REPAIRS
from bff.models import (
    Admission,
    BankEvent,
    CreditLimit,
    FinancingApplication,
    Loan,
    OverdueEpisode,
    Repayment,
)
from bff.notifications import changes_of, inbox
from bff.notifications.events import EventType, Notification
from bff.notifications.loans import record_found_loan
from bff.store import NoAdmissionError, current_admission_of_supplier

__all__ = ["Reconciliation", "reconcile_all", "reconcile_supplier"]

logger = logging.getLogger("bff.reconcile")

EVENT_ID_PREFIX = "reconcile:"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What one run did for one supplier: the repairs applied, what differs but was not applied, and why
    there was nothing to compare (`note`), if so."""

    supplier_code: str
    repairs: tuple[Repair, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    note: str | None = None


async def reconcile_all(webank: WebankClient, *, broker: Broker | None = None) -> list[Reconciliation]:
    """Every supplier with a current admission that has a credit code (the bank knows only those)."""
    codes = (
        await Admission.filter(is_current=True, credit_code__isnull=False)
        .order_by("supplier_code")
        .values_list("supplier_code", flat=True)
    )
    return [await reconcile_supplier(webank, str(code), broker=broker) for code in codes]


async def reconcile_supplier(
    webank: WebankClient, supplier_code: str, *, broker: Broker | None = None
) -> Reconciliation:
    """Compare one supplier's records with the bank and apply the repairs; upstream errors propagate."""
    admission = await current_admission_of_supplier(supplier_code)
    if admission is None or not admission.credit_code:
        return Reconciliation(
            supplier_code, note="nothing to reconcile: no current admission with a credit code"
        )
    credit_code = admission.credit_code
    limit = await webank.limit(credit_code)
    bank_loans = await webank.supplier_loans(credit_code)
    approved = await CreditLimit.filter(admission_id=admission.id).first()
    known = Known(
        supplier_code=supplier_code,
        credit_code=credit_code,
        admission_status=admission.status,
        limit_total=None if approved is None else fen_to_yuan(approved.total_fen),
        loans=await _known_loans(supplier_code),
        batch_nos=frozenset(
            str(no)
            for no in await FinancingApplication.filter(
                supplier_code=supplier_code, batch_no__isnull=False
            ).values_list("batch_no", flat=True)
        ),
    )
    plan = plan_repairs(known, limit, bank_loans, datetime.now(UTC))
    applied: list[Repair] = []
    failed: list[Discrepancy] = []
    for repair in plan.repairs:
        error = await _apply(repair)
        if error is None:
            applied.append(repair)
            RECONCILE_REPAIRS.labels(repair.kind.value).inc()
            logger.info("reconcile %s: %s %s: %s", supplier_code, repair.kind, repair.subject, repair.detail)
        else:
            failed.append(
                Discrepancy(DiscrepancyKind.NOT_APPLIED, repair.subject, f"{repair.detail}: {error}")
            )
    for discrepancy in (*plan.discrepancies, *failed):
        logger.warning(
            "reconcile %s: %s %s differs: %s",
            supplier_code,
            discrepancy.kind,
            discrepancy.subject,
            discrepancy.detail,
        )
    if broker is not None and applied:
        await _publish(broker, supplier_code, applied)
    return Reconciliation(supplier_code, tuple(applied), (*plan.discrepancies, *failed))


async def _known_loans(supplier_code: str) -> dict[str, KnownLoan]:
    loans = await Loan.filter(supplier_code=supplier_code)
    ids = [loan.id for loan in loans]
    repaid: dict[int, set[str]] = defaultdict(set)
    for loan_id, repayment_no in await Repayment.filter(loan_id__in=ids).values_list(
        "loan_id", "repayment_no"
    ):
        repaid[int(loan_id)].add(str(repayment_no))
    overdue: dict[int, set[int]] = defaultdict(set)
    for loan_id, period in await OverdueEpisode.filter(loan_id__in=ids).values_list("loan_id", "period"):
        overdue[int(loan_id)].add(int(period))
    return {
        loan.loan_no: KnownLoan(
            loan_no=loan.loan_no,
            status=loan.status,
            outstanding_principal=fen_to_yuan(loan.outstanding_principal_fen),
            repayment_nos=frozenset(repaid[loan.id]),
            overdue_periods=frozenset(overdue[loan.id]),
        )
        for loan in loans
    }


async def _apply(repair: Repair) -> str | None:
    """Apply one repair; None when it took effect, else why not (it stays for the next run)."""
    if repair.event is None:
        found = repair.found
        assert found is not None
        try:
            async with in_transaction(db.CONNECTION) as conn:
                await record_found_loan(
                    found.loan_no,
                    found.credit_code,
                    LoanKind(found.kind),
                    yuan_to_fen(found.amount),
                    found.applied_at or datetime.now(UTC),
                    found.batch_no,
                    conn,
                )
        except (NoAdmissionError, ValueError) as exc:
            return str(exc)
        return None
    planned = repair.event
    event_id = EVENT_ID_PREFIX + planned.key
    occurred_at = planned.occurred_at.astimezone(UTC)  # one offset everywhere, as for notifications
    data = dict(planned.data)
    body: dict[str, Any] = {
        "event_id": event_id,
        "type": planned.type,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }
    notification = Notification(
        event_id=event_id, type=EventType(planned.type), occurred_at=occurred_at, data=data, body=body
    )
    stored = await inbox.store(notification) or await BankEvent.get(event_id=event_id)
    if await inbox.process(stored):
        return None
    await stored.refresh_from_db()
    return stored.last_error or "not processed"


async def _publish(broker: Broker, supplier_code: str, repairs: list[Repair]) -> None:
    """Tell the supplier's live subscriptions what changed: the same changes a notification of each repair
    tells (`notifications.changes_of`), through the one `tell`."""
    changes: list[Change] = []
    for repair in repairs:
        if repair.event is not None:
            changes += await changes_of(repair.event.type, repair.event.data)
        elif repair.kind is not RepairKind.LIMIT_DECISION:
            changes.append(Change.loan(supplier_code, repair.subject))
    await tell(broker, changes)
