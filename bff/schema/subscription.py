"""Live updates over graphql-transport-ws.

A subscription listens before it reads, then reloads what changed with fresh loaders on every event: a
websocket's context lives as long as the socket, and events only say *what* changed. The subscribers of
this process told of one event share those loaders, and the loan object they build from what they read
(`bff.events.shared`): a thousand subscribers cost one read per event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from bff.domain.statuses import LIVE_LOAN_STATUSES
from bff.errors import InvalidInputError
from bff.events import RESYNC, admission_topic, application_topic, loan_topic, shared
from bff.resolvers.admission import current_admission
from bff.resolvers.financing import load_application
from bff.resolvers.loans import list_loans, load_loan
from bff.schema.admission import Admission
from bff.schema.context import Info, context_of, supplier_context
from bff.schema.financing import FinancingApplication
from bff.schema.loans import Loan
from bff.schema.node import key_of, numeric_key
from bff.schema.notices import NoticeSubscriptions


def _key(global_id: strawberry.ID, type_name: str) -> str:
    return key_of(str(global_id), type_name, f"That is not the id of a {type_name}.")


@strawberry.type(description="Live updates over the websocket (graphql-transport-ws) at /graphql.")
class Subscription(NoticeSubscriptions):
    @strawberry.subscription(
        description="The viewer's current admission now, then again whenever it changes (e.g. a bank decision)."
    )
    async def admission_changed(self, info: Info) -> AsyncGenerator[Admission | None, None]:
        context = supplier_context(info)
        code = context.viewer.supplier_code
        async with context.services.broker.subscribe(admission_topic(code)) as events:
            yield await _admission(info, code)
            async for event in events:
                yield await _admission(info, code, event)

    @strawberry.subscription(
        description="The viewer's loans that can still change (processing, disbursed, overdue; newest first, "
        "at most 20) now, then every change of its loans (status, repayment, overdue, settlement); with "
        "`loanId`, that loan only, starting with its current state."
    )
    async def loan_status_changed(
        self,
        info: Info,
        loan_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this loan; all the viewer's if omitted."),
        ] = None,
    ) -> AsyncGenerator[Loan, None]:
        context = supplier_context(info)
        code = context.viewer.supplier_code
        only = None if loan_id is None else _key(loan_id, "Loan")
        async with context.services.broker.subscribe(loan_topic(code)) as events:
            # The current state first, as every subscription: a client (re)subscribing after a lost
            # connection learns what changed meanwhile without a query of its own.
            current_loans = await _current_loans(info, code, only)
            if only is not None and not current_loans:
                raise InvalidInputError("No such loan.")
            for current in current_loans:
                yield current
            async for event in events:
                if event == RESYNC:  # changes may have been missed: the current state again
                    for current in await _current_loans(info, code, only, event):
                        yield current
                    continue
                loan_no = event.get("loanNo")
                if not isinstance(loan_no, str) or (only is not None and loan_no != only):
                    continue
                changed = await _loan(info, loan_no, event)
                if changed is not None:
                    yield changed

    @strawberry.subscription(
        description="An order-financing application now, then whenever it changes (e.g. WeBank's link arrives)."
    )
    async def financing_application_changed(
        self,
        info: Info,
        application_id: Annotated[
            strawberry.ID, strawberry.argument(description="The FinancingApplication to follow.")
        ],
    ) -> AsyncGenerator[FinancingApplication, None]:
        context = supplier_context(info)
        application = numeric_key(_key(application_id, "FinancingApplication"))
        async with context.services.broker.subscribe(
            application_topic(context.viewer.supplier_code)
        ) as events:
            current = await _application(info, application)
            if current is None:
                raise InvalidInputError("No such financing application.")
            yield current
            async for event in events:
                changed = await _application(info, application, event)
                if changed is not None:
                    yield changed


async def _admission(info: Info, code: str, event: object = None) -> Admission | None:
    context = context_of(info)
    context.refresh_loaders(event)
    row = await current_admission(context, code)
    return None if row is None else Admission.from_record(row)


async def _loan(info: Info, loan_no: str, event: object = None) -> Loan | None:
    context = context_of(info)
    context.refresh_loaders(event)
    row = await load_loan(context, loan_no)  # the viewer's, checked for each subscriber
    # one object for every subscriber told of the event (their loaders read one row)
    return None if row is None else shared(event, ("Loan", loan_no), lambda: Loan.from_record(row))


async def _current_loans(info: Info, code: str, only: str | None, event: object = None) -> list[Loan]:
    """The one loan asked for, or else the viewer's loans that can still change (newest first, one page)."""
    if only is not None:
        loan = await _loan(info, only, event)
        return [] if loan is None else [loan]
    context = context_of(info)
    context.refresh_loaders(event)
    page = await list_loans(
        context,
        code,
        statuses=LIVE_LOAN_STATUSES,
        kinds=None,
        applied_from=None,
        applied_to=None,
        first=None,
        after=None,
    )
    return [Loan.from_record(edge.loan) for edge in page.edges]


async def _application(info: Info, application_id: int, event: object = None) -> FinancingApplication | None:
    context = context_of(info)
    context.refresh_loaders(event)
    row = await load_application(context, application_id)
    return None if row is None else FinancingApplication.from_record(row)
