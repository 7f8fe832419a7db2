"""The reliable consumer, applying runs of one event type with one call of a batch handler.

A batch handler receives consecutive messages of one partition that share an event type, so
that a handler can make their effects with a few bulk writes instead of a few writes each.
Everything else stays as `ReliableConsumer` does it: messages of other event types (and
those that do not parse) go one at a time, in order, between the runs, so that everything
about one key stays ordered; offsets are committed after the whole batch's effects.

If a batch handler fails, its run is applied again one message at a time with the
per-message handler, whose retries and dead letters decide each message's fate. Batch
handlers must therefore be idempotent like any other: part of a failed run may be durable.
The fault points are passed once per call of a batch handler, as once per message otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka import ConsumerRecord, TopicPartition
from pymongo.errors import OperationFailure

from vaxflow_servicekit import faultpoints
from vaxflow_servicekit.consumer import (
    TRANSIENT_ERRORS,
    Handler,
    Parser,
    PermanentError,
    ReliableConsumer,
    RetryPolicy,
    is_transient_server_error,
)
from vaxflow_servicekit.metrics import HANDLER_LATENCY, KAFKA_CONSUMED
from vaxflow_servicekit.settings import KafkaSettings

log = structlog.get_logger(__name__)

# Applies the effects of several envelopes of one event type, in their order.
BatchHandler = Callable[[Sequence[Any]], Awaitable[None]]


@dataclass
class _Run:
    """Consecutive messages of one partition for one batch handler (None: one at a time).

    A run also holds the messages between its own that have no effect to order (those that
    do not parse, or that no handler takes): they are passed on after the batch's effect.
    """

    handler: BatchHandler | None
    event_type: str
    messages: list[ConsumerRecord[bytes, bytes]] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    others: list[ConsumerRecord[bytes, bytes]] = field(default_factory=list)


class BatchConsumer(ReliableConsumer):
    """A reliable consumer whose batch handlers take runs of their event type at once."""

    def __init__(
        self,
        *,
        settings: KafkaSettings,
        group: str,
        topics: Sequence[str],
        parser: Parser,
        handlers: Mapping[str, Handler],
        batch_handlers: Mapping[str, BatchHandler],
        retry: RetryPolicy | None = None,
    ) -> None:
        missing = set(batch_handlers) - set(handlers)
        assert not missing, f"batch handlers need a per-message fallback: {sorted(missing)}"
        super().__init__(
            settings=settings,
            group=group,
            topics=topics,
            parser=parser,
            handlers=handlers,
            retry=retry,
        )
        self._batch_handlers = dict(batch_handlers)

    async def _process_partition(
        self, tp: TopicPartition, messages: list[ConsumerRecord[bytes, bytes]]
    ) -> tuple[TopicPartition, int | None]:
        """Apply each run in order; return the offset to commit (None if nothing was done)."""
        next_offset: int | None = None
        for run in self._runs(messages):
            if run.handler is not None and await self._apply_run(run.handler, run):
                next_offset = run.messages[-1].offset + 1
                continue
            for message in run.messages:
                if not await self._process(message):
                    return tp, next_offset
                next_offset = message.offset + 1
        return tp, next_offset

    def _runs(self, messages: list[ConsumerRecord[bytes, bytes]]) -> list[_Run]:
        """Split a partition's messages into runs of one batchable event type, and singles."""
        runs: list[_Run] = []
        for message in messages:
            try:
                envelope = self._parser.parse(message.value or b"")
            except ValueError:
                envelope = None  # dead-lettered by the one-at-a-time path
            event_type = str(envelope.event_type) if envelope is not None else ""
            handler = self._batch_handlers.get(event_type)
            current = runs[-1] if runs and runs[-1].handler is not None else None
            if handler is None and current is not None and event_type not in self._handlers:
                current.messages.append(message)
                current.others.append(message)
                continue
            if handler is None or current is None or current.handler is not handler:
                runs.append(current := _Run(handler, event_type))
            current.messages.append(message)
            current.envelopes.append(envelope)
        return runs

    async def _apply_run(self, handler: BatchHandler, run: _Run) -> bool:
        """Run the batch handler once; False if it failed (the run is then applied singly)."""
        started = asyncio.get_running_loop().time()
        try:
            await faultpoints.hit("consumer.before_effect")
            await handler(run.envelopes)
        except Exception as exc:  # every failure falls back to the per-message policy
            self._failed(run.messages[0], _kind(exc), exc)
            log.warning("batch_applied_singly", group=self.group, messages=len(run.messages))
            return False
        HANDLER_LATENCY.labels(self.group, run.event_type).observe(
            asyncio.get_running_loop().time() - started
        )
        topic = run.messages[0].topic
        KAFKA_CONSUMED.labels(self.group, topic, run.event_type).inc(len(run.envelopes))
        for message in run.others:
            await self._process(message)  # a dead letter, or nothing: never abandoned
        await faultpoints.hit("consumer.after_effect")
        return True


def _kind(exc: BaseException) -> str:
    """The kind of failure as the per-message path names it (for the error counter)."""
    if isinstance(exc, PermanentError):
        return "permanent"
    if isinstance(exc, TRANSIENT_ERRORS):
        return "transient"
    if isinstance(exc, OperationFailure) and is_transient_server_error(exc):
        return "transient"
    return "unknown"
