"""Ingest: raw messages of one partition become a batch of tables, stored as one offset range.

A partition's messages are cut into chunks as they arrive. Each chunk is shaped on its own:
every message validated against its contract (one that does not parse is rejected, never
stored), the valid ones grouped by event type and day and turned into Arrow tables, read by
Arrow's JSON reader (json_tables.py) or, for a chunk that reader cannot take as is, through
the row shaper, with the same result. Shaping is pure work on bytes, so it can run in worker
processes (`shaping_processes`), one per core, while the sink's own process fetches from
Kafka and writes files; with none, chunks are shaped in the calling thread.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from multiprocessing import get_context
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.ipc

from vaxflow_events import REGISTRY, Envelope, Event, EventRegistry, InvalidMessage
from vaxflow_events.fast import FastRegistry, Vouched
from vaxflow_warehouse.domain.layout import OffsetRange, PartName
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import Provenance, RowShaper, columns_for
from vaxflow_warehouse.store.json_tables import JsonTables, NotCanonical
from vaxflow_warehouse.store.parquet import combine, to_table
from vaxflow_warehouse.store.ranges import RangeStore

CHUNK_ROWS = 10_000
"""Messages of one partition shaped together (one task of a worker process)."""

CHECK_BLOCK = 200
"""Messages validated together by the compiled contracts (their patterns matched at once)."""

PARENT_CHECK_SECONDS = 1.0
"""How often a worker process looks whether the sink's process is still there."""

YOUNG_COLLECTION_THRESHOLD = 50_000
"""Objects allocated (less those freed) between two collections of the garbage collector's
youngest generation in a process that ingests; Python's default is 700."""

TableKey = tuple[str, date]
"""The event type and day of a part."""


class RawMessage(Protocol):
    """What the sink needs of a Kafka record."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that does not parse: it goes to the dead-letter topic, never into a file."""

    message: RawMessage
    reason: str


@dataclass(frozen=True, slots=True)
class ShapedChunk:
    """A chunk's tables by event type and day, and its rejected messages (index, reason)."""

    tables: dict[TableKey, pa.Table]
    rejected: tuple[tuple[int, str], ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # From a worker process as Arrow IPC streams: a few times cheaper than pickling
        # tables, and read back without copying.
        streams = [_ipc_stream(table) for table in self.tables.values()]
        return (_shaped_from_streams, (tuple(self.tables), streams, self.rejected))


def _ipc_stream(table: pa.Table) -> bytes:
    out = pa.BufferOutputStream()
    with pa.ipc.new_stream(out, table.schema) as writer:
        writer.write_table(table)
    return bytes(out.getvalue())


def _shaped_from_streams(
    keys: tuple[TableKey, ...], streams: list[bytes], rejected: tuple[tuple[int, str], ...]
) -> ShapedChunk:
    tables = [pa.ipc.open_stream(stream).read_all() for stream in streams]
    return ShapedChunk(dict(zip(keys, tables, strict=True)), rejected)


@dataclass
class Chunk:
    """Messages handed to shaping, and the shaping's result once it is there."""

    messages: list[RawMessage]
    future: Future[ShapedChunk]
    shaped: ShapedChunk | None = None


@dataclass
class PartitionBatch:
    """The messages of one partition held since the last write."""

    topic: str
    partition: int
    first: int | None = None
    last: int = -1
    unshaped: list[RawMessage] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    size: int = 0

    def counts(self) -> dict[str, int]:
        """Rows held per event type, in the chunks shaped so far."""
        counts: dict[str, int] = defaultdict(int)
        for chunk in self.chunks:
            for (event_type, _), table in (chunk.shaped.tables if chunk.shaped else {}).items():
                counts[event_type] += table.num_rows
        return dict(counts)

    @property
    def offsets(self) -> OffsetRange:
        """The offset range the batch covers."""
        assert self.first is not None, "an empty batch covers no offsets"
        return OffsetRange(self.first, self.last)


class Shaping:
    """Validates and pseudonymises chunks of raw messages into tables; holds the pseudonym key."""

    def __init__(self, shaper: RowShaper, registry: EventRegistry = REGISTRY) -> None:
        self._shaper = shaper
        self._tables = JsonTables(shaper.pseudonymiser)
        self._registry = registry
        self._fast = FastRegistry(registry)
        self._json_columns = frozenset(
            name for name in registry.event_types() if _has_json_columns(registry.event_class(name))
        )

    def chunk(
        self, topic: str, partition: int, values: Sequence[bytes | None], offsets: Sequence[int]
    ) -> ShapedChunk:
        """The tables of one chunk of a partition's messages, in offset order."""
        groups: dict[TableKey, _Group] = defaultdict(_Group)
        rejected: list[tuple[int, str]] = []
        json_columns = self._json_columns
        raws = [value or b"" for value in values]
        for start in range(0, len(raws), CHECK_BLOCK):
            # In small blocks, so that what was decoded is let go while it is still in cache.
            block = raws[start : start + CHECK_BLOCK]
            for index, raw, found in zip(
                range(start, start + len(block)), block, self._fast.check_many(block), strict=True
            ):
                facts: Vouched | Envelope[Event] | None = found
                if facts is None:
                    try:
                        facts = self._registry.parse(raw)
                    except InvalidMessage as error:
                        rejected.append((index, error.reason))
                        continue
                group = groups[(facts.event_type, facts.occurred_at.date())]
                group.values.append(raw)
                group.offsets.append(offsets[index])
                if facts.event_type in json_columns:
                    group.payloads.append(facts.payload)
        tables = {key: self._table(topic, partition, key[0], g) for key, g in groups.items()}
        return ShapedChunk(tables, tuple(rejected))

    def _table(self, topic: str, partition: int, event_type: str, group: _Group) -> pa.Table:
        event = self._registry.event_class(event_type)
        try:
            return self._tables.table(
                event,
                group.values,
                group.offsets,
                topic=topic,
                partition=partition,
                payloads=group.payloads,
            )
        except NotCanonical:
            rows = [
                self._shaper.shape(
                    self._registry.parse(value), Provenance(topic, partition, offset)
                ).row
                for value, offset in zip(group.values, group.offsets, strict=True)
            ]
            return to_table(columns_for(event), event_type, rows)


@dataclass
class _Group:
    """Validated messages of one event type and day within a chunk."""

    values: list[bytes] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    payloads: list[Any] = field(default_factory=list)  # only where a column needs them


@cache
def _has_json_columns(event: type[Event]) -> bool:
    """Whether a column is JSON text, made from the validated payload (Arrow cannot write it)."""
    return any(c.kind == "json" for c in columns_for(event))


class Ingest:
    """Cuts batches into chunks, has them shaped, and stores batches as ranges."""

    def __init__(
        self,
        shaper: RowShaper,
        store: RangeStore,
        registry: EventRegistry = REGISTRY,
        *,
        pool: ShapingPool | None = None,
    ) -> None:
        self._shaping = Shaping(shaper, registry)
        self._store = store
        self._pool = pool

    def add(self, batch: PartitionBatch, messages: Sequence[RawMessage]) -> None:
        """Add messages (in offset order) to their partition's batch."""
        if not messages:
            return
        if batch.first is None:
            batch.first, batch.started = messages[0].offset, time.monotonic()
        batch.last = messages[-1].offset
        batch.size += len(messages)
        batch.unshaped.extend(messages)
        while len(batch.unshaped) >= CHUNK_ROWS:
            self._submit(batch, batch.unshaped[:CHUNK_ROWS])
            del batch.unshaped[:CHUNK_ROWS]

    def shape_rest(self, batch: PartitionBatch) -> None:
        """Have the messages not yet in a chunk shaped now, as a chunk of their own."""
        if batch.unshaped:
            self._submit(batch, batch.unshaped)
            batch.unshaped = []

    async def ready(self, batch: PartitionBatch) -> None:
        """Wait until every message of the batch is shaped; `batch.rejected` is then whole."""
        self.shape_rest(batch)
        waiting = [asyncio.wrap_future(c.future) for c in batch.chunks if c.shaped is None]
        await asyncio.gather(*waiting)
        self._collect(batch)

    def store(self, batch: PartitionBatch) -> OffsetRange:
        """Write the batch's parts and range record durably; return the range stored."""
        self.shape_rest(batch)
        self._collect(batch)
        offsets = batch.offsets
        tables: dict[TableKey, list[pa.Table]] = defaultdict(list)
        for chunk in batch.chunks:
            assert chunk.shaped is not None
            for key, table in chunk.shaped.tables.items():
                tables[key].append(table)
        parts = {
            PartName(event_type, day, batch.topic, batch.partition, offsets): combine(found)
            for (event_type, day), found in sorted(tables.items())
        }
        self._store.store_batch(
            batch.topic, batch.partition, offsets, parts, dead_letters=len(batch.rejected)
        )
        return offsets

    async def start(self) -> None:
        """Start the worker processes, if any, and wait until they have loaded the contracts."""
        if self._pool is not None:
            await self._pool.start()

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.close()

    def _submit(self, batch: PartitionBatch, messages: list[RawMessage]) -> None:
        values = [m.value for m in messages]
        offsets = [m.offset for m in messages]
        future: Future[ShapedChunk]
        if self._pool is None:
            future = Future()
            future.set_result(self._shaping.chunk(batch.topic, batch.partition, values, offsets))
        else:
            future = self._pool.submit(batch.topic, batch.partition, values, offsets)
        batch.chunks.append(Chunk(messages, future))

    def _collect(self, batch: PartitionBatch) -> None:
        """Take the results of finished chunks, in order; a worker's failure is raised here."""
        for chunk in batch.chunks:
            if chunk.shaped is None:
                chunk.shaped = chunk.future.result()
                batch.rejected.extend(
                    Rejected(chunk.messages[index], reason)
                    for index, reason in chunk.shaped.rejected
                )


class ShapingPool:
    """Worker processes that shape chunks, each with the contracts and the pseudonym key."""

    def __init__(self, processes: int, pseudonym_key: bytes) -> None:
        self.processes = processes
        self._started = False
        self._executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(pseudonym_key,),
        )

    def submit(
        self, topic: str, partition: int, values: Sequence[bytes | None], offsets: Sequence[int]
    ) -> Future[ShapedChunk]:
        """Shape a chunk in one of the workers."""
        return self._executor.submit(_shape_chunk, topic, partition, values, offsets)

    async def start(self) -> None:
        """Start every worker now rather than at the first chunk, and wait until they are up."""
        if not self._started:
            waits = [self._executor.submit(_settle) for _ in range(self.processes)]
            await asyncio.gather(*(asyncio.wrap_future(w) for w in waits))
            self._started = True

    def close(self) -> None:
        """Stop the workers; chunks not started are dropped (their batch was not stored)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def shaping_pool(processes: int, pseudonym_key: bytes) -> ShapingPool | None:
    """The worker processes of the settings, or None to shape in the sink's own process."""
    return ShapingPool(processes, pseudonym_key) if processes > 0 else None


_WORKER_SHAPING: Shaping | None = None


def _start_worker(pseudonym_key: bytes) -> None:
    global _WORKER_SHAPING
    _WORKER_SHAPING = Shaping(RowShaper(Pseudonymiser(pseudonym_key)))
    settle_collector()
    end_with_parent(os.getppid())


def settle_collector() -> None:
    """Tune this process's garbage collector for ingest, which holds tens of thousands of
    records at a time.

    With Python's defaults a batch's records are walked by collection after collection on
    their way to the oldest generation, and every full collection walks again the hundreds of
    thousands of objects made at start (modules, contracts, schemas): measured, about a
    quarter of the sink's time. So what exists now is frozen (never walked again; it lives as
    long as the process anyway) and the youngest generation is collected after 50,000
    allocations rather than 700. Cycles are still collected, only less often.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)


def end_with_parent(parent: int) -> None:
    """End this child process within a second of `parent` going (a SIGKILL gives it no time
    to say), from a thread watching for it."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _shape_chunk(
    topic: str, partition: int, values: Sequence[bytes | None], offsets: Sequence[int]
) -> ShapedChunk:
    assert _WORKER_SHAPING is not None, "the pool's initializer sets the shaping up"
    return _WORKER_SHAPING.chunk(topic, partition, values, offsets)


def _settle() -> None:
    # Long enough that each worker takes one of these tasks, so every worker has started.
    time.sleep(0.2)
