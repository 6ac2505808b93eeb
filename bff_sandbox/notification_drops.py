"""The sandbox bank's "lost notifications" switch: while it is on, the bank acts but the BFF hears nothing.

A real bank's notification can be lost for good (retries given up, a misrouted webhook); the platform's
reconciliation exists for exactly that. With the switch on, `Notifier.send` records each notification as
DROPPED and never delivers it — nor does a later notification of the same loan wait for it. Kept apart from
`SandboxState` (already long); the state inherits it, and `SandboxState.reset()` turns it off.
"""

from __future__ import annotations

import threading


class NotificationDrops:
    def __init__(self) -> None:
        self._drops_lock = threading.Lock()
        self._dropping = False

    @property
    def dropping_notifications(self) -> bool:
        with self._drops_lock:
            return self._dropping

    def drop_notifications(self, drop: bool = True) -> None:
        """Drop every notification sent from now on (True) or deliver them again (False)."""
        with self._drops_lock:
            self._dropping = drop
