"""graphql-transport-ws as strawberry speaks it, plus: a socket lives no longer than the token that opened it.

A token is checked once, at `connection_init` (or from the upgrade request's header); without this, a
socket opened with a five-second token kept receiving the supplier's updates for as long as it stayed open.
The close is scheduled for the token's `exp` and uses 4401, the protocol's "Unauthorized" code, so that a
client knows to sign in again and reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)

from bff.auth import Viewer
from bff.context import Context
from bff.persisted_queries import PersistedQueries, PersistedQueryError

logger = logging.getLogger("bff.graphql")

TOKEN_EXPIRED_CODE = 4401
TOKEN_EXPIRED_REASON = "Token expired"


class ExpiringTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    _expiry: asyncio.Task[None] | None = None

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Apollo's persisted queries over the socket too: the payload's `extensions.persistedQuery`."""
        payload = message["payload"]
        persisted: PersistedQueries | None = getattr(self.view, "persisted_queries", None)
        if persisted is not None and self.connection_acknowledged:
            try:
                query = persisted.resolve(payload.get("query"), payload.get("extensions"))
            except PersistedQueryError as exc:
                error = GraphQLError(exc.message, extensions={"code": exc.code})
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[error.formatted])
                )
                return
            if query is not None:
                payload["query"] = query
        await super().handle_subscribe(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        viewer = self.context.viewer_or_error
        acknowledged = self.connection_acknowledged and self._expiry is None
        if acknowledged and isinstance(viewer, Viewer) and viewer.expires_at is not None:
            self._expiry = asyncio.create_task(self._close_at(viewer.expires_at), name="bff-ws-expiry")

    async def _close_at(self, expires_at: datetime) -> None:
        await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()))
        logger.info("closing a websocket of %s: its token expired", self._supplier())
        # Closing ends the receive loop in `handle`, whose `shutdown` then cancels the subscriptions. A client
        # that left in the same instant makes the close fail; there is nothing left to close then.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.websocket.close(code=TOKEN_EXPIRED_CODE, reason=TOKEN_EXPIRED_REASON)

    def _supplier(self) -> str:
        viewer = self.context.viewer_or_error
        return viewer.supplier_code if isinstance(viewer, Viewer) else "?"

    async def shutdown(self) -> None:
        if self._expiry is not None and self._expiry is not asyncio.current_task():
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()
