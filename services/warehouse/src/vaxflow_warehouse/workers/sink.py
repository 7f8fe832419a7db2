"""The sink: one consumer group over every topic, writing offset ranges, committing after.

The reliable consumer of the kit commits after each batch's effects; here the effect of a
batch is a set of files, and a batch spans many `getmany` calls (by size and age), so the
sink runs aiokafka itself: it holds one batch per assigned partition, writes them as ranges
(ranges.py explains the order), then commits. On assignment it reconciles the files with the
committed offsets and seeks each partition past what the files hold.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError
from prometheus_client import Counter, Gauge

from vaxflow_servicekit import faultpoints
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import ensure_topics
from vaxflow_servicekit.metrics import CONSUMER_LAG, DLQ_MESSAGES
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.handlers.ingest import Ingest, PartitionBatch, Rejected
from vaxflow_warehouse.handlers.startup import StartPlan, plan_start
from vaxflow_warehouse.store.ranges import RangeStore

log = structlog.get_logger(__name__)

ROWS_WRITTEN = Counter(
    "vaxflow_warehouse_rows_total", "Rows written to the warehouse files.", ["event_type"]
)
RANGES_STORED = Counter(
    "vaxflow_warehouse_ranges_total", "Offset ranges stored (one per partition and batch)."
)
MISSING_OFFSETS = Gauge(
    "vaxflow_warehouse_missing_offsets",
    "Offsets the files should hold but do not, found at the last start of the partition.",
    ["topic", "partition"],
)


class WarehouseSink:
    """Consumes the topics for one group and stores them as offset ranges of Parquet parts."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        group: str,
        topics: Sequence[str],
        ingest: Ingest,
        store: RangeStore,
        policy: BatchPolicy,
        producer: AIOKafkaProducer,
        fetch_max_records: int = 5000,
    ) -> None:
        self._kafka = kafka
        self.group = group
        self._topics = list(topics)
        self._ingest = ingest
        self._store = store
        self._policy = policy
        self._producer = producer
        self._fetch_max = fetch_max_records
        self._batches: dict[TopicPartition, PartitionBatch] = {}
        self._next: dict[TopicPartition, int] = {}  # next offset wanted, once reconciled
        # Positions past the committed offset that the files already hold (a group whose
        # offsets were moved back): committed on the next round, so the lag falls without
        # waiting for a new message on the partition.
        self._held_ahead: dict[TopicPartition, int] = {}
        self._lock = asyncio.Lock()
        self._writing: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._failure: BaseException | None = None
        self.last_plan: StartPlan | None = None

    def stop(self) -> None:
        """Write what is held, commit it, and stop."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped."""
        await ensure_topics(
            self._kafka, [dlq_topic(self.group)], partitions=self._kafka.dlq_partitions
        )
        await self._ingest.start()
        consumer = self._new_consumer()
        await consumer.start()
        try:
            consumer.subscribe(self._topics, listener=_Rebalance(self, consumer))
            while not self._stopping.is_set():
                await self._poll_once(consumer)
            await self._finish_writing()
            await self._write(consumer, list(self._batches))
        finally:
            if self._writing is not None:
                self._writing.cancel()
            await consumer.stop()
            await asyncio.to_thread(self._ingest.close)

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> None:
        if self._held_ahead:
            async with self._lock:
                ahead, self._held_ahead = self._held_ahead, {}
                await self._commit(consumer, ahead)
        fetched = await consumer.getmany(
            timeout_ms=self._kafka.consumer_fetch_timeout_ms, max_records=self._fetch_max
        )
        if self._failure is not None:
            raise RuntimeError("partition assignment failed") from self._failure
        for tp, messages in fetched.items():
            fresh = self._in_order(tp, messages)
            if fresh:
                batch = self._batches.setdefault(tp, PartitionBatch(tp.topic, tp.partition))
                self._ingest.add(batch, fresh)
        held = sum(b.size for b in self._batches.values())
        oldest = min((b.started for b in self._batches.values() if b.size), default=None)
        age = 0.0 if oldest is None else time.monotonic() - oldest
        if self._policy.due(held, age):
            # The batches are whole: their last messages go to shaping now, not when their
            # write starts, so the workers have them while the write before is stored.
            for batch in self._batches.values():
                self._ingest.shape_rest(batch)
            # One write runs while the next batches fill; a second waits for it (so memory
            # stays bounded and each partition's ranges are committed in order).
            await self._finish_writing()
            self._writing = asyncio.create_task(self._write(consumer, list(self._batches)))
        elif self._writing is not None and self._writing.done():
            await self._finish_writing()

    async def _finish_writing(self) -> None:
        """Wait for the write in progress, if any; its failure is raised here."""
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing

    def _in_order(self, tp: TopicPartition, messages: list[Any]) -> list[Any]:
        """The messages at or after the partition's next expected offset; none before its start.

        Records fetched before the assignment's seek (or twice around a seek) are dropped, so a
        batch's offsets only ever increase and no message enters two batches.
        """
        expected = self._next.get(tp)
        if expected is None:
            return []
        fresh = [m for m in messages if m.offset >= expected]
        if fresh:
            self._next[tp] = fresh[-1].offset + 1
        return fresh

    async def _write(
        self, consumer: AIOKafkaConsumer, partitions: Iterable[TopicPartition]
    ) -> None:
        """Store the held batches of these partitions, then commit their offsets."""
        async with self._lock:
            # Taken out at once: messages fetched while this write runs start new batches.
            taken = {tp: self._batches.pop(tp, None) for tp in partitions}
            batches = {tp: b for tp, b in taken.items() if b is not None and b.size}
            if not batches:
                return
            for batch in batches.values():
                await self._ingest.ready(batch)
            await self._dead_letter([r for b in batches.values() for r in b.rejected])
            await asyncio.to_thread(self._store_all, list(batches.values()))
            await faultpoints.hit("consumer.after_effect")
            await self._commit(consumer, {tp: b.last + 1 for tp, b in batches.items()})
            _report_lag(self.group, consumer, batches)

    def _store_all(self, batches: Sequence[PartitionBatch]) -> None:
        for batch in batches:
            self._ingest.store(batch)
            RANGES_STORED.inc()
            for event_type, count in batch.counts().items():
                ROWS_WRITTEN.labels(event_type).inc(count)

    async def _dead_letter(self, rejected: Sequence[Rejected]) -> None:
        sends = [
            await self._producer.send(
                dlq_topic(self.group),
                value=r.message.value,
                headers=_dlq_headers(self.group, r),
            )
            for r in rejected
        ]
        await asyncio.gather(*sends)
        for r in rejected:
            DLQ_MESSAGES.labels(self.group, r.message.topic, "invalid_message").inc()
            log.error(
                "message_dead_lettered",
                topic=r.message.topic,
                partition=r.message.partition,
                offset=r.message.offset,
                reason=r.reason,
            )

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            # The group rebalanced: the files hold the ranges, the new owner seeks past them.
            log.warning("commit_failed_after_rebalance", group=self.group, error=repr(exc))

    async def assigned(self, consumer: AIOKafkaConsumer, partitions: set[TopicPartition]) -> None:
        """Reconcile the files of newly assigned partitions and seek past what they hold."""
        try:
            await self._start_partitions(consumer, sorted(partitions))
        except BaseException as exc:
            self._failure = exc  # the main loop raises it: never consume from a wrong position
            raise

    async def _start_partitions(
        self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> None:
        if not partitions:
            return
        committed = {(tp.topic, tp.partition): await consumer.committed(tp) for tp in partitions}
        beginnings = await consumer.beginning_offsets(partitions)
        log_start = {(tp.topic, tp.partition): off for tp, off in beginnings.items()}
        keys = [(tp.topic, tp.partition) for tp in partitions]
        plan = await asyncio.to_thread(
            plan_start, self._store, keys, committed=committed, log_start=log_start
        )
        for start in plan.partitions:
            tp = TopicPartition(start.topic, start.partition)
            consumer.seek(tp, start.position)
            self._next[tp] = start.position
            known = committed[(start.topic, start.partition)]
            if start.position > (
                known if known is not None else log_start[(tp.topic, tp.partition)]
            ):
                self._held_ahead[tp] = start.position
            missing = sum(r.last - r.first + 1 for r in start.missing)
            MISSING_OFFSETS.labels(start.topic, str(start.partition)).set(missing)
            for r in start.missing:
                log.error(
                    "warehouse_range_missing",
                    topic=start.topic,
                    partition=start.partition,
                    first=r.first,
                    last=r.last,
                    report=str(plan.report),
                )
        self.last_plan = plan
        log.info("warehouse_partitions_started", partitions=len(plan.partitions))

    async def revoked(self, consumer: AIOKafkaConsumer, partitions: set[TopicPartition]) -> None:
        """Store and commit what is held for partitions about to go to another member."""
        for tp in partitions:
            self._next.pop(tp, None)  # stop accepting records until it is assigned again
            self._held_ahead.pop(tp, None)
        await self._write(consumer, partitions)
        for tp in partitions:
            self._batches.pop(tp, None)

    def _new_consumer(self) -> AIOKafkaConsumer:
        s = self._kafka
        return AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap,
            client_id=f"{s.client_id}-{self.group}",
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._fetch_max,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=8 * 1024 * 1024,
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=s.heartbeat_interval_ms,
            max_poll_interval_ms=s.max_poll_interval_ms,
            request_timeout_ms=max(s.request_timeout_ms, s.session_timeout_ms + 5000),
        )


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, sink: WarehouseSink, consumer: AIOKafkaConsumer) -> None:
        self._sink = sink
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._sink.revoked(self._consumer, set(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._sink.assigned(self._consumer, set(assigned))


def _dlq_headers(group: str, rejected: Rejected) -> list[tuple[str, bytes]]:
    m = rejected.message
    return [
        ("dlq.reason", b"invalid_message"),
        ("dlq.error", rejected.reason[:2000].encode()),
        ("dlq.group", group.encode()),
        ("dlq.topic", m.topic.encode()),
        ("dlq.partition", str(m.partition).encode()),
        ("dlq.offset", str(m.offset).encode()),
    ]


def _report_lag(
    group: str, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, PartitionBatch]
) -> None:
    for tp, batch in batches.items():
        highwater = consumer.highwater(tp)
        if highwater is not None:
            CONSUMER_LAG.labels(group, tp.topic, str(tp.partition)).set(
                max(highwater - batch.last - 1, 0)
            )
