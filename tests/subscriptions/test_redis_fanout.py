"""With `BFF_REDIS_URL`, a change seen by one BFF instance reaches subscribers connected to another."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
import redis.asyncio as redis
from app_fixtures import JWT_SECRET, serve, settings_for
from test_admission_changed import AGREE, SUBSCRIPTION
from ws_support import next_payload

from bff.app import create_app
from bff.auth import mint_token
from bff.events import RESYNC, RedisBroker, admission_topic
from bff_sandbox import RunningSandbox

pytestmark = pytest.mark.redis


async def test_redis_broker_delivers_between_two_brokers(redis_url: str, redis_channel_prefix: str) -> None:
    publisher = RedisBroker(redis_url, redis_channel_prefix)
    subscriber = RedisBroker(redis_url, redis_channel_prefix)
    try:
        async with subscriber.subscribe(admission_topic("X1")) as events:
            await publisher.publish(admission_topic("X2"), {"kind": "other"})
            await publisher.publish(admission_topic("X1"), {"kind": "admission", "n": 1})
            assert await anext(aiter(events)) == {"kind": "admission", "n": 1}
    finally:
        await publisher.close()
        await subscriber.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # several processes share one PostgreSQL
async def test_a_subscriber_on_one_instance_sees_a_mutation_made_on_another(
    db: str, sandbox: RunningSandbox, redis_url: str, redis_channel_prefix: str
) -> None:
    # given: two BFF instances on one database and one Redis
    sandbox.state.reset()
    settings = settings_for(sandbox, db, redis_url=redis_url, redis_channel_prefix=redis_channel_prefix)
    first_server, first_task, first_url = await serve(create_app(settings, manage_database=False))
    second_server, second_task, second_url = await serve(create_app(settings, manage_database=False))
    token = mint_token(JWT_SECRET, "GD-BOTH")
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(f"{first_url}/graphql", protocols=["graphql-transport-ws"])
            await ws.send_str(
                json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            )
            assert json.loads((await ws.receive(timeout=5)).data) == {"type": "connection_ack"}
            await ws.send_str(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
            )
            assert await next_payload(ws) == {"data": {"admissionChanged": None}}
            # when: the supplier agrees through the *other* instance
            async with http.post(
                f"{second_url}/graphql", json={"query": AGREE}, headers={"Authorization": f"Bearer {token}"}
            ) as response:
                assert (await response.json())["data"]["agreeToAuthorization"]["userErrors"] == []
            # then
            assert await next_payload(ws) == {
                "data": {"admissionChanged": {"status": "AGREED", "creditLimit": None}}
            }
            await ws.close()
    finally:
        for server in (first_server, second_server):
            server.should_exit = True
        await first_task
        await second_task


async def test_after_the_listener_reconnects_every_subscriber_is_told_to_resync(
    redis_url: str, redis_channel_prefix: str
) -> None:
    # given: a subscriber, and the broker's Redis connection cut (as a Redis restart or failover cuts it)
    broker = RedisBroker(redis_url, redis_channel_prefix)
    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        async with broker.subscribe(admission_topic("X1")) as events:
            name = "bff-events-" + redis_channel_prefix
            ours = [c["id"] for c in await admin.client_list() if c.get("name") == name]
            assert ours, "the broker's connections carry its name"
            for client_id in ours:
                await admin.client_kill_filter(_id=client_id)
            # then: once it is back, the subscriber hears that it may have missed changes
            async with asyncio.timeout(15):
                assert await anext(aiter(events)) == RESYNC
    finally:
        await admin.aclose()
        await broker.close()
