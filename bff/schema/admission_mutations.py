"""Mutations of the admission flow: agree → open (开通) → submit the handler form → WeBank registration."""

from __future__ import annotations

from typing import Annotated

import strawberry

from bff.domain.statuses import EntryPoint
from bff.resolvers import admission_mutations as flow
from bff.schema.admission import Admission
from bff.schema.context import Info, supplier_context
from bff.schema.user_errors import UserError, user_errors


@strawberry.input(description="Consent to the user agreement and data authorization (同意协议并授权).")
class AgreeToAuthorizationInput:
    agreement_version: str = strawberry.field(
        description="Version of the data-sharing agreement shown, e.g. 2026-01."
    )
    entry_point: EntryPoint = strawberry.field(description="Where the supplier came from, for analytics.")


@strawberry.type(description="The result of agreeToAuthorization.")
class AgreeToAuthorizationPayload:
    admission: Admission | None = strawberry.field(description="The admission as it is now; null if refused.")
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.type(description="The result of openFinancing (开通).")
class OpenFinancingPayload:
    admission: Admission | None = strawberry.field(description="The admission as it is now; null if refused.")
    push_pending: bool = strawberry.field(
        description="True while the push to WeBank waits for the bank to be reachable; it is retried automatically."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


@strawberry.input(description="The handler form (经办人信息).")
class SubmitHandlerInput:
    name: str = strawberry.field(description="Handler's name (经办人姓名).")
    phone: str = strawberry.field(description="Mainland mobile number, e.g. 13800138000.")
    email: str = strawberry.field(description="Handler's e-mail (邮箱).")


@strawberry.type(description="The result of submitHandler.")
class SubmitHandlerPayload:
    admission: Admission | None = strawberry.field(description="The admission as it is now; null if refused.")
    registration_url: str | None = strawberry.field(
        description="WeBank's registration page to redirect to; null while the hand-over is pending."
    )
    push_pending: bool = strawberry.field(
        description="True while the push to WeBank waits for the bank; it is retried automatically."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Business refusals (业务拒绝) with a stable code; empty when it succeeded."
    )


def _admission(outcome: flow.AdmissionOutcome) -> Admission | None:
    return None if outcome.admission is None else Admission.from_record(outcome.admission)


async def _pending(outcome: flow.AdmissionOutcome) -> bool:
    return outcome.admission is not None and await flow.push_pending(outcome.admission.id)


@strawberry.type
class AdmissionMutations:
    @strawberry.mutation(description="Agree to share data with WeBank (records version, time, user, IP).")
    async def agree_to_authorization(
        self,
        info: Info,
        input: Annotated[AgreeToAuthorizationInput, strawberry.argument(description="The consent.")],
    ) -> AgreeToAuthorizationPayload:
        outcome = await flow.agree_to_authorization(
            supplier_context(info), input.agreement_version, input.entry_point
        )
        return AgreeToAuthorizationPayload(
            admission=_admission(outcome), user_errors=user_errors(outcome.refusals)
        )

    @strawberry.mutation(description="开通: push the supplier's profile and 24-month statistics to WeBank.")
    async def open_financing(self, info: Info) -> OpenFinancingPayload:
        outcome = await flow.open_financing(supplier_context(info))
        return OpenFinancingPayload(
            admission=_admission(outcome),
            push_pending=await _pending(outcome),
            user_errors=user_errors(outcome.refusals),
        )

    @strawberry.mutation(description="Submit the 经办人 form; returns WeBank's registration URL.")
    async def submit_handler(
        self,
        info: Info,
        input: Annotated[SubmitHandlerInput, strawberry.argument(description="The handler form.")],
    ) -> SubmitHandlerPayload:
        outcome = await flow.submit_handler(supplier_context(info), input.name, input.phone, input.email)
        return SubmitHandlerPayload(
            admission=_admission(outcome),
            registration_url=outcome.registration_url,
            push_pending=await _pending(outcome),
            user_errors=user_errors(outcome.refusals),
        )
