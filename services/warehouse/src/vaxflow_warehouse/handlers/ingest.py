"""Ingest: raw messages of one partition become a batch of rows, stored as one offset range."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pyarrow as pa

from vaxflow_events import REGISTRY, EventRegistry, InvalidMessage
from vaxflow_warehouse.domain.layout import OffsetRange, PartName
from vaxflow_warehouse.domain.rows import Provenance, Row, RowShaper, columns_for
from vaxflow_warehouse.store.parquet import combine, to_table
from vaxflow_warehouse.store.ranges import RangeStore

CHUNK_ROWS = 2000
"""Rows of one event type and day held as Python objects before they become an Arrow table."""


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


@dataclass
class PartitionBatch:
    """The messages of one partition held since the last write."""

    topic: str
    partition: int
    first: int | None = None
    last: int = -1
    rows: dict[tuple[str, date], list[Row]] = field(default_factory=lambda: defaultdict(list))
    # Rows already turned into Arrow tables: compact, and outside Python's heap.
    chunks: dict[tuple[str, date], list[pa.Table]] = field(
        default_factory=lambda: defaultdict(list)
    )
    rejected: list[Rejected] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    size: int = 0

    def counts(self) -> dict[str, int]:
        """Rows held per event type."""
        counts: dict[str, int] = defaultdict(int)
        for (event_type, _), rows in self.rows.items():
            counts[event_type] += len(rows)
        for (event_type, _), tables in self.chunks.items():
            counts[event_type] += sum(t.num_rows for t in tables)
        return dict(counts)

    @property
    def offsets(self) -> OffsetRange:
        """The offset range the batch covers."""
        assert self.first is not None, "an empty batch covers no offsets"
        return OffsetRange(self.first, self.last)


class Ingest:
    """Parses and pseudonymises messages into batches, and stores batches as ranges."""

    def __init__(
        self, shaper: RowShaper, store: RangeStore, registry: EventRegistry = REGISTRY
    ) -> None:
        self._shaper = shaper
        self._store = store
        self._registry = registry

    def add(self, batch: PartitionBatch, messages: Sequence[RawMessage]) -> None:
        """Add messages (in offset order) to their partition's batch."""
        for message in messages:
            if batch.first is None:
                batch.first, batch.started = message.offset, time.monotonic()
            batch.last = message.offset
            batch.size += 1
            try:
                envelope = self._registry.parse(message.value or b"")
            except InvalidMessage as error:
                batch.rejected.append(Rejected(message, error.reason))
                continue
            where = Provenance(message.topic, message.partition, message.offset)
            shaped = self._shaper.shape(envelope, where)
            key = (shaped.event_type, shaped.day)
            rows = batch.rows[key]
            rows.append(shaped.row)
            if len(rows) >= CHUNK_ROWS:
                batch.chunks[key].append(self._table(shaped.event_type, rows))
                batch.rows[key] = []

    def store(self, batch: PartitionBatch) -> OffsetRange:
        """Write the batch's parts and range record durably; return the range stored."""
        offsets = batch.offsets
        parts: dict[PartName, pa.Table] = {}
        for event_type, day in sorted({*batch.rows, *batch.chunks}):
            rows = batch.rows.get((event_type, day), [])
            tables = [*batch.chunks.get((event_type, day), [])]
            tables += [self._table(event_type, rows)] if rows else []
            name = PartName(event_type, day, batch.topic, batch.partition, offsets)
            parts[name] = combine(tables)
        self._store.store_batch(
            batch.topic, batch.partition, offsets, parts, dead_letters=len(batch.rejected)
        )
        return offsets

    def _table(self, event_type: str, rows: list[Row]) -> pa.Table:
        return to_table(columns_for(self._registry.event_class(event_type)), event_type, rows)
