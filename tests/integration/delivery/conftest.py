"""Fixtures for the delivery proofs: the sample aggregate wired to a real relay and consumer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from tests.integration.delivery.sample import REGISTRY, Tallies, TallyIncremented, TallyProjection
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy, dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, unique_name


@dataclass
class SampleSystem:
    """The sample aggregate, its topic, its consumer group and its projection."""

    db: AsyncDatabase[Document]
    topic: str
    group: str
    tallies: Tallies
    projection: TallyProjection

    async def pending_events(self) -> int:
        """Events still waiting in the aggregate's outbox."""
        docs = self.db[Tallies.collection].find({"outbox_pending": True}, {"outbox": 1})
        return sum([len(d.get("outbox", [])) async for d in docs])


@pytest_asyncio.fixture
async def sample(mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory) -> SampleSystem:
    """A fresh sample system on its own database and 3-partition topic."""
    topic = await topic_factory("tally", partitions=3)
    group = unique_name("delivery")
    topic_factory.track(dlq_topic(group))
    return SampleSystem(mongo_db, topic, group, Tallies(mongo_db, topic), TallyProjection(mongo_db))


@contextlib.asynccontextmanager
async def running(
    *tasks: Callable[[], object], stop: list[Callable[[], None]]
) -> AsyncIterator[None]:
    """Run background loops for the duration of a block, then stop them cleanly."""
    started = [asyncio.create_task(t()) for t in tasks]  # type: ignore[arg-type]
    try:
        yield
    finally:
        for s in stop:
            s()
        done, pending = await asyncio.wait(started, timeout=30)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()


@contextlib.asynccontextmanager
async def relay_running(
    system: SampleSystem, settings: KafkaSettings
) -> AsyncIterator[OutboxRelay]:
    """The outbox relay of the sample aggregate, publishing with the kit's producer."""
    producer = create_producer(settings)
    await producer.start()
    relay = OutboxRelay(system.db, Tallies.collection, producer, RelaySettings(lease_s=30))
    try:
        async with running(relay.run, stop=[relay.stop]):
            yield relay
    finally:
        await producer.stop()


def sample_consumer(system: SampleSystem, settings: KafkaSettings) -> ReliableConsumer:
    """The sample projection as an in-process reliable consumer."""
    return ReliableConsumer(
        settings=settings,
        group=system.group,
        topics=[system.topic],
        parser=REGISTRY,
        handlers={TallyIncremented.event_type: system.projection.on_incremented},
        retry=RetryPolicy(initial_s=0.1, max_s=1.0),
    )


@contextlib.asynccontextmanager
async def consumer_running(
    system: SampleSystem, settings: KafkaSettings
) -> AsyncIterator[ReliableConsumer]:
    """The sample consumer, running until the block ends."""
    consumer = sample_consumer(system, settings)
    async with running(consumer.run, stop=[consumer.stop]):
        yield consumer
