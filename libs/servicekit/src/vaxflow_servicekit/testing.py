"""Test helpers: each test gets its own database and topics on the running stack.

Load as a pytest plugin (`pytest_plugins = ["vaxflow_servicekit.testing"]`). Nothing here
fakes the stack: the fixtures talk to the real Kafka, database and Redis that `make test`
started, and clean up what they created.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from vaxflow_events import REGISTRY, Envelope
from vaxflow_servicekit.kafka import ensure_topics
from vaxflow_servicekit.mongo import Document, create_mongo_client
from vaxflow_servicekit.settings import KafkaSettings, MongoSettings, RedisSettings

T = TypeVar("T")


def unique_name(prefix: str) -> str:
    """A name no other test uses: prefix plus a short random suffix."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def poll_until(
    probe: Callable[[], Awaitable[T]],
    *,
    accept: Callable[[T], bool] = bool,
    timeout_s: float = 30.0,
    interval_s: float = 0.05,
    what: str = "condition",
) -> T:
    """Call `probe` until `accept` holds for its result; fail with the last value on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await probe()
        if accept(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout_s}s; last: {_brief(value)}")
        await asyncio.sleep(interval_s)


async def read_topic(
    kafka: KafkaSettings, topic: str, count: int, *, timeout_s: float = 60.0
) -> list[Envelope[Any]]:
    """The first `count` messages of a topic, parsed (waits for them, or fails)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    received: list[Envelope[Any]] = []
    try:

        async def more() -> int:
            batch = await consumer.getmany(timeout_ms=200)
            received.extend(REGISTRY.parse(m.value or b"") for msgs in batch.values() for m in msgs)
            return len(received)

        await poll_until(
            more, accept=lambda n: n >= count, timeout_s=timeout_s, what=f"{count} messages"
        )
    finally:
        await consumer.stop()
    return received


def _brief(value: object) -> str:
    """A short description of a probe's value for a failure message."""
    text = repr(value)
    size = f"{len(value)} items: " if isinstance(value, list | tuple | set | dict) else ""
    return size + (text if len(text) <= 300 else text[:300] + "...")


class TopicFactory:
    """Creates uniquely named topics for one test and deletes them afterwards."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._settings = settings
        self.created: list[str] = []

    async def __call__(self, stream: str, *, partitions: int = 1) -> str:
        name = f"test.{uuid.uuid4().hex[:10]}.{stream}.v1"
        await ensure_topics(self._settings, [name], partitions=partitions)
        self.created.append(name)
        return name

    def track(self, name: str) -> None:
        """Delete this topic too at the end (e.g. a consumer group's dead-letter topic)."""
        self.created.append(name)

    async def delete_all(self) -> None:
        """Delete every topic the test made."""
        names = self.created
        if not names:
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self._settings.bootstrap)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            doomed = [n for n in names if n in existing]
            if doomed:
                await admin.delete_topics(doomed)
        finally:
            await admin.close()


@pytest.fixture(scope="session")
def kafka_settings() -> KafkaSettings:
    """Kafka settings of the running stack (from the environment, or the defaults)."""
    return KafkaSettings()


@pytest.fixture(scope="session")
def mongo_settings() -> MongoSettings:
    """Database settings of the running stack."""
    return MongoSettings()


@pytest.fixture(scope="session")
def redis_settings() -> RedisSettings:
    """Redis settings of the running stack."""
    return RedisSettings()


@pytest_asyncio.fixture
async def mongo_client(mongo_settings: MongoSettings) -> AsyncIterator[AsyncMongoClient[Document]]:
    """A client to the real database, closed after the test."""
    client = create_mongo_client(mongo_settings)
    yield client
    await client.close()


@pytest_asyncio.fixture
async def mongo_db(
    mongo_client: AsyncMongoClient[Document],
) -> AsyncIterator[AsyncDatabase[Document]]:
    """A database of the test's own, dropped afterwards."""
    name = unique_name("test")
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest_asyncio.fixture
async def topic_factory(kafka_settings: KafkaSettings) -> AsyncIterator[TopicFactory]:
    """Makes topics of the test's own; they and the groups' dead-letter topics go afterwards."""
    factory = TopicFactory(kafka_settings)
    yield factory
    await factory.delete_all()


@pytest_asyncio.fixture
async def redis_client(redis_settings: RedisSettings) -> AsyncIterator[Redis]:
    """A client to the real Redis; keys the test makes should start with `test:`."""
    client = Redis.from_url(redis_settings.url)
    yield client
    await client.aclose()
