"""The strawberry ASGI app: builds each request's context and authenticates websockets at `connection_init`."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from bff.auth import Viewer, viewer_from_authorization
from bff.context import Context, Services
from bff.errors import AuthenticationError
from bff.graphiql import localize
from bff.schema import schema


class BffGraphQL(GraphQL[Context, None]):
    def __init__(self) -> None:
        # Only graphql-transport-ws: the legacy graphql-ws protocol had an auth bypass (PITFALLS).
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=15,
            max_subscriptions_per_connection=20,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)

    @functools.cached_property
    def _graphiql_html(self) -> str:
        return localize(self.graphql_ide_html)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services: Services = request.app.state.services
        header = request.headers.get("authorization")
        return Context.build(
            services,
            self._viewer(services, header),
            client_ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params: dict[str, Any] = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if isinstance(header, str):
            context.viewer_or_error = self._viewer(context.services, header)
        if isinstance(context.viewer_or_error, AuthenticationError):
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": context.viewer_or_error.message}
            )
        return await super().on_ws_connect(context)

    @staticmethod
    def _viewer(services: Services, header: str | None) -> Viewer | AuthenticationError:
        settings = services.settings
        try:
            return viewer_from_authorization(header, settings.jwt_secret, audience=settings.jwt_audience)
        except AuthenticationError as exc:
            return exc
