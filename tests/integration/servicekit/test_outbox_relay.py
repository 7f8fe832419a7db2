"""The outbox relay against the real database and broker: every event once, none left behind."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import Envelope
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import (
    OUTBOX_FIELD,
    PENDING_FLAG_FIELD,
    OutboxRelay,
    new_document_with_events,
    outbox_entry,
    with_events,
)
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory

pytestmark = [pytest.mark.stack]


def pending_event(topic: str) -> tuple[Document, str]:
    """An outbox entry and its event id."""
    envelope = Envelope.new(EXAMPLES["CitizenRegistered"], producer="registration")
    return outbox_entry(topic, envelope), str(envelope.event_id)


async def event_ids_on(settings: KafkaSettings, topic: str) -> list[str]:
    """Every event id on the topic, in offset order (one partition)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        ids: list[str] = []
        while batch := await consumer.getmany(timeout_ms=3000):
            ids += [json.loads(m.value)["event_id"] for part in batch.values() for m in part]
        return ids
    finally:
        await consumer.stop()


class AppendingProducer:
    """The real producer; after its first send, a write adds one more event to the document."""

    def __init__(self, inner: Any, append: Any) -> None:
        self._inner = inner
        self._append = append

    async def send(self, topic: str, **kwargs: Any) -> Any:
        future = await self._inner.send(topic, **kwargs)
        if self._append is not None:
            append, self._append = self._append, None
            await append()
        return future


async def test_an_event_written_while_the_relay_publishes_stays_pending_then_goes_out(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("relay")
    coll = mongo_db["tallies"]
    (first, first_id), (second, second_id), (late, late_id) = (
        pending_event(topic) for _ in range(3)
    )
    now = datetime.now(UTC)
    await coll.insert_one(new_document_with_events({"_id": "t1", "n": 2}, [first, second], now))

    async def write_one_more() -> None:
        await coll.update_one({"_id": "t1"}, with_events({"$inc": {"n": 1}}, [late], now))

    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = OutboxRelay(mongo_db, "tallies", AppendingProducer(producer, write_one_more))
        assert await relay.publish_pending() == 2
        after_first = await coll.find_one({"_id": "t1"})
        assert after_first is not None
        assert [e["value"] for e in after_first[OUTBOX_FIELD]] == [late["value"]]
        assert after_first[PENDING_FLAG_FIELD] is True

        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0
    finally:
        await producer.stop()

    done = await coll.find_one({"_id": "t1"})
    assert done is not None
    assert (done["n"], done[OUTBOX_FIELD], PENDING_FLAG_FIELD in done) == (3, [], False)
    assert await event_ids_on(kafka_settings, topic) == [first_id, second_id, late_id]


async def test_a_backlog_larger_than_a_batch_is_published_whole_and_once(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("backlog")
    coll = mongo_db["citizens"]
    now = datetime.now(UTC)
    expected = []
    documents = []
    for i in range(1200):
        outbox, event_id = pending_event(topic)
        expected.append(event_id)
        documents.append(new_document_with_events({"_id": f"c{i}"}, [outbox], now))
    await coll.insert_many(documents)

    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = OutboxRelay(mongo_db, "citizens", producer)
        rounds = [await relay.publish_pending() for _ in range(4)]
    finally:
        await producer.stop()

    assert rounds == [500, 500, 200, 0]
    assert await coll.count_documents({PENDING_FLAG_FIELD: True}) == 0
    assert sorted(await event_ids_on(kafka_settings, topic)) == sorted(expected)
