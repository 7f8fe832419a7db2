"""The outbox relay's removal of published events: one bulk write per 50 documents (the relay
now) against one update per document sent together (before), on the same stack, alternated.

Run with the stack up: `uv run --frozen python bench/outbox_relay_ab.py 1000`.
"""

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime

from pymongo import AsyncMongoClient

from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.outbox import (
    _CLEAR_PENDING,
    OUTBOX_FIELD,
    OutboxRelay,
    new_document_with_events,
)
from vaxflow_servicekit.settings import KafkaSettings


class OldRelay(OutboxRelay):
    """The relay as it removed published events before: one update per document, all at once."""

    async def _remove_published(self, published):
        async def one(doc_id, entries):
            e = await self._coll.update_one(
                {"_id": doc_id, OUTBOX_FIELD: entries},
                {"$set": {OUTBOX_FIELD: []}, **_CLEAR_PENDING},
            )
            if e.modified_count == 1:
                return
            await self._coll.update_one({"_id": doc_id}, {"$pullAll": {OUTBOX_FIELD: entries}})
            await self._coll.update_one({"_id": doc_id, OUTBOX_FIELD: {"$size": 0}}, _CLEAR_PENDING)

        await asyncio.gather(*(one(d, e) for d, e in published))


async def run(cls, n, db, producer, topic):
    coll = db["agg"]
    now = datetime.now(UTC)
    docs = [
        new_document_with_events(
            {"_id": str(uuid.uuid4()), "x": "y" * 500},
            [
                {
                    "event_id": str(uuid.uuid4()),
                    "topic": topic,
                    "key": "k",
                    "value": "v" * 600,
                    "headers": {"event_id": "e"},
                }
            ],
            now,
        )
        for _ in range(n)
    ]
    await coll.insert_many(docs)
    relay = cls(db, "agg", producer)
    t = time.perf_counter()
    total = 0
    while total < n:
        total += await relay.publish_pending()
    dt = time.perf_counter() - t
    print(f"{cls.__name__}: {n} events in {dt:.2f}s = {n / dt:.0f}/s", flush=True)
    await coll.delete_many({})


async def main():
    c = AsyncMongoClient("mongodb://127.0.0.1:27017", tz_aware=True)
    db = c["scratch_relay_ab"]
    await db["agg"].create_index([("outbox_pending", 1)])
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers="127.0.0.1:9092")
    await admin.start()
    try:
        await admin.create_topics([NewTopic("scratch.relay.ab", 1, 1)])
    except Exception as e:
        print(e)
    await admin.close()
    producer = create_producer(KafkaSettings())
    await producer.start()
    topic = "scratch.relay.ab"
    n = int(sys.argv[1])
    for cls in (OldRelay, OutboxRelay, OldRelay, OutboxRelay):
        await run(cls, n, db, producer, topic)
    await producer.stop()
    await c.drop_database("scratch_relay_ab")


asyncio.run(main())
