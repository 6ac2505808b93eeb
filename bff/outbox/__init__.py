"""The transactional outbox: pushes to WeBank are written with the state change, then delivered.

    async with in_transaction(db.CONNECTION) as connection:
        admission = ...  # the state change
        message = await enqueue(kind="supplier_push", path="/v1/suppliers/push", body=...,
                                aggregate_type="admission", aggregate_id=str(admission.id),
                                connection=connection)
    await delivery.deliver(message.id)  # try now; `OutboxDelivery.run` retries what is left

`python -m bff.outbox` runs a worker on its own (see `bff/outbox/__main__.py`).
"""

from bff.outbox.delivery import DeliveryOutcome, OutboxDelivery, ResultHandler
from bff.outbox.messages import enqueue
from bff.outbox.policy import OutboxPolicy, utcnow

__all__ = ["DeliveryOutcome", "OutboxDelivery", "OutboxPolicy", "ResultHandler", "enqueue", "utcnow"]
