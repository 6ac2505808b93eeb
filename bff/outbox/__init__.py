"""The transactional outbox: pushes to WeBank are written with the state change, then delivered.

    async with in_transaction(db.CONNECTION) as connection:
        admission = ...  # the state change
        message = await delivery.enqueue_claimed(HandlerPush(...), aggregate_type="admission",
                                                 aggregate_id=str(admission.id), connection=connection)
    await delivery.deliver_claimed(message.id)  # try now; `OutboxDelivery.run` retries what is left

The message is written claimed for that first attempt, so a background pass does not take it from under
the mutation (which would then answer "pending" while the bank was there).

A message stores the typed push (`bff.domain.bank_pushes`); `WebankClient.push` alone turns it
into a request and the answer into a typed result, and `results.apply_result` applies that result;
`results.apply_failure` applies a push's final failure (refused by the bank, or retried until
`BFF_PUSH_GIVE_UP_HOURS` passed).

`bff serve` delivers what is left in the background (`bff.workers.run_outbox`).
"""

from bff.outbox.delivery import DeliveryOutcome, FailureHandler, OutboxDelivery, ResultHandler
from bff.outbox.messages import enqueue
from bff.outbox.policy import OutboxPolicy, utcnow
from bff.outbox.results import apply_failure, apply_result

__all__ = [
    "DeliveryOutcome",
    "FailureHandler",
    "OutboxDelivery",
    "OutboxPolicy",
    "ResultHandler",
    "apply_failure",
    "apply_result",
    "enqueue",
    "utcnow",
]
