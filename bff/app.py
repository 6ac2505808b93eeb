"""The Starlette application: `/graphql`, the webhook, health and readiness, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from bff import db
from bff.config import Settings
from bff.context import Services
from bff.downloads import download_document
from bff.events import Broker, InProcessBroker, RedisBroker
from bff.graphiql import ASSETS_DIR, ASSETS_PATH
from bff.graphql_app import BffGraphQL
from bff.health import healthz, metrics_endpoint, readyz
from bff.integrations.http import create_session
from bff.integrations.messaging import MessageSender
from bff.integrations.upstreams import Upstreams
from bff.messaging import MessageDelivery, MessagePolicy
from bff.operations import load_operations
from bff.outbox import OutboxPolicy
from bff.persisted_queries import PersistedQueries
from bff.portal import portal_routes
from bff.request_guard import BodyLimit
from bff.throttle import build_budget
from bff.webhooks import webank_webhook
from bff.workers import (
    ChangedAggregates,
    build_outbox,
    run_due_soon,
    run_messages,
    run_outbox,
    run_reconciler,
)

logger = logging.getLogger("bff.app")


def create_app(
    settings: Settings, *, manage_database: bool = True, reconcile_first_delay: float | None = None
) -> Starlette:
    """The ASGI app. With `manage_database`, the lifespan opens and closes the database connection;
    `reconcile_first_delay` runs the first reconciliation sooner than one interval after start (`bff demo`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.init_db(settings.database_url, time_limit=settings.database_timeout)
        session = create_session(
            connect=settings.upstream_connect_timeout,
            read=settings.upstream_read_timeout,
            total=settings.upstream_total_timeout,
        )
        upstreams = Upstreams.from_settings(session, settings)
        broker: Broker = (
            RedisBroker(settings.redis_url, settings.redis_channel_prefix)
            if settings.redis_url
            else InProcessBroker()
        )
        changed = ChangedAggregates()
        policy = OutboxPolicy(give_up_after=timedelta(hours=settings.push_give_up_hours))
        delivery = build_outbox(upstreams.webank, changed, policy)
        budget = build_budget(
            settings.redis_url,
            settings.redis_channel_prefix,
            settings.cost_budget,
            settings.cost_restore_per_second,
        )
        app.state.services = Services(
            settings=settings, upstreams=upstreams, broker=broker, outbox=delivery, budget=budget
        )
        stop = asyncio.Event()
        worker = asyncio.create_task(
            run_outbox(delivery, changed, broker, stop, settings.outbox_interval), name="bff-outbox"
        )
        reconciler = asyncio.create_task(
            run_reconciler(
                upstreams.webank, broker, stop, settings.reconcile_interval, first_delay=reconcile_first_delay
            ),
            name="bff-reconcile",
        )
        sender = MessageSender(
            session,
            sms_url=None if settings.sms_url is None else str(settings.sms_url),
            email_url=None if settings.email_url is None else str(settings.email_url),
        )
        messages = asyncio.create_task(
            run_messages(
                MessageDelivery(sender, MessagePolicy(rate_per_hour=settings.message_rate_per_hour)),
                stop,
                settings.outbox_interval,
            ),
            name="bff-messages",
        )
        due_soon = asyncio.create_task(
            run_due_soon(upstreams.webank, broker, stop, settings.due_soon_interval), name="bff-due-soon"
        )
        try:
            yield
        finally:
            stop.set()
            await worker
            await reconciler
            await due_soon
            await messages
            await broker.close()
            await budget.close()
            await session.close()
            if manage_database:
                await db.close_db()

    graphql = BffGraphQL(
        graphiql=settings.graphiql,
        persisted_queries=PersistedQueries(load_operations(), persisted_only=settings.persisted_only),
        max_query_tokens=settings.max_query_tokens,
        demo_token=settings.demo_token,
    )
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint(settings)),
        Route("/webhooks/webank", webank_webhook, methods=["POST"]),
        Route("/documents/{token}", download_document, methods=["GET"]),
    ]
    if settings.graphiql:
        routes.append(Mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="graphiql-assets"))
    if settings.portal:
        routes.extend(portal_routes(load_operations(), settings.demo_token))
    return Starlette(
        routes=routes,
        # Every body (GraphQL and webhook alike) is bounded before anything reads it.
        middleware=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes)],
        lifespan=lifespan,
    )
