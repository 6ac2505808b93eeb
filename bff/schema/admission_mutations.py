"""Mutations of the admission flow: agree → open (开通) → submit the handler form → WeBank registration."""

from __future__ import annotations

import strawberry

from bff.domain.statuses import EntryPoint
from bff.resolvers import admission_mutations as flow
from bff.schema.admission import Admission
from bff.schema.context import Info, supplier_context
from bff.schema.user_errors import UserError, user_errors


@strawberry.input
class AgreeToAuthorizationInput:
    agreement_version: str = strawberry.field(
        description="Version of the data-sharing agreement shown, e.g. 2026-01."
    )
    entry_point: EntryPoint = strawberry.field(description="Where the supplier came from, for analytics.")


@strawberry.type
class AgreeToAuthorizationPayload:
    admission: Admission | None
    user_errors: list[UserError]


@strawberry.type
class OpenFinancingPayload:
    admission: Admission | None
    push_pending: bool = strawberry.field(
        description="True while the push to WeBank waits for the bank to be reachable; it is retried automatically."
    )
    user_errors: list[UserError]


@strawberry.input
class SubmitHandlerInput:
    name: str
    phone: str = strawberry.field(description="Mainland mobile number, e.g. 13800138000.")
    email: str


@strawberry.type
class SubmitHandlerPayload:
    admission: Admission | None
    registration_url: str | None = strawberry.field(
        description="WeBank's registration page to redirect to; null while the hand-over is pending."
    )
    push_pending: bool
    user_errors: list[UserError]


def _admission(outcome: flow.AdmissionOutcome) -> Admission | None:
    return None if outcome.admission is None else Admission.from_record(outcome.admission)


async def _pending(outcome: flow.AdmissionOutcome) -> bool:
    return outcome.admission is not None and await flow.push_pending(outcome.admission.id)


@strawberry.type
class AdmissionMutations:
    @strawberry.mutation(description="Agree to share data with WeBank (records version, time, user, IP).")
    async def agree_to_authorization(
        self, info: Info, input: AgreeToAuthorizationInput
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
    async def submit_handler(self, info: Info, input: SubmitHandlerInput) -> SubmitHandlerPayload:
        outcome = await flow.submit_handler(supplier_context(info), input.name, input.phone, input.email)
        return SubmitHandlerPayload(
            admission=_admission(outcome),
            registration_url=outcome.registration_url,
            push_pending=await _pending(outcome),
            user_errors=user_errors(outcome.refusals),
        )
