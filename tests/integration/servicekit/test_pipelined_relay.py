"""The pipelined outbox relay against the real database and broker: every event once and in
order per document, though each round's removal runs while the next round publishes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.integration.servicekit.test_outbox_relay import (
    AppendingProducer,
    event_ids_on,
    pending_event,
    tally_with_a_late_event,
)
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import (
    OUTBOX_FIELD,
    PENDING_FLAG_FIELD,
    RelaySettings,
    new_document_with_events,
)
from vaxflow_servicekit.pipelined_relay import PipelinedOutboxRelay
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until

pytestmark = [pytest.mark.stack]


async def backlog(db: AsyncDatabase[Document], topic: str, count: int) -> list[str]:
    """`count` documents with one pending event each; their event ids."""
    now, expected, documents = datetime.now(UTC), [], []
    for i in range(count):
        outbox, event_id = pending_event(topic)
        expected.append(event_id)
        documents.append(new_document_with_events({"_id": f"c{i}"}, [outbox], now))
    await db["citizens"].insert_many(documents)
    return expected


async def test_a_backlog_is_published_whole_and_once_while_rounds_overlap_their_removal(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("pipelined")
    expected = await backlog(mongo_db, topic, 1200)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = PipelinedOutboxRelay(mongo_db, "citizens", producer)
        # A round leaves out the documents whose removal is still under way, so nothing is
        # published twice whether or not the last removal has finished.
        rounds = [await relay.publish_pending() for _ in range(4)]
        await relay.drain()
        assert await relay.publish_pending() == 0
    finally:
        await producer.stop()

    assert rounds == [500, 500, 200, 0]
    assert await mongo_db["citizens"].count_documents({PENDING_FLAG_FIELD: True}) == 0
    assert sorted(await event_ids_on(kafka_settings, topic)) == sorted(expected)


async def test_an_event_written_during_a_round_goes_out_after_the_ones_before_it(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("pipelined")
    scenario = await tally_with_a_late_event(mongo_db, topic)

    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = PipelinedOutboxRelay(
            mongo_db, "tallies", AppendingProducer(producer, scenario.write_one_more)
        )
        assert await relay.publish_pending() == 2
        await relay.drain()
        after_first = await scenario.coll.find_one({"_id": "t1"})
        assert after_first is not None
        assert [e["value"] for e in after_first[OUTBOX_FIELD]] == [scenario.late["value"]]
        assert await relay.publish_pending() == 1
        await relay.drain()
    finally:
        await producer.stop()

    await scenario.assert_all_out_in_order(kafka_settings, topic)


class SlowRemovals(PipelinedOutboxRelay):
    """Removes each round's entries only after a pause, and notes which documents it published."""

    published: set[str]

    async def _remove(self, published: list[tuple[Any, list[Document]]]) -> None:
        self.published = getattr(self, "published", set()) | {d for d, _ in published}
        await asyncio.sleep(0.5)
        await super()._remove(published)


async def test_a_stopped_relay_finishes_the_removal_under_way(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> None:
    topic = await topic_factory("pipelined")
    expected = await backlog(mongo_db, topic, 300)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        relay = SlowRemovals(mongo_db, "citizens", producer, RelaySettings(batch_size=100))
        running = asyncio.create_task(relay.run())
        await poll_until(
            lambda: asyncio.sleep(0, getattr(relay, "published", set())), what="a round published"
        )
        relay.stop()
        await asyncio.wait_for(running, timeout=30)
    finally:
        await producer.stop()

    pending = {d["_id"] async for d in mongo_db["citizens"].find({PENDING_FLAG_FIELD: True})}
    assert relay.published
    assert not pending & relay.published  # whatever went out was removed before run() returned
    assert len(pending) + len(relay.published) == len(expected)
