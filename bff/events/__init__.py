"""Change events for live subscriptions: in-process by default, Redis pub/sub across `bff serve` processes.

The topic names the supplier and an event only says *what* changed (`{"kind": "admission"}`,
`{"kind": "loan", "loanNo": …}`, `{"kind": "application", "applicationId": …}`), told through one function,
`tell`; subscribers reload the current state with fresh loaders. So a lost or duplicated event never shows
stale data, and every subscription starts with the current state before any change (Redis drops messages
while a subscriber is disconnected).
"""

from bff.events.broker import (
    RESYNC,
    Broker,
    InProcessBroker,
    RedisBroker,
    admission_topic,
    application_topic,
    loan_topic,
    notice_topic,
)
from bff.events.changes import Change, ChangeKind, tell
from bff.events.shared import Told, shared

__all__ = [
    "RESYNC",
    "Broker",
    "Change",
    "ChangeKind",
    "InProcessBroker",
    "RedisBroker",
    "Told",
    "admission_topic",
    "application_topic",
    "loan_topic",
    "notice_topic",
    "shared",
    "tell",
]
