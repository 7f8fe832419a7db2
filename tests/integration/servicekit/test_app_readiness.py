"""/readyz against the real stack: the kit's probes really talk to the database, Kafka and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from vaxflow_servicekit.app import LifespanHook, create_app
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.readiness import kafka_metadata, mongo_ping, readiness_of, redis_ping
from vaxflow_servicekit.settings import KafkaSettings, RedisSettings, ServiceSettings

pytestmark = pytest.mark.stack

UNREACHABLE_REDIS = RedisSettings(url="redis://127.0.0.1:1/0", socket_timeout_s=0.5)
# Readiness does not depend on compression; "none" keeps this test free of codec packages.
PLAIN_KAFKA = KafkaSettings(compression="none")


def resources(settings: ServiceSettings) -> LifespanHook:
    """What a service's lifespan hook does: open the clients, register their probes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo = create_mongo_client(settings.mongo)
        redis = Redis.from_url(settings.redis.url, socket_timeout=settings.redis.socket_timeout_s)
        producer = create_producer(settings.kafka)
        await producer.start()
        readiness_of(app).add("mongo", mongo_ping(mongo))
        readiness_of(app).add("kafka", kafka_metadata(producer.client))
        readiness_of(app).add("redis", redis_ping(redis))
        try:
            yield
        finally:
            await producer.stop()
            await redis.aclose()
            await mongo.close()

    return lifespan


async def readyz(settings: ServiceSettings) -> httpx.Response:
    app = create_app(settings, title="Kit test", version="0.0.1", lifespan=[resources(settings)])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
            return await client.get("/readyz")


async def test_ready_when_database_kafka_and_redis_answer() -> None:
    settings = ServiceSettings(service_name="kit-it", environment="test", kafka=PLAIN_KAFKA)

    response = await readyz(settings)

    assert response.status_code == 200
    statuses = {name: check["status"] for name, check in response.json()["checks"].items()}
    assert statuses == {"mongo": "ok", "kafka": "ok", "redis": "ok"}


async def test_not_ready_names_the_part_that_does_not_answer() -> None:
    settings = ServiceSettings(
        service_name="kit-it", environment="test", kafka=PLAIN_KAFKA, redis=UNREACHABLE_REDIS
    )

    response = await readyz(settings)

    assert response.status_code == 503
    problem = response.json()
    assert problem["failing"] == ["redis"]
    assert problem["checks"]["mongo"]["status"] == "ok"
    assert problem["checks"]["kafka"]["status"] == "ok"
