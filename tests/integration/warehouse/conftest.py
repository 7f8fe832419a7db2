"""The warehouse sink against the real Kafka: topics, a group and a data directory of its own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import RowShaper
from vaxflow_warehouse.handlers.ingest import Ingest, shaping_pool
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.workers.sink import WarehouseSink

from tests.unit.warehouse.factory import KEY
from vaxflow_events import Envelope, Event
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, unique_name


@dataclass
class Streams:
    """Two topics of three partitions, a group, and a producer to send known events."""

    kafka: KafkaSettings
    topics: tuple[str, str]
    group: str
    producer: AIOKafkaProducer

    async def send(self, envelopes: Sequence[Envelope[Event]]) -> None:
        """Send envelopes alternately to the two topics, keyed like the real topics."""
        futures = [
            await self.producer.send(
                self.topics[i % 2], e.to_bytes(), key=e.key.encode(), headers=e.headers()
            )
            for i, e in enumerate(envelopes)
        ]
        await asyncio.gather(*futures)

    async def send_raw(self, value: bytes) -> None:
        """Send a message that is not an event."""
        await self.producer.send_and_wait(self.topics[0], value, key=b"garbage")


@pytest_asyncio.fixture
async def streams(
    topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[Streams]:
    topics = (
        await topic_factory("dose", partitions=3),
        await topic_factory("citizen", partitions=3),
    )
    group = unique_name("test.warehouse").replace("_", "-")
    topic_factory.track(dlq_topic(group))
    producer = create_producer(kafka_settings)
    await producer.start()
    yield Streams(kafka_settings, topics, group, producer)
    await producer.stop()


def store_ingest(root: Path, shaping_processes: int = 0) -> tuple[RangeStore, Ingest]:
    """The store and ingest of a data directory, with the tests' pseudonym key."""
    store = RangeStore(root)
    pool = shaping_pool(shaping_processes, KEY)
    return store, Ingest(RowShaper(Pseudonymiser(KEY)), store, pool=pool)


@contextlib.asynccontextmanager
async def running_sink(
    streams: Streams, root: Path, *, max_rows: int = 500, shaping_processes: int = 0
) -> AsyncIterator[WarehouseSink]:
    """The sink in this process, on the test's topics and group, until the block ends."""
    store, ingest = store_ingest(root, shaping_processes)
    sink = WarehouseSink(
        kafka=streams.kafka,
        group=streams.group,
        topics=streams.topics,
        ingest=ingest,
        store=store,
        policy=BatchPolicy(max_rows=max_rows, max_seconds=0.3),
        producer=streams.producer,
        fetch_max_records=500,
    )
    task = asyncio.create_task(sink.run())
    try:
        yield sink
    finally:
        sink.stop()
        await asyncio.wait_for(task, 30)


def event_ids(root: Path) -> list[str]:
    """The event id of every row in the final parts (duplicates kept)."""
    ids: list[str] = []
    for path in RangeStore(root).data_files():
        ids.extend(pq.read_table(path, columns=["event_id"]).column("event_id").to_pylist())
    return ids


def sorted_rows(root: Path) -> list[str]:
    """Every row as canonical JSON, sorted: two directories hold the same rows iff equal."""
    rows = []
    for path in RangeStore(root).data_files():
        for row in pq.read_table(path).to_pylist():
            rows.append(json.dumps(row, sort_keys=True, default=str))
    return sorted(rows)


def new_id() -> str:
    return uuid.uuid4().hex
