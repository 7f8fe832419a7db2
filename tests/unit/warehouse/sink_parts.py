"""Helpers: raw messages as the sink receives them, and reading every stored row back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import RowShaper
from vaxflow_warehouse.handlers.ingest import Ingest
from vaxflow_warehouse.store.ranges import RangeStore

from tests.unit.warehouse.factory import KEY
from vaxflow_events import Envelope, Event


@dataclass(frozen=True)
class Raw:
    """A Kafka record as far as the sink cares."""

    topic: str
    partition: int
    offset: int
    value: bytes | None


def raw_messages(
    envelopes: Iterable[Envelope[Event]], topic: str = "t.s.v1", partition: int = 0, start: int = 0
) -> list[Raw]:
    """Envelopes as consecutive records of one partition."""
    return [Raw(topic, partition, start + i, e.to_bytes()) for i, e in enumerate(envelopes)]


def ingest_into(root: Path) -> tuple[Ingest, RangeStore]:
    """An ingest writing to a data directory of the test's own."""
    store = RangeStore(root)
    return Ingest(RowShaper(Pseudonymiser(KEY)), store), store


def all_rows(store: RangeStore) -> list[dict[str, Any]]:
    """Every row of every part under its final name."""
    rows: list[dict[str, Any]] = []
    for path in store.data_files():
        rows.extend(pq.read_table(path).to_pylist())
    return rows
