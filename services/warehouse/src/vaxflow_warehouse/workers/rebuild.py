"""Rebuild: replay every topic from the beginning into a fresh directory, then stop.

No consumer group: the partitions are assigned by hand, read from their first offset up to the
end offsets seen at the start, and stored with the same batches and range records as the sink.
Messages that do not parse are counted, not dead-lettered again (the sink already did).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.handlers.ingest import Ingest, PartitionBatch

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildResult:
    """What a rebuild read and wrote."""

    messages: int
    rejected: int
    partitions: int


class Rebuild:
    """Replays topics into the ingest's (fresh) data directory."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        topics: Sequence[str],
        ingest: Ingest,
        policy: BatchPolicy,
        fetch_max_records: int = 5000,
    ) -> None:
        self._kafka = kafka
        self._topics = list(topics)
        self._ingest = ingest
        self._policy = policy
        self._fetch_max = fetch_max_records

    async def run(self) -> RebuildResult:
        """Read every partition from its beginning to its end at the start; store it all."""
        await self._ingest.start()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap,
            enable_auto_commit=False,
            max_poll_records=self._fetch_max,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        try:
            partitions = await self._partitions()
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, starts[tp])
            return await self._replay(consumer, {tp: e for tp, e in ends.items() if e > starts[tp]})
        finally:
            await consumer.stop()
            await asyncio.to_thread(self._ingest.close)

    async def _partitions(self) -> list[TopicPartition]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._kafka.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(self._topics)
        finally:
            await admin.close()
        return sorted(
            TopicPartition(t["topic"], p["partition"])
            for t in described
            if t["error_code"] == 0
            for p in t["partitions"]
        )

    async def _replay(
        self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]
    ) -> RebuildResult:
        batches: dict[TopicPartition, PartitionBatch] = {}
        remaining, messages, rejected = dict(ends), 0, 0
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in fetched.items():
                wanted = [r for r in records if r.offset < ends[tp]]
                batch = batches.setdefault(tp, PartitionBatch(tp.topic, tp.partition))
                self._ingest.add(batch, wanted)
                messages += len(wanted)
                if await consumer.position(tp) >= ends[tp]:
                    remaining.pop(tp, None)
                    consumer.pause(tp)
            if sum(b.size for b in batches.values()) >= self._policy.max_rows or not remaining:
                rejected += await asyncio.to_thread(self._store, batches)
                batches = {}
        log.info("warehouse_rebuilt", messages=messages, rejected=rejected)
        return RebuildResult(messages, rejected, len(ends))

    def _store(self, batches: dict[TopicPartition, PartitionBatch]) -> int:
        for batch in batches.values():
            if batch.size:
                self._ingest.store(batch)
        return sum(len(b.rejected) for b in batches.values())
