"""The per-request context: who asks, fresh loaders, and the process-wide services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from bff.auth import Viewer
from bff.config import Settings
from bff.domain.calendar import today_in_shanghai
from bff.errors import AuthenticationError, ForbiddenError
from bff.events import Broker, shared
from bff.integrations.upstreams import Upstreams
from bff.loaders import Loaders
from bff.outbox import OutboxDelivery
from bff.throttle import CostBudget


@dataclass(frozen=True, slots=True)
class Services:
    """Built once per process in the app lifespan."""

    settings: Settings
    upstreams: Upstreams
    broker: Broker
    outbox: OutboxDelivery
    # Per-caller query cost budgets (in Redis when `BFF_REDIS_URL` is set, shared by instances).
    budget: CostBudget


@dataclass(slots=True)
class Context:
    services: Services
    loaders: Loaders
    viewer_or_error: Viewer | AuthenticationError
    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # graphql-transport-ws puts the `connection_init` payload here before `on_ws_connect` runs.
    connection_params: dict[str, object] | None = None

    @classmethod
    def build(
        cls,
        services: Services,
        viewer_or_error: Viewer | AuthenticationError,
        *,
        client_ip: str | None = None,
        user_agent: str | None = None,
    ) -> Context:
        return cls(
            services=services,
            loaders=Loaders.build(services.upstreams),
            viewer_or_error=viewer_or_error,
            client_ip=client_ip,
            user_agent=user_agent,
        )

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def viewer(self) -> Viewer:
        if isinstance(self.viewer_or_error, AuthenticationError):
            raise self.viewer_or_error
        return self.viewer_or_error

    def require_supplier(self) -> Viewer:
        """The viewer, refused when it is an operator: operators read, they never act as a supplier."""
        viewer = self.viewer
        if viewer.is_operator:
            raise ForbiddenError("Platform operators cannot act as a supplier.")
        return viewer

    def refresh_loaders(self, event: object = None) -> None:
        """New, empty loaders: a subscription's context lives as long as its socket, each event reloads.

        Given the told event, the loaders are those of every subscriber of this process told of it
        (`bff.events.shared`): one read per event, not one per subscriber. Loaders hold no viewer; what
        a viewer may read is checked by the resolvers.
        """
        upstreams = self.services.upstreams
        self.loaders = shared(event, Loaders, lambda: Loaders.build(upstreams))

    def today(self) -> date:
        return today_in_shanghai()
