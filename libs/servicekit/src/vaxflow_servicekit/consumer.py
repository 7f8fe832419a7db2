"""The reliable consumer: typed handlers, idempotent effects, offsets committed after effects.

Each batch from `getmany` is processed partition by partition, in order within a partition.
Only when every message of the batch has its effect durable (or has been dead-lettered, with
Kafka's acknowledgement) are the batch's offsets committed. A crash at any point therefore
leads to redelivery, never to loss; handlers make their effects idempotent so that
redelivery changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, KafkaError
from pymongo.errors import ConnectionFailure, OperationFailure, WriteConcernError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from vaxflow_servicekit import faultpoints
from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.metrics import (
    CONSUMER_LAG,
    DLQ_MESSAGES,
    HANDLER_LATENCY,
    KAFKA_CONSUME_ERRORS,
    KAFKA_CONSUMED,
)
from vaxflow_servicekit.settings import KafkaSettings

log = structlog.get_logger(__name__)


class PermanentError(Exception):
    """The message can never be processed (bad payload, violated invariant): dead-letter it."""


class TransientError(Exception):
    """The effect could not be made now (a dependency is down): retry with backoff."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionFailure,
    WriteConcernError,
    RedisConnectionError,
    RedisTimeoutError,
    KafkaError,
    OSError,
    asyncio.TimeoutError,
)


# Server errors that say "not now" rather than "never": failover, shutdown, time limits, and
# FerretDB's InternalError (code 1), which is how it reports a lost PostgreSQL backend.
TRANSIENT_SERVER_CODES = frozenset(
    {1, 6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}
)


def is_transient_server_error(exc: OperationFailure) -> bool:
    """True for a database error worth retrying with backoff instead of dead-lettering."""
    labels = ("RetryableWriteError", "TransientTransactionError")
    return exc.code in TRANSIENT_SERVER_CODES or any(exc.has_error_label(x) for x in labels)


class Envelope(Protocol):
    """What the consumer needs of a parsed message."""

    @property
    def event_type(self) -> str: ...

    @property
    def payload(self) -> Any: ...


class Parser(Protocol):
    """Turns raw bytes into a validated envelope, or raises ValueError saying why."""

    def parse(self, raw: bytes) -> Any: ...


Handler = Callable[[Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for transient failures; unknown errors get a few tries before the DLQ."""

    initial_s: float = 0.1
    max_s: float = 5.0
    unknown_error_attempts: int = 3


def dlq_topic(group: str) -> str:
    """The dead-letter topic of a consumer group."""
    return f"{group}.dlq"


class ReliableConsumer:
    """Consumes topics for one group and applies one typed handler per event type."""

    def __init__(
        self,
        *,
        settings: KafkaSettings,
        group: str,
        topics: Sequence[str],
        parser: Parser,
        handlers: Mapping[str, Handler],
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self.group = group
        self._topics = list(topics)
        self._parser = parser
        self._handlers = dict(handlers)
        self._retry = retry or RetryPolicy()
        self._stopping = asyncio.Event()
        self._batch_lock = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer = create_producer(settings)

    def stop(self) -> None:
        """Finish the batch in hand, commit it, and stop."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped."""
        await ensure_topics(
            self._settings, [dlq_topic(self.group)], partitions=self._settings.dlq_partitions
        )
        consumer = self._new_consumer()
        await self._dlq_producer.start()
        await consumer.start()
        self._consumer = consumer
        try:
            consumer.subscribe(self._topics, listener=_FinishBatchOnRevoke(self._batch_lock))
            while not self._stopping.is_set():
                await self._poll_once(consumer)
        finally:
            await consumer.stop()
            await self._dlq_producer.stop()

    def _new_consumer(self) -> AIOKafkaConsumer:
        s = self._settings
        return AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap,
            client_id=f"{s.client_id}-{self.group}",
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=s.consumer_max_records,
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=s.heartbeat_interval_ms,
            max_poll_interval_ms=s.max_poll_interval_ms,
            request_timeout_ms=max(s.request_timeout_ms, s.session_timeout_ms + 5000),
        )

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> None:
        batch = await consumer.getmany(timeout_ms=self._settings.consumer_fetch_timeout_ms)
        if not batch:
            return
        async with self._batch_lock:
            done = await asyncio.gather(
                *(self._process_partition(tp, msgs) for tp, msgs in batch.items())
            )
            offsets = {tp: off for tp, off in done if off is not None}
            if offsets:
                await self._commit(consumer, offsets)
        self._report_lag(consumer, offsets)

    async def _process_partition(
        self, tp: TopicPartition, messages: list[ConsumerRecord[bytes, bytes]]
    ) -> tuple[TopicPartition, int | None]:
        """Apply each message in order; return the offset to commit (None if abandoned)."""
        next_offset: int | None = None
        for message in messages:
            if not await self._process(message):
                break
            next_offset = message.offset + 1
        return tp, next_offset

    async def _process(self, message: ConsumerRecord[bytes, bytes]) -> bool:
        """Apply one message's effect or dead-letter it; False if stopping abandoned it."""
        try:
            envelope = self._parser.parse(message.value or b"")
        except ValueError as exc:
            await self._dead_letter(message, "invalid_message", exc)
            return True
        handler = self._handlers.get(envelope.event_type)
        if handler is None:
            return True
        structlog.contextvars.bind_contextvars(
            event_id=str(getattr(envelope, "event_id", "")),
            correlation_id=str(getattr(envelope, "correlation_id", "")),
        )
        try:
            return await self._apply_with_retry(message, envelope, handler)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "correlation_id")

    async def _apply_with_retry(
        self, message: ConsumerRecord[bytes, bytes], envelope: Any, handler: Handler
    ) -> bool:
        delay, unknown_failures = self._retry.initial_s, 0
        while True:
            outcome = await self._apply(message, envelope, handler)
            if outcome is None:
                return True
            kind, exc = outcome
            if kind == "unknown":
                unknown_failures += 1
            if kind == "permanent" or unknown_failures >= self._retry.unknown_error_attempts:
                await self._dead_letter(message, kind, exc)
                return True
            if self._stopping.is_set():
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry.max_s)

    async def _apply(
        self, message: ConsumerRecord[bytes, bytes], envelope: Any, handler: Handler
    ) -> tuple[str, BaseException] | None:
        """Run the handler once; None on success, else the failure's kind and error."""
        started = asyncio.get_running_loop().time()
        try:
            await faultpoints.hit("consumer.before_effect")
            await handler(envelope.payload, envelope)
        except PermanentError as exc:
            return self._failed(message, "permanent", exc)
        except TRANSIENT_ERRORS as exc:
            return self._failed(message, "transient", exc)
        except OperationFailure as exc:
            kind = "transient" if is_transient_server_error(exc) else "unknown"
            return self._failed(message, kind, exc)
        except Exception as exc:  # an unforeseen bug: a few tries, then the DLQ
            return self._failed(message, "unknown", exc)
        HANDLER_LATENCY.labels(self.group, envelope.event_type).observe(
            asyncio.get_running_loop().time() - started
        )
        KAFKA_CONSUMED.labels(self.group, message.topic, envelope.event_type).inc()
        await faultpoints.hit("consumer.after_effect")
        return None

    def _failed(
        self, message: ConsumerRecord[bytes, bytes], kind: str, exc: BaseException
    ) -> tuple[str, BaseException]:
        KAFKA_CONSUME_ERRORS.labels(self.group, message.topic, kind).inc()
        log.warning("handler_failed", **self._where(message), kind=kind, error=repr(exc))
        return kind, exc

    async def _dead_letter(
        self, message: ConsumerRecord[bytes, bytes], reason: str, exc: BaseException
    ) -> None:
        """Send the original message with the error in its headers; wait for the ack."""
        headers = list(message.headers or ()) + _dlq_headers(self.group, message, reason, exc)
        await self._dlq_producer.send_and_wait(
            dlq_topic(self.group), value=message.value, key=message.key, headers=headers
        )
        DLQ_MESSAGES.labels(self.group, message.topic, reason).inc()
        log.error("message_dead_lettered", **self._where(message), reason=reason, error=repr(exc))

    def _where(self, message: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
        """Where a message came from, for log lines."""
        return {
            "group": self.group,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
        }

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            # The group rebalanced under us; the new owner gets these messages again and the
            # effects, being idempotent, absorb the redelivery.
            log.warning("commit_failed_after_rebalance", group=self.group, error=repr(exc))

    def _report_lag(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        """Record how far behind the end of each partition the group is after this batch."""
        for tp, next_offset in offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag = max(highwater - next_offset, 0)
                CONSUMER_LAG.labels(self.group, tp.topic, str(tp.partition)).set(lag)


class _FinishBatchOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Let the batch in hand finish and commit before partitions are handed to another member."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self._lock:
            return

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return


def _dlq_headers(
    group: str, message: ConsumerRecord[bytes, bytes], reason: str, exc: BaseException
) -> list[tuple[str, bytes]]:
    return dlq_headers(group, message, reason, f"{type(exc).__name__}: {exc}")


def dlq_headers(
    group: str, message: ConsumerRecord[bytes, bytes], reason: str, error: str
) -> list[tuple[str, bytes]]:
    """What a dead letter says about itself: why, and where it came from (to trace or replay)."""
    error = error[:2000]
    return [
        ("dlq.reason", reason.encode()),
        ("dlq.error", error.encode()),
        ("dlq.group", group.encode()),
        ("dlq.topic", message.topic.encode()),
        ("dlq.partition", str(message.partition).encode()),
        ("dlq.offset", str(message.offset).encode()),
        ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
    ]
