"""The outbox relay against the real database and broker: every event once, none left behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import Envelope
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import (
    LEASES_COLLECTION,
    OUTBOX_FIELD,
    PENDING_FLAG_FIELD,
    OutboxRelay,
    RelaySettings,
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


@dataclass
class LateEvent:
    """A tally with two pending events, and a third written while the relay publishes them."""

    coll: AsyncCollection[Document]
    late: Document
    event_ids: list[str]
    write_one_more: Callable[[], Awaitable[None]]

    async def assert_all_out_in_order(self, settings: KafkaSettings, topic: str) -> None:
        """The tally counts three, nothing is pending, and the three went out in order."""
        done = await self.coll.find_one({"_id": "t1"})
        assert done is not None
        assert (done["n"], done[OUTBOX_FIELD], PENDING_FLAG_FIELD in done) == (3, [], False)
        assert await event_ids_on(settings, topic) == self.event_ids


async def tally_with_a_late_event(mongo_db: AsyncDatabase[Document], topic: str) -> LateEvent:
    """The scenario of a late event, for any relay."""
    coll = mongo_db["tallies"]
    (first, first_id), (second, second_id), (late, late_id) = (
        pending_event(topic) for _ in range(3)
    )
    now = datetime.now(UTC)
    await coll.insert_one(new_document_with_events({"_id": "t1", "n": 2}, [first, second], now))

    async def write_one_more() -> None:
        await coll.update_one({"_id": "t1"}, with_events({"$inc": {"n": 1}}, [late], now))

    return LateEvent(coll, late, [first_id, second_id, late_id], write_one_more)


async def test_an_event_written_while_the_relay_publishes_stays_pending_then_goes_out(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("relay")
    scenario = await tally_with_a_late_event(mongo_db, topic)

    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = OutboxRelay(
            mongo_db, "tallies", AppendingProducer(producer, scenario.write_one_more)
        )
        assert await relay.publish_pending() == 2
        after_first = await scenario.coll.find_one({"_id": "t1"})
        assert after_first is not None
        assert [e["value"] for e in after_first[OUTBOX_FIELD]] == [scenario.late["value"]]
        assert after_first[PENDING_FLAG_FIELD] is True

        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0
    finally:
        await producer.stop()

    await scenario.assert_all_out_in_order(kafka_settings, topic)


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


async def test_one_relay_holds_a_collection_renewing_its_lease_only_when_half_has_run(
    mongo_db: AsyncDatabase[Document], kafka_settings: KafkaSettings
) -> None:
    settings = RelaySettings(lease_s=1.0)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        first = OutboxRelay(mongo_db, "leased", producer, settings)
        second = OutboxRelay(mongo_db, "leased", producer, settings)
        await _lease_passes_only_when_it_runs_out(mongo_db, first, second)
    finally:
        await producer.stop()


async def _lease_passes_only_when_it_runs_out(
    mongo_db: AsyncDatabase[Document], first: OutboxRelay, second: OutboxRelay
) -> None:
    leases = mongo_db[LEASES_COLLECTION]
    assert await first.hold_lease()
    taken = await leases.find_one({"_id": "leased"})
    assert not await second.hold_lease()
    assert await first.hold_lease()  # still fresh: held without writing
    assert await leases.find_one({"_id": "leased"}) == taken

    await asyncio.sleep(0.6)  # past half the lease: the holder renews it
    assert await first.hold_lease()
    renewed = await leases.find_one({"_id": "leased"})
    assert taken is not None
    assert renewed is not None
    assert renewed["until"] > taken["until"]
    assert not await second.hold_lease()

    await asyncio.sleep(1.1)  # the holder stopped renewing: its lease ran out
    assert await second.hold_lease()
    assert not await first.hold_lease()
