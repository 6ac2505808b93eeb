"""Admission (业务准入): the supplier's way from consent to an approved or rejected WeBank credit limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from bff.domain.admission_progress import STEP_OF_PUSH, StepState, admission_steps
from bff.domain.admission_progress import Step as StepRecord
from bff.domain.limits import LimitShare as LimitShareRecord
from bff.domain.money import fen_to_yuan
from bff.domain.regions import AdmissionRegion as AdmissionRegionRecord
from bff.domain.status_labels import admission_status_label
from bff.domain.statuses import AdmissionStatus, EntryPoint
from bff.models import Admission as AdmissionRow
from bff.models import Consent as ConsentRow
from bff.models import CreditLimit as CreditLimitRow
from bff.resolvers.admission import (
    admission_limit,
    admission_push_pending,
    continue_url,
    limit_split,
    load_admission,
)
from bff.resolvers.operators import supplier_consents
from bff.resolvers.push_errors import admission_failed_push, error_of
from bff.schema.context import Info, context_of
from bff.schema.described_enum import described_enum
from bff.schema.node import ResolvedByKeys, numeric_key
from bff.schema.push_error import PushError


@strawberry.type(description="A province open for admission; `cities` is empty when the whole province is.")
class AdmissionRegion:
    province: str = strawberry.field(description="Province (省) open for admission.")
    cities: list[str] = strawberry.field(
        description="Its open cities (市); empty when the whole province is."
    )

    @classmethod
    def from_record(cls, record: AdmissionRegionRecord) -> AdmissionRegion:
        return cls(province=record.province, cities=list(record.cities))


@strawberry.type(description="One part of the limit: order loans (40 %) or credit loans (60 %).")
class LimitShare:
    ratio: str = strawberry.field(description='The share of the total, e.g. "0.4".')
    total: Decimal = strawberry.field(description="This share of the credit limit (额度), in CNY.")
    used: Decimal = strawberry.field(description="Outstanding principal of live loans of this kind.")
    available: Decimal = strawberry.field(description="total − used, never negative.")

    @classmethod
    def from_record(cls, record: LimitShareRecord) -> LimitShare:
        return cls(
            ratio=str(record.ratio.normalize()),
            total=record.total,
            used=record.used,
            available=record.available,
        )


@strawberry.type(description="The credit limit WeBank approved.")
class CreditLimit:
    row: strawberry.Private[CreditLimitRow]
    total: Decimal = strawberry.field(description="The whole credit limit (授信额度), in CNY.")
    approved_at: datetime = strawberry.field(description="When WeBank approved it (审批通过时间).")
    valid_until: dt.date | None = strawberry.field(
        description="Last day it may be drawn on (额度有效期), if set."
    )

    @classmethod
    def from_record(cls, row: CreditLimitRow) -> CreditLimit:
        return cls(
            row=row,
            total=fen_to_yuan(row.total_fen),
            approved_at=row.approved_at,
            valid_until=row.valid_until,
        )

    @strawberry.field(description="The order-loan share (订单贷, 40 %).")
    async def order_loan(self, info: Info) -> LimitShare:
        return LimitShare.from_record((await limit_split(context_of(info), self.row)).order_loan)

    @strawberry.field(description="The credit-loan share (信用贷, 60 %).")
    async def credit_loan(self, info: Info) -> LimitShare:
        return LimitShare.from_record((await limit_split(context_of(info), self.row)).credit_loan)


@strawberry.type(description="The person handling the application at the supplier (经办人).")
class Handler:
    name: str = strawberry.field(description="Handler's name (经办人姓名).")
    phone: str = strawberry.field(description="Handler's mobile number (手机号).")
    email: str = strawberry.field(description="Handler's e-mail (邮箱).")


@strawberry.type(
    description="A supplier's agreement to the data-sharing authorization (授权协议), as recorded when "
    "it agreed."
)
class Consent:
    agreement_version: str = strawberry.field(
        description="Version of the authorization agreement (授权协议版本) agreed to."
    )
    agreed_at: dt.datetime = strawberry.field(description="When it was agreed (授权时间).")
    ip: str = strawberry.field(description="The client IP address it was agreed from (授权IP).")
    user_agent: str = strawberry.field(description="The browser it was agreed in (浏览器标识).")

    @classmethod
    def from_record(cls, row: ConsentRow) -> Consent:
        return cls(
            agreement_version=row.agreement_version,
            agreed_at=row.agreed_at,
            ip=row.ip,
            user_agent=row.user_agent,
        )


strawberry.enum(AdmissionStatus)
strawberry.enum(EntryPoint, description="Where the supplier entered Xinrongbao.")
strawberry.enum(StepState, name="AdmissionStepState")
described_enum(
    AdmissionStatus,
    "Where admission (业务准入) stands; `Admission.statusLabel` gives the Chinese a person reads.",
    {
        AdmissionStatus.AGREED: "Agreed to the user agreement and data authorization (已同意授权).",
        AdmissionStatus.OPENED: "开通 pressed: the supplier's data went to WeBank (已开通).",
        AdmissionStatus.REGISTERING: "Handler submitted; registering and verifying at WeBank (注册认证中).",
        AdmissionStatus.VERIFIED: "Enterprise verified at WeBank; the limit is being applied for (额度审批中).",
        AdmissionStatus.APPROVED: "WeBank approved a credit limit (审核通过).",
        AdmissionStatus.REJECTED: "WeBank rejected the application (审核未通过).",
    },
)
described_enum(
    EntryPoint,
    "Where the supplier entered Xinrongbao (信融宝业务办理入口).",
    {
        EntryPoint.FINTECH_HOME_BANNER: "The 数科首页 banner.",
        EntryPoint.SUPPLIER_ORDER_LIST: "The supplier's order list page (供应商订单列表页).",
        EntryPoint.MRO_ORDER_MANAGEMENT: "MRO back office 【订单管理】,【在线申请融资】 button.",
        EntryPoint.YZW_HOME_BANNER: "The 云筑首页 banner.",
        EntryPoint.FINTECH_PRODUCT_ENTRY: "The 数科产品入口.",
    },
)
described_enum(
    StepState,
    "State of one admission step in the progress indicator (准入进度).",
    {
        StepState.DONE: "Done (已完成).",
        StepState.CURRENT: "The supplier or the bank acts next here (进行中).",
        StepState.TODO: "Not reached yet (未开始).",
        StepState.FAILED: "Rejected, or its push to WeBank failed for good (失败).",
    },
    name="AdmissionStepState",
)


@strawberry.type(description="One step of admission, for a progress indicator.")
class AdmissionStep:
    key: str = strawberry.field(description="AGREE, OPEN, HANDLER, VERIFY or DECISION.")
    title: str = strawberry.field(description="The step's Chinese title, as the progress page shows it.")
    state: StepState = strawberry.field(description="Done, current, to do or failed.")
    at: datetime | None = strawberry.field(description="When the step was done, if it is.")

    @classmethod
    def from_record(cls, step: StepRecord) -> AdmissionStep:
        return cls(key=step.key, title=step.title, state=step.state, at=step.at)


@strawberry.type(description="The supplier's admission to Xinrongbao and where it stands.")
class Admission(ResolvedByKeys, relay.Node):
    admission_id: relay.NodeID[str]
    row: strawberry.Private[AdmissionRow]
    status: AdmissionStatus = strawberry.field(description="Where admission stands (准入状态).")
    entry_point: EntryPoint = strawberry.field(description="The entry point the supplier came through.")
    agreed_at: datetime = strawberry.field(
        description="When the supplier agreed to the authorization (同意协议)."
    )
    opened_at: datetime | None = strawberry.field(description="When the supplier pressed 【开通】, if so.")
    rejection_reason: str | None = strawberry.field(
        description="WeBank's reason after a rejection (拒绝原因)."
    )
    reapply_after: dt.date | None = strawberry.field(
        description="After a rejection: the first day on which the supplier may apply again."
    )

    @classmethod
    def from_record(cls, row: AdmissionRow) -> Admission:
        return cls(
            admission_id=str(row.id),
            row=row,
            status=row.status,
            entry_point=row.entry_point,
            agreed_at=row.agreed_at,
            opened_at=row.opened_at,
            rejection_reason=row.rejection_reason,
            reapply_after=row.reapply_after,
        )

    @classmethod
    async def load_nodes(cls, info: Info, keys: list[str]) -> list[Admission | None]:
        context = context_of(info)
        ids = [numeric_key(key) for key in keys]
        rows = await asyncio.gather(*(load_admission(context, admission_id) for admission_id in ids))
        return [None if row is None else cls.from_record(row) for row in rows]

    @strawberry.field(description="The handler (经办人) submitted, once the form is in.")
    def handler(self) -> Handler | None:
        row = self.row
        if not (row.handler_name and row.handler_phone and row.handler_email):
            return None
        return Handler(name=row.handler_name, phone=row.handler_phone, email=row.handler_email)

    @strawberry.field(
        description="The status as a person reads it, in the manual's Chinese (注册认证中, 审核通过 …)."
    )
    def status_label(self) -> str:
        return admission_status_label(self.status)

    @strawberry.field(
        description="WeBank's page to continue registration on, while that part is in progress."
    )
    def continue_url(self) -> str | None:
        return continue_url(self.row)

    @strawberry.field(
        description="Progress steps, in order. A step whose push to WeBank failed for good (see "
        "`pushError`) is FAILED; so is DECISION after a rejection."
    )
    async def steps(self) -> list[AdmissionStep]:
        row = self.row
        failed = await admission_failed_push(row.id)
        return [
            AdmissionStep.from_record(step)
            for step in admission_steps(
                row.status,
                agreed_at=row.agreed_at,
                opened_at=row.opened_at,
                verified_at=row.verified_at,
                decided_at=row.decided_at,
                failed_step=None if failed is None else STEP_OF_PUSH.get(failed.kind),
            )
        ]

    @strawberry.field(
        description="True while a push to WeBank waits for the bank; it is retried automatically."
    )
    async def push_pending(self) -> bool:
        return await admission_push_pending(self.row.id)

    @strawberry.field(
        description="Why the latest push to WeBank (开通 or the handler form) failed for good; null unless "
        "the bank refused it or retries gave up. The status does not advance past a failed push; "
        "`openFinancing` or `submitHandler` again queues it again and clears this."
    )
    async def push_error(self) -> PushError | None:
        failed = await admission_failed_push(self.row.id)
        return None if failed is None else PushError.from_record(error_of(failed))

    @strawberry.field(description="The approved credit limit (授信额度); null until APPROVED.")
    async def credit_limit(self, info: Info) -> CreditLimit | None:
        limit = await admission_limit(context_of(info), self.row)
        return None if limit is None else CreditLimit.from_record(limit)

    @strawberry.field(
        description="Every consent (授权记录) the admission's supplier gave, newest first: agreement "
        "version, time, IP and browser. Platform operators only (null with FORBIDDEN for suppliers); "
        "every read is audited."
    )
    async def consents(self, info: Info) -> list[Consent] | None:
        rows = await supplier_consents(context_of(info), self.row)
        return [Consent.from_record(row) for row in rows]
