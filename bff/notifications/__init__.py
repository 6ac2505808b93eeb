"""WeBank notifications: reading them (`events`), storing them once and processing them (`inbox`), and
keeping those that cannot be understood (`quarantine`)."""

from bff.notifications.changes import changes_of, changes_of_event
from bff.notifications.events import EventType, InvalidEventError, Notification, parse_notification
from bff.notifications.inbox import process, receive, retry_unprocessed, store, sweep
from bff.notifications.quarantine import quarantine_body

__all__ = [
    "EventType",
    "InvalidEventError",
    "Notification",
    "changes_of",
    "changes_of_event",
    "parse_notification",
    "process",
    "quarantine_body",
    "receive",
    "retry_unprocessed",
    "store",
    "sweep",
]
