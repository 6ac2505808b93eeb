"""A switch that makes the simulated WeBank refuse a push with a 4xx, as the real bank does for a body it
will not take (e.g. 400 `INVALID_STATISTICS`), to test that such a refusal is no dead end for a supplier.

    refusals = refusals_of(sandbox.state)
    with refusals.refusing("push_supplier", 400, "INVALID_STATISTICS"):
        ...  # every new supplier push is refused

A refused request id keeps its refusal, like any answer below 500 (the API stores the first response per
request id): only a push under a new id can succeed once the switch is off. Kept apart from `state`, keyed
by it, so that `SandboxState` stays small; `SandboxState.reset` does not clear it, `refusing` does on exit.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from bff_sandbox.state import SandboxState
from bff_sandbox.webank_payloads import WebankError

# The endpoints that take pushes (`WebankApi` method names).
PUSH_ENDPOINTS = frozenset({"push_supplier", "submit_handler", "push_orders"})


class PushRefusals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refusing: dict[str, tuple[int, str]] = {}

    def refuse(self, endpoint: str, status_code: int, code: str) -> None:
        if endpoint not in PUSH_ENDPOINTS:
            raise ValueError(f"not a push endpoint: {endpoint!r}")
        if not 400 <= status_code < 500:
            raise ValueError("a refusal is a 4xx answer")
        with self._lock:
            self._refusing[endpoint] = (status_code, code)

    def accept(self, endpoint: str) -> None:
        with self._lock:
            self._refusing.pop(endpoint, None)

    @contextmanager
    def refusing(self, endpoint: str, status_code: int, code: str) -> Iterator[None]:
        self.refuse(endpoint, status_code, code)
        try:
            yield
        finally:
            self.accept(endpoint)

    def check(self, endpoint: str) -> None:
        """Raise the refusal set for `endpoint`, if any."""
        with self._lock:
            refusal = self._refusing.get(endpoint)
        if refusal is not None:
            status_code, code = refusal
            raise WebankError(status_code, code, "refused by the sandbox's refusal switch")


_BY_STATE: weakref.WeakKeyDictionary[SandboxState, PushRefusals] = weakref.WeakKeyDictionary()
_BY_STATE_LOCK = threading.Lock()


def refusals_of(state: SandboxState) -> PushRefusals:
    """The refusal switch of the sandbox bank serving `state`."""
    with _BY_STATE_LOCK:
        refusals = _BY_STATE.get(state)
        if refusals is None:
            refusals = _BY_STATE[state] = PushRefusals()
        return refusals
