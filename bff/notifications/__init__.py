"""WeBank notifications: reading them (`events`), storing them once and processing them (`inbox`)."""

from bff.notifications.events import EventType, InvalidEventError, Notification, parse_notification
from bff.notifications.inbox import process, retry_unprocessed, store

__all__ = [
    "EventType",
    "InvalidEventError",
    "Notification",
    "parse_notification",
    "process",
    "retry_unprocessed",
    "store",
]
