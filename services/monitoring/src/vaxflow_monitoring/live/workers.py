"""The live picture's loops: the aggregating consumer, the alert evaluator, the pipeline watcher.

The consumer reads every topic in its own group and folds each batch into one update per
aggregate document; the offsets are committed only after the updates are written, and each
document's per-partition high-water mark makes a redelivered batch change nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError
from pymongo.errors import PyMongoError

from vaxflow_events import REGISTRY, InvalidMessage
from vaxflow_monitoring.live import metrics
from vaxflow_monitoring.live.folding import Consumed, Folder, documents, fold, plan, tp_key
from vaxflow_monitoring.live.handlers import Live
from vaxflow_monitoring.live.pipeline import PipelineReader
from vaxflow_monitoring.live.store import LiveStore
from vaxflow_monitoring.live_settings import LiveSettings
from vaxflow_servicekit.consumer import dlq_headers, dlq_topic
from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.settings import KafkaSettings

log = get_logger(__name__)

Notify = Callable[[], Awaitable[None]]
Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class AggregatingConsumer:
    """Folds every stream into the live aggregates, a batch at a time."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        live: LiveSettings,
        store: LiveStore,
        folder: Folder,
        on_change: Notify,
    ) -> None:
        self._kafka, self._live = kafka, live
        self._store, self._folder = store, folder
        self._on_change = on_change
        self._stopping = asyncio.Event()
        self._hw: dict[str, dict[str, int]] = {}
        self._seen = RecentEvents(live.recent_events)
        self._batches: deque[str] = deque()  # stored batches of recent event ids, oldest first
        self._dlq = create_producer(kafka)

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        group = self._live.consumer_group
        await ensure_topics(self._kafka, [dlq_topic(group)], partitions=self._kafka.dlq_partitions)
        consumer = self._new_consumer()
        await self._load_recent()
        await self._dlq.start()
        await consumer.start()
        try:
            consumer.subscribe(list(self._live.topics), listener=_ForgetMarks(self._hw))
            while not self._stopping.is_set():
                batch = await consumer.getmany(
                    timeout_ms=self._kafka.consumer_fetch_timeout_ms,
                    max_records=self._kafka.consumer_max_records,
                )
                if batch and await self._process(batch):
                    await self._commit(consumer, batch)
        finally:
            await consumer.stop()
            await self._dlq.stop()

    def _new_consumer(self) -> AIOKafkaConsumer:
        s = self._kafka
        return AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap,
            client_id=f"{s.client_id}-{self._live.consumer_group}",
            group_id=self._live.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=s.heartbeat_interval_ms,
            max_poll_interval_ms=s.max_poll_interval_ms,
            request_timeout_ms=max(s.request_timeout_ms, s.session_timeout_ms + 5000),
        )

    async def _process(self, batch: dict[TopicPartition, list[Record]]) -> bool:
        """Fold and write a batch; False if stopping abandoned it (it will be redelivered)."""
        parsed = [c for msgs in batch.values() for m in msgs if (c := await self._parse(m))]
        planned = plan(self._folder, self._seen.fresh(parsed))
        folded = [c for c, effects in planned if effects]
        batch_id = f"{self._live.consumer_group}|{time.time_ns():020d}"
        delay = 0.1
        while True:
            try:
                # The ids first: should the aggregates' write fail, the same events come back
                # at the same offsets, which `fresh` lets through and the marks then judge.
                if folded:
                    await self._store.save_recent(batch_id, RecentEvents.entries(folded))
                    metrics.LIVE_WRITES.labels("recent_events").inc()
                await self._write(planned)
                break
            except PyMongoError as exc:
                log.warning("live_write_failed", error=repr(exc))
                if self._stopping.is_set():
                    return False
                self._hw.clear()  # a partial write: read the marks again
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._seen.remember(folded)
        for c in folded:
            metrics.EVENTS_FOLDED.labels(c.envelope.event_type).inc()
        if folded:
            self._batches.append(batch_id)
            await self._prune_recent()
            await self._on_change()
        return True

    async def _load_recent(self) -> None:
        """Read back the event ids of the last batches folded (before a restart)."""
        try:
            stored = await self._store.recent_events()
        except PyMongoError as exc:
            log.warning("live_recent_events_unread", error=repr(exc))
            return
        for batch_id, entries in stored:
            self._seen.load(entries)
            self._batches.append(batch_id)
        log.info("live_recent_events_read", batches=len(stored))

    async def _prune_recent(self) -> None:
        """Drop the oldest stored batches beyond the window, a few dozen at a time."""
        keep = self._live.recent_event_batches
        if len(self._batches) < keep + _PRUNE_CHUNK:
            return
        oldest = [self._batches.popleft() for _ in range(len(self._batches) - keep)]
        try:
            await self._store.forget_recent(oldest)
            metrics.LIVE_WRITES.labels("prune").inc()
        except PyMongoError as exc:  # left for the next start to read and prune
            log.warning("live_recent_events_unpruned", error=repr(exc))

    async def _write(self, planned: list[tuple[Consumed, Any]]) -> None:
        for doc in documents(planned) - self._hw.keys():
            self._hw[doc] = await self._store.high_water(doc)
        updates = fold(planned, lambda doc, tp: self._hw[doc].get(tp, -1))
        metrics.LIVE_WRITES.labels("aggregates").inc(await self._store.apply(updates))
        for doc, update in updates.items():
            marks = self._hw[doc]
            for tp, offset in update.hw.items():
                marks[tp] = max(marks.get(tp, -1), offset)

    async def _parse(self, message: Record) -> Consumed | None:
        try:
            envelope = REGISTRY.parse(message.value or b"")
        except InvalidMessage as exc:
            await self._dead_letter(message, exc)
            return None
        return Consumed(tp_key(message.topic, message.partition), message.offset, envelope)

    async def _dead_letter(self, message: Record, exc: InvalidMessage) -> None:
        group = self._live.consumer_group
        headers = [
            *(message.headers or ()),
            *dlq_headers(group, message, "invalid_message", exc.reason),
        ]
        await self._dlq.send_and_wait(
            dlq_topic(self._live.consumer_group), message.value, message.key, headers=headers
        )
        log.error("message_dead_lettered", topic=message.topic, offset=message.offset)

    async def _commit(
        self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[Record]]
    ) -> None:
        offsets = {tp: msgs[-1].offset + 1 for tp, msgs in batch.items() if msgs}
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            log.warning("commit_failed_after_rebalance", error=repr(exc))


_PRUNE_CHUNK = 50


class RecentEvents:
    """Event ids folded lately, each with where it was read: a re-publish counts once.

    The high-water marks absorb Kafka's redelivery of the same offsets; this absorbs the
    outbox's re-publish after a crash (the same event at a new offset), which comes soon after
    the first copy. An event seen before at the same place is a redelivery and passes (the
    marks decide); at another place it is a copy and is dropped.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[str, str] = OrderedDict()

    @staticmethod
    def entries(batch: Sequence[Consumed]) -> list[str]:
        """`<event id> <topic partition>@<offset>` for each event, as stored."""
        return [f"{c.envelope.event_id} {c.tp}@{c.offset}" for c in batch]

    def fresh(self, batch: Sequence[Consumed]) -> list[Consumed]:
        """The events of a batch that are not copies of one read elsewhere."""
        first: dict[str, str] = {}
        fresh = []
        for c in batch:
            event_id, at = str(c.envelope.event_id), f"{c.tp}@{c.offset}"
            known = self._ids.get(event_id) or first.get(event_id)
            if known is None or known == at:
                first[event_id] = at
                fresh.append(c)
        return fresh

    def remember(self, batch: Sequence[Consumed]) -> None:
        """Note a folded batch's events, forgetting the oldest beyond capacity."""
        self.load(self.entries(batch))

    def load(self, entries: Sequence[str]) -> None:
        """Note stored entries (see `entries`)."""
        for entry in entries:
            event_id, _, at = entry.partition(" ")
            self._ids.setdefault(event_id, at)
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


class _ForgetMarks(ConsumerRebalanceListener):  # type: ignore[misc]
    """Forget cached high-water marks when partitions move: another member may have written."""

    def __init__(self, marks: dict[str, dict[str, int]]) -> None:
        self._marks = marks

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self._marks.clear()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self._marks.clear()


class AlertLoop:
    """Evaluates the alert rules after each change (at most every 250 ms) and periodically."""

    def __init__(self, live: Live, interval_s: float, on_change: Notify) -> None:
        self._live = live
        self._interval_s = interval_s
        self._on_change = on_change
        self._stopping = asyncio.Event()
        self._poke = asyncio.Event()

    def poke(self) -> None:
        """Something changed: evaluate soon."""
        self._poke.set()

    def stop(self) -> None:
        self._stopping.set()
        self._poke.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self._live.evaluate_alerts():
                    await self._on_change()
            except PyMongoError as exc:
                log.warning("alert_evaluation_failed", error=repr(exc))
            await asyncio.sleep(0.25)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), self._interval_s)
            self._poke.clear()


class PipelineWatcher:
    """Reads consumer lag and dead letters from Kafka every few seconds."""

    def __init__(
        self, reader: PipelineReader, store: LiveStore, interval_s: float, on_change: Notify
    ) -> None:
        self._reader, self._store = reader, store
        self._interval_s = interval_s
        self._on_change = on_change
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        await self._reader.start()
        try:
            while not self._stopping.is_set():
                await self._once()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._interval_s)
        finally:
            await self._reader.close()

    async def _once(self) -> None:
        try:
            if await self._store.save_pipeline(await self._reader.read()):
                await self._on_change()
        except Exception as exc:  # Kafka or the database away: try again next round
            log.warning("pipeline_read_failed", error=repr(exc))
