"""Component limits on this machine: the physical ceilings later benchmarks are compared with.

Prints one JSON document: raw aiokafka produce and consume rates for 1 KB events (idempotent,
acks=all), FerretDB single-document and bulk insert rates through PyMongo's async client, Redis
round-trip and pipelined rates, and ECDSA P-256 signatures per second. For the database it also
measures its own CPU per insert, find and update by id under 32 concurrent callers, and the
ceiling those costs set on the machine's cores. Needs the running stack
(`make up`); each figure is measured over a fixed count, so the run ends on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import cpu
from aiokafka import AIOKafkaConsumer
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from redis.asyncio import Redis

from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import KafkaSettings, MongoSettings, RedisSettings


async def rate(count: int, run: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    """Run `run` once (it does `count` operations) and report operations per second."""
    started = time.perf_counter()
    await run()
    seconds = time.perf_counter() - started
    return {"count": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1)}


async def kafka_figures(settings: KafkaSettings, count: int) -> dict[str, Any]:
    """Produce `count` 1 KB messages with the project's producer, then consume them back."""
    topic = f"bench.components.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, [topic], partitions=6)
    value = os.urandom(512).hex().encode()  # 1,024 bytes
    producer = create_producer(settings)
    await producer.start()

    async def produce() -> None:
        futures = [await producer.send(topic, value, key=str(i).encode()) for i in range(count)]
        await asyncio.gather(*futures)

    try:
        produced = await rate(count, produce)
    finally:
        await producer.stop()
    consumed = await rate(count, lambda: consume_all(settings, topic, count))
    return {"produce_1kb": produced, "consume_1kb": consumed, "topic_partitions": 6}


async def consume_all(settings: KafkaSettings, topic: str, count: int) -> None:
    """Read `count` messages from the start of `topic`."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=2000,
    )
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=2000)
            seen += sum(len(msgs) for msgs in batch.values())
    finally:
        await consumer.stop()


async def mongo_figures(settings: MongoSettings, single: int, bulk: int) -> dict[str, Any]:
    """Insert documents one by one, update each by `_id`, then insert in batches of 1,000."""
    client = create_mongo_client(settings)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    coll = client[name]["docs"]
    doc = {"site_id": "79-760-26734", "product": "EU/1/20/1528", "payload": "x" * 700}

    async def one_by_one() -> None:
        for i in range(single):
            await coll.insert_one({**doc, "_id": f"s{i}"})

    updates = max(single // 5, 100)

    async def update_by_id() -> None:
        for i in range(updates):
            await coll.update_one({"_id": f"s{i}"}, {"$inc": {"n": 1}})

    async def in_bulk() -> None:
        for start in range(0, bulk, 1000):
            await coll.insert_many([{**doc, "_id": f"b{i}"} for i in range(start, start + 1000)])

    try:
        return {
            "insert_one": await rate(single, one_by_one),
            "update_one_by_id": await rate(updates, update_by_id),
            "insert_many_1000": await rate(bulk, in_bulk),
        }
    finally:
        await client.drop_database(name)
        await client.close()


async def database_cost(
    settings: MongoSettings, count: int, concurrency: int = 32
) -> dict[str, Any]:
    """The database's own CPU per operation: `concurrency` callers insert, find and update by id.

    The CPU time of FerretDB and PostgreSQL over each run (`bench/cpu.py`), per operation, and
    the most operations per second the machine's cores could serve at that cost if they did
    nothing else: the floor under every service's writes and reads on this stack.
    """
    client = create_mongo_client(settings)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    coll = client[name]["docs"]
    doc = {"site_id": "79-760-26734", "product": "EU/1/20/1528", "payload": "x" * 700}
    operations: dict[str, Callable[[int], Awaitable[Any]]] = {
        "insert_one": lambda i: coll.insert_one({**doc, "_id": f"c{i}"}),
        "find_one_by_id": lambda i: coll.find_one({"_id": f"c{i}"}),
        "update_one_by_id": lambda i: coll.update_one({"_id": f"c{i}"}, {"$inc": {"n": 1}}),
    }
    figures: dict[str, Any] = {"concurrency": concurrency}
    try:
        for operation, call in operations.items():

            async def caller(first: int, call: Callable[[int], Awaitable[Any]] = call) -> None:
                for i in range(first, count, concurrency):
                    await call(i)

            before = cpu.snapshot()
            measured = await rate(count, lambda: asyncio.gather(*map(caller, range(concurrency))))
            used = cpu.spent(before, cpu.snapshot())
            database_s = used.get("ferretdb", 0.0) + used.get("postgresql", 0.0)
            database_ms = database_s * 1000 / count
            figures[f"{operation}_concurrent"] = measured | {
                "database_cpu_ms_per_op": round(database_ms, 3),
                "database_ceiling_per_second": round((os.cpu_count() or 1) * 1000 / database_ms)
                if database_ms
                else None,
            }
        return figures
    finally:
        await client.drop_database(name)
        await client.close()


async def redis_figures(settings: RedisSettings, count: int) -> dict[str, Any]:
    """INCR one key per round trip, then the same in pipelines of 1,000."""
    client = Redis.from_url(settings.url)
    key = f"bench:{uuid.uuid4().hex[:8]}"

    async def round_trips() -> None:
        for _ in range(count):
            await client.incr(key)

    async def pipelined() -> None:
        for _ in range(0, count, 1000):
            pipe = client.pipeline(transaction=False)
            for _ in range(1000):
                pipe.incr(key)
            await pipe.execute()

    try:
        return {
            "round_trip": await rate(count, round_trips),
            "pipelined_1000": await rate(count, pipelined),
        }
    finally:
        await client.delete(key)
        await client.aclose()


def ecdsa_figures(count: int) -> dict[str, Any]:
    """ECDSA P-256 (ES256) signatures of a 300-byte message, one core."""
    key = ec.generate_private_key(ec.SECP256R1())
    message = os.urandom(300)
    started = time.perf_counter()
    for _ in range(count):
        key.sign(message, ec.ECDSA(hashes.SHA256()))
    seconds = time.perf_counter() - started
    return {
        "sign": {
            "count": count,
            "seconds": round(seconds, 3),
            "per_second": round(count / seconds, 1),
        }
    }


async def main(scale: float) -> dict[str, Any]:
    """Measure every component once, in sequence, so none competes with another."""
    n = lambda base: max(int(base * scale), 1000)  # noqa: E731
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kafka": await kafka_figures(KafkaSettings(), n(100_000)),
        "ferretdb": await mongo_figures(MongoSettings(), n(5_000), n(50_000))
        | await database_cost(MongoSettings(), n(5_000)),
        "redis": await redis_figures(RedisSettings(), n(50_000)),
        "ecdsa_p256": ecdsa_figures(n(20_000)),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every count (0.1 for a quick run)"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args().scale)), indent=2))
