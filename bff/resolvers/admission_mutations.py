"""Admission mutations: agree to data sharing, 开通 (push to WeBank), submit the 经办人 form.

Each is idempotent per supplier: a double click returns the same admission and pushes nothing twice.
Pushes go through the transactional outbox: written in the same transaction as the status change, then
attempted at once; if WeBank is down the mutation still succeeds and the push is delivered later.

No dead ends (DESIGN §6.2): when a push failed for good (WeBank refused it, or retries gave up), the same
mutation queues it again, built afresh (statistics recomputed, the form as now submitted) under a new
request id. A new id, because WeBank treats the request id as the request: it answers a repeated id with
its first answer, so the old id would only replay the refusal; and a push after a give-up is a new request
the supplier made, not a retry of one the bank may have half-seen. The admission never advances on a failed
push: 开通 leaves it OPENED (its `pushError` says why), and the handler form moves it to REGISTERING only
when WeBank took the form (`bff.outbox.results`), so the bank's registration page is never offered for a
form the bank does not have.

A retry is guarded like the first push: its transaction updates the admission only if `updated_at` is
still what was read, so of two concurrent clicks one queues the push and the other answers the admission.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bff import db
from bff.context import Context
from bff.domain.bank_pushes import HandlerPush, SupplierPush
from bff.domain.calendar import shanghai_date
from bff.domain.credit_code import is_valid_credit_code
from bff.domain.eligibility import format_date
from bff.domain.handler_form import HandlerForm, validate_handler
from bff.domain.records import OrderRecord, OrderSource, SupplierProfile
from bff.domain.refusals import Refusal, RefusalCode
from bff.domain.regions import normalise_region
from bff.domain.statistics import BusinessStatistics, business_statistics, window_start
from bff.domain.statuses import AdmissionStatus, EntryPoint
from bff.events import Change, tell
from bff.loaders import OrderWindowRequest
from bff.models import Admission, Consent, OutboxMessage
from bff.resolvers.admission import admission_push_pending
from bff.resolvers.push_errors import admission_failed_push, failed, latest_push
from bff.resolvers.suppliers import require_profile, supplier_eligibility
from bff.store import ADMISSION_AGGREGATE, current_admission_of_supplier

AGREEMENT_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
AGGREGATE = ADMISSION_AGGREGATE
ORDER_PAGE = 100


@dataclass(slots=True)
class AdmissionOutcome:
    admission: Admission | None = None
    refusals: list[Refusal] = field(default_factory=list)
    registration_url: str | None = None


async def push_pending(admission_id: int) -> bool:
    return await admission_push_pending(admission_id)


async def _publish(context: Context, admission: Admission) -> None:
    await tell(context.services.broker, [Change.admission(admission.supplier_code)])


async def agree_to_authorization(
    context: Context, agreement_version: str, entry_point: EntryPoint
) -> AdmissionOutcome:
    viewer = context.viewer
    version = agreement_version.strip()
    if not AGREEMENT_VERSION.match(version):
        return AdmissionOutcome(
            refusals=[
                Refusal(
                    RefusalCode.INVALID_INPUT,
                    "协议版本号无效：1–32 个字母、数字、点、下划线或连字符。",
                    "agreementVersion",
                )
            ]
        )
    current = await current_admission_of_supplier(viewer.supplier_code)
    if current is not None and current.status is not AdmissionStatus.REJECTED:
        return AdmissionOutcome(admission=current)  # already agreed: a repeated click changes nothing
    window = _reapply_window(context, current)
    if window is not None:
        return window
    eligibility = await supplier_eligibility(context, viewer.supplier_code)
    if not eligibility.eligible:
        return AdmissionOutcome(
            refusals=[Refusal(RefusalCode.NOT_ELIGIBLE, reason.message) for reason in eligibility.reasons]
        )
    now = datetime.now(UTC)
    try:
        async with in_transaction(db.CONNECTION) as connection:
            if current is not None:  # a rejected admission stays in history; a new one starts
                await (
                    Admission.filter(id=current.id, is_current=True)
                    .using_db(connection)
                    .update(is_current=False, current_key=None, updated_at=now)
                )
            consent = await Consent.create(
                using_db=connection,
                supplier_code=viewer.supplier_code,
                agreement_version=version,
                entry_point=entry_point,
                agreed_at=now,
                user_id=viewer.supplier_code,
                ip=(context.client_ip or "")[:45],
                user_agent=context.user_agent or "",
            )
            admission = await Admission.create(
                using_db=connection,
                supplier_code=viewer.supplier_code,
                status=AdmissionStatus.AGREED,
                entry_point=entry_point,
                consent=consent,
                agreed_at=now,
                is_current=True,
            )
    except IntegrityError:
        # A concurrent click won the unique current admission: answer with that one.
        return AdmissionOutcome(admission=await Admission.get(current_key=viewer.supplier_code))
    await _publish(context, admission)
    return AdmissionOutcome(admission=admission)


def _reapply_window(context: Context, current: Admission | None) -> AdmissionOutcome | None:
    """The refusal to start again while a rejected admission's re-apply window is still open."""
    if current is None or current.status is not AdmissionStatus.REJECTED or current.reapply_after is None:
        return None
    if context.today() >= current.reapply_after:
        return None
    message = f"额度申请未通过，{format_date(current.reapply_after)}起可重新申请。"
    return AdmissionOutcome(admission=current, refusals=[Refusal(RefusalCode.REAPPLY_WINDOW, message)])


async def open_financing(context: Context) -> AdmissionOutcome:
    viewer = context.viewer
    current = await current_admission_of_supplier(viewer.supplier_code)
    window = _reapply_window(context, current)
    if window is not None:
        return window
    if current is None or current.status is AdmissionStatus.REJECTED:
        return AdmissionOutcome(
            admission=current,
            refusals=[Refusal(RefusalCode.AGREEMENT_REQUIRED, "请先阅读并同意数据授权协议，再开通。")],
        )
    retry = current.status is AdmissionStatus.OPENED and failed(
        await latest_push(AGGREGATE, current.id, SupplierPush.kind)
    )
    if current.status is not AdmissionStatus.AGREED and not retry:
        return AdmissionOutcome(admission=current)  # already opened: nothing is pushed twice
    profile = await require_profile(context, viewer.supplier_code)
    if not is_valid_credit_code(profile.credit_code):
        message = f"平台登记的统一社会信用代码 {profile.credit_code} 校验未通过，请先更正企业信息。"
        return AdmissionOutcome(
            admission=current, refusals=[Refusal(RefusalCode.INVALID_CREDIT_CODE, message)]
        )
    eligibility = await supplier_eligibility(context, viewer.supplier_code)
    if not eligibility.eligible:
        return AdmissionOutcome(
            admission=current,
            refusals=[Refusal(RefusalCode.NOT_ELIGIBLE, reason.message) for reason in eligibility.reasons],
        )
    statistics = await _statistics(context, viewer.supplier_code)
    now = datetime.now(UTC)
    async with in_transaction(db.CONNECTION) as connection:
        # First 开通: AGREED → OPENED. Again after a failed push: still as read (see the module's docstring).
        unchanged = (
            {"status": AdmissionStatus.OPENED, "updated_at": current.updated_at}
            if retry
            else {"status": AdmissionStatus.AGREED}
        )
        opened = (
            await Admission.filter(id=current.id, **unchanged)
            .using_db(connection)
            .update(
                status=AdmissionStatus.OPENED, opened_at=now, credit_code=profile.credit_code, updated_at=now
            )
        )
        pushed = None
        if opened:
            pushed = await context.services.outbox.enqueue_claimed(
                supplier_push(profile, statistics),
                aggregate_type=AGGREGATE,
                aggregate_id=str(current.id),
                connection=connection,
            )
    return AdmissionOutcome(admission=await _hand_over(context, current.id, pushed))


async def submit_handler(context: Context, name: str, phone: str, email: str) -> AdmissionOutcome:
    viewer = context.viewer
    form = validate_handler(name, phone, email)
    if isinstance(form, list):
        return AdmissionOutcome(refusals=form)
    current = await current_admission_of_supplier(viewer.supplier_code)
    window = _reapply_window(context, current)
    if window is not None:
        return window
    if current is None or current.status is AdmissionStatus.REJECTED:
        return AdmissionOutcome(
            admission=current,
            refusals=[Refusal(RefusalCode.AGREEMENT_REQUIRED, "请先阅读并同意数据授权协议，再开通。")],
        )
    if current.status is AdmissionStatus.AGREED:
        return AdmissionOutcome(
            admission=current,
            refusals=[Refusal(RefusalCode.FINANCING_NOT_OPENED, "请先点击【开通】，再填写经办人信息。")],
        )
    if current.status is AdmissionStatus.OPENED and failed(
        await latest_push(AGGREGATE, current.id, SupplierPush.kind)
    ):
        # The bank has no supplier to attach the form to (it would answer 404): 开通 must go through first.
        message = "开通信息未能送达微众银行，请先重新点击【开通】，再填写经办人信息。"
        return AdmissionOutcome(
            admission=current, refusals=[Refusal(RefusalCode.FINANCING_NOT_OPENED, message)]
        )
    handler_done = current.status in (AdmissionStatus.VERIFIED, AdmissionStatus.APPROVED)
    last_form = await latest_push(AGGREGATE, current.id, HandlerPush.kind)
    if handler_done or (_same_handler(current, form) and last_form is not None and not failed(last_form)):
        # already submitted (delivered or on its way): the same registration link, nothing pushed again
        return AdmissionOutcome(admission=current, registration_url=await _registration_url(current))
    now = datetime.now(UTC)
    async with in_transaction(db.CONNECTION) as connection:
        # The status stays: REGISTERING comes with WeBank's answer (`bff.outbox.results`).
        changed = (
            await Admission.filter(id=current.id, status=current.status, updated_at=current.updated_at)
            .using_db(connection)
            .update(
                handler_name=form.name,
                handler_phone=form.phone,
                handler_email=form.email,
                updated_at=now,
            )
        )
        pushed = None
        if changed:
            pushed = await context.services.outbox.enqueue_claimed(
                HandlerPush(
                    credit_code=current.credit_code or "",
                    name=form.name,
                    phone=form.phone,
                    email=form.email,
                ),
                aggregate_type=AGGREGATE,
                aggregate_id=str(current.id),
                connection=connection,
            )
    admission = await _hand_over(context, current.id, pushed)
    return AdmissionOutcome(admission=admission, registration_url=await _registration_url(admission))


async def _registration_url(admission: Admission) -> str | None:
    """WeBank's registration page, once the bank has the handler form: not while a push waits, nor when
    the latest one failed (the URL on record may be the 开通 answer's, or an older form's)."""
    if admission.status is AdmissionStatus.OPENED or await push_pending(admission.id):
        return None
    return None if await admission_failed_push(admission.id) is not None else admission.register_url


async def _hand_over(context: Context, admission_id: int, pushed: OutboxMessage | None) -> Admission:
    """Try the push committed with the change at once (the outbox retries if WeBank is away); tell subscribers."""
    if pushed is not None:
        await context.services.outbox.deliver_claimed(pushed.id)
    admission = await Admission.get(id=admission_id)
    await _publish(context, admission)
    return admission


def _same_handler(admission: Admission, form: HandlerForm) -> bool:
    return (admission.handler_name, admission.handler_phone, admission.handler_email) == (
        form.name,
        form.phone,
        form.email,
    )


async def _statistics(context: Context, supplier_code: str) -> BusinessStatistics:
    today = context.today()
    orders, mall, mro = await asyncio.gather(
        _orders_since(context, supplier_code, window_start(today)),
        context.loaders.mall_fulfilment.load(supplier_code),
        context.loaders.mro_fulfilment.load(supplier_code),
    )
    statements = [s for history in (mall, mro) if history is not None for s in history.statements]
    return business_statistics(orders, statements, today)


async def _orders_since(context: Context, supplier_code: str, start: date) -> list[OrderRecord]:
    """Every order of both systems created in the window, read newest first page by page."""

    async def of_source(source: OrderSource) -> list[OrderRecord]:
        found: list[OrderRecord] = []
        offset = 0
        while True:
            window = await context.loaders.order_windows.load(
                OrderWindowRequest(source, supplier_code, None, offset, ORDER_PAGE)
            )
            found.extend(window.orders)
            offset += len(window.orders)
            oldest = shanghai_date(window.orders[-1].created_at) if window.orders else None
            if not window.orders or offset >= window.total or (oldest is not None and oldest < start):
                return found

    per_source = await asyncio.gather(*(of_source(source) for source in OrderSource))
    return [order for orders in per_source for order in orders]


def supplier_push(profile: SupplierProfile, statistics: BusinessStatistics) -> SupplierPush:
    region = normalise_region(profile.province, profile.city)
    # official names where the platform's spelling is recognised (广东 → 广东省), else as held
    supplier = replace(
        profile, province=region.province or profile.province, city=region.city or profile.city
    )
    return SupplierPush(supplier=supplier, statistics=statistics)
