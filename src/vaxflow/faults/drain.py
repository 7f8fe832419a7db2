"""Waiting for the system to settle: every outbox empty, every consumer group caught up."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from vaxflow.faults.config import DATABASES, GROUP_PREFIXES, GROUPS_EXACT

PENDING_FLAG = "outbox_pending"  # vaxflow_servicekit.outbox.PENDING_FLAG_FIELD


def is_service_group(group: str) -> bool:
    """A consumer group of the services (not of a test or a tool)."""
    return group in GROUPS_EXACT or (
        group.startswith(GROUP_PREFIXES) and not group.endswith(".dlq")
    )


async def pending_outboxes(mongo: AsyncMongoClient[dict[str, Any]]) -> dict[str, int]:
    """Per `database.collection`, the documents whose events are not published yet."""
    pending: dict[str, int] = {}
    for name in DATABASES:
        db = mongo[name]
        for collection in await db.list_collection_names():
            count = await db[collection].count_documents({PENDING_FLAG: True})
            if count:
                pending[f"{name}.{collection}"] = count
    return pending


async def group_offsets(
    bootstrap: str, ignore: frozenset[str] = frozenset()
) -> dict[str, dict[TopicPartition, int]]:
    """Each service group's committed offset on every partition of the topics it reads.

    `ignore` names groups left out: those no running process served when the run began (a
    group a long-lived stack kept from an older version of a service).
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        groups = [
            g[0]
            for g in await admin.list_consumer_groups()
            if is_service_group(g[0]) and g[0] not in ignore
        ]
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in sorted(groups):
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        return committed
    finally:
        await admin.close()


async def idle_groups(bootstrap: str) -> frozenset[str]:
    """The service groups without a member: no running process reads for them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        groups = [g[0] for g in await admin.list_consumer_groups() if is_service_group(g[0])]
        idle = set()
        for group in groups:  # one at a time: the broker here closes a request naming several
            [response] = await admin.describe_consumer_groups([group])
            # Each described group: (error_code, group_id, state, protocol_type, protocol, ...)
            idle |= {g[1] for g in response.groups if g[2] in ("Empty", "Dead")}
        return frozenset(idle)
    finally:
        await admin.close()


async def partitions(bootstrap: str, topics: list[str]) -> dict[str, list[int]]:
    """The partitions of each topic, from the broker's metadata."""
    if not topics:
        return {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        described = await admin.describe_topics(sorted(set(topics)))
    finally:
        await admin.close()
    return {t["topic"]: sorted(p["partition"] for p in t["partitions"]) for t in described}


async def consumer_lag(bootstrap: str, ignore: frozenset[str] = frozenset()) -> dict[str, int]:
    """Per service group: messages not yet committed over every partition of its topics."""
    committed = await group_offsets(bootstrap, ignore)
    layout = await partitions(bootstrap, [tp.topic for o in committed.values() for tp in o])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        lag: dict[str, int] = {}
        for group, offsets in committed.items():
            topics = sorted({tp.topic for tp in offsets})
            tps = [TopicPartition(t, p) for t in topics for p in layout.get(t, [])]
            ends = await consumer.end_offsets(tps) if tps else {}
            starts = await consumer.beginning_offsets(tps) if tps else {}
            lag[group] = sum(max(0, ends[tp] - offsets.get(tp, starts[tp])) for tp in tps)
        return lag
    finally:
        await consumer.stop()


async def drain(
    mongo_url: str, bootstrap: str, timeout_s: float, ignore: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Wait until no outbox holds an event and no service group lags; what was last seen."""
    started = time.monotonic()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_url, serverSelectionTimeoutMS=5000, tz_aware=True
    )
    last: dict[str, Any] = {}
    try:
        while True:
            try:
                pending = await pending_outboxes(mongo)
                lag = await consumer_lag(bootstrap, ignore)
                last = {"pending_outboxes": pending, "lag": lag}
                if not pending and not any(lag.values()):
                    return last | {"drained": True, "seconds": _since(started)}
            except Exception as error:  # a part still coming back: look again
                last = last | {"error": f"{type(error).__name__}: {error}"}
            if time.monotonic() - started > timeout_s:
                return last | {"drained": False, "seconds": _since(started)}
            await asyncio.sleep(2.0)
    finally:
        await mongo.close()


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)
