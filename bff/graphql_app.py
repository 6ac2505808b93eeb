"""The strawberry ASGI app: builds each request's context and authenticates websockets at `connection_init`.

Every refusal strawberry answers itself (a body that is not JSON, a GET without a query, GraphiQL turned
off) leaves as JSON in the GraphQL error shape (`bff.request_guard.error_response`) instead of strawberry's
plain text; bodies are decoded and checked in `decode_json`/`parse_json`/`parse_http_body` below, the only
place the view reads them.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from bff import graphiql, idempotency
from bff.auth import Viewer, viewer_from_authorization
from bff.context import Context, Services
from bff.errors import AuthenticationError
from bff.graphql_ws import ExpiringTransportWSHandler
from bff.operations import load_operations
from bff.persisted_queries import PersistedQueries, PersistedQueryError, refuse_subscription_over_http
from bff.request_guard import BadRequestBody, checked_request_json, decode_json_text, error_response
from bff.schema import schema
from bff.schema.document_cache import DEFAULT_MAX_QUERY_TOKENS


class BffGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = ExpiringTransportWSHandler

    def __init__(
        self,
        *,
        graphiql: bool = True,
        persisted_queries: PersistedQueries | None = None,
        max_query_tokens: int = DEFAULT_MAX_QUERY_TOKENS,
        demo_token: str | None = None,
    ) -> None:
        self.demo_token = demo_token
        self.persisted_queries = persisted_queries or PersistedQueries((), persisted_only=False)
        self.max_query_tokens = max_query_tokens
        # Only graphql-transport-ws: the legacy graphql-ws protocol had an auth bypass (PITFALLS).
        super().__init__(
            schema,
            # Without an IDE, strawberry answers a GET for a page with 404.
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=15,
            max_subscriptions_per_connection=20,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self._answer(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason)
        except PersistedQueryError as exc:
            response = JSONResponse({"errors": [exc.error]}, status_code=exc.status)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        """`run`, once per `Idempotency-Key` for mutations (`bff.idempotency`)."""
        try:
            key = idempotency.checked_key(request)
        except idempotency.InvalidKey as exc:
            raise HTTPException(400, str(exc)) from None
        if key is None or request.method != "POST":
            return await self.run(request)
        services: Services = request.app.state.services
        viewer = self._viewer(services, request.headers.get("authorization"))
        # Read here as strawberry would (starlette keeps the bytes for it); BodyLimit still applies.
        fingerprint = idempotency.mutation_fingerprint(await request.body())
        if not isinstance(viewer, Viewer) or fingerprint is None:
            return await self.run(request)  # not an authenticated mutation: the header changes nothing
        broker = idempotency.AfterCommitBroker(services.broker)
        request.state.idempotent_broker = broker
        return await idempotency.run_once(
            viewer.supplier_code, key, fingerprint, lambda: self.run(request), broker
        )

    def decode_json(self, data: str | bytes) -> object:
        # Also decodes websocket messages: a failure must stay a JSONDecodeError there (strawberry then
        # closes the socket with 4400), and becomes a 400 for HTTP bodies.
        return decode_json_text(data)

    def parse_json(self, data: str | bytes) -> Any:
        """An HTTP body, or a GET's `variables`/`extensions`: a JSON object of storable strings."""
        try:
            return checked_request_json(super().parse_json(data))
        except BadRequestBody as exc:
            raise HTTPException(400, str(exc)) from None

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null.")
            # Apollo's persisted queries: the document for a hash, registered or from operations/.
            item.query = self.persisted_queries.resolve(item.query, item.extensions)
            refuse_subscription_over_http(item.query, item.operation_name, self.max_query_tokens)
        return data

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)

    @functools.cached_property
    def _graphiql_html(self) -> str:
        return graphiql.page(load_operations(), self.demo_token)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services: Services = request.app.state.services
        broker = getattr(request.state, "idempotent_broker", None)
        if broker is not None:
            # An idempotent mutation's events wait for its transaction to commit.
            services = dataclasses.replace(services, broker=broker)
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
