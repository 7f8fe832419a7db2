"""Parquet tables of the event types: Arrow schemas from the derived columns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from vaxflow_warehouse.domain.columns import Column, Kind
from vaxflow_warehouse.domain.rows import Row

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "list_string": pa.list_(pa.string()),
    "json": pa.string(),
}


def arrow_schema(columns: Sequence[Column], event_type: str, versions: Sequence[int]) -> pa.Schema:
    """The schema of a part: typed, nullable where the contract allows, versions recorded."""
    fields = [pa.field(c.name, ARROW_TYPES[c.kind], nullable=c.nullable) for c in columns]
    metadata = {
        "vaxflow.event_type": event_type,
        "vaxflow.schema_versions": json.dumps(sorted(set(versions))),
    }
    return pa.schema(fields, metadata=metadata)


def to_table(columns: Sequence[Column], event_type: str, rows: Sequence[Row]) -> pa.Table:
    """Rows of one event type as an Arrow table, built column by column."""
    versions = [row["schema_version"] for row in rows]
    schema = arrow_schema(columns, event_type, versions)
    # Times and dates arrive as ISO 8601 text: read them as text, then cast whole columns.
    textual = {c.name for c in columns if c.kind in ("timestamp", "date") and _is_text(rows, c)}
    loose = pa.schema(
        [pa.field(f.name, pa.string()) if f.name in textual else f for f in schema],
        metadata=schema.metadata,
    )
    try:
        return pa.Table.from_pylist(list(rows), schema=loose).cast(schema)
    except pa.ArrowInvalid:  # a time Arrow cannot read: convert value by value
        arrays = [_array([row.get(c.name) for row in rows], c.kind) for c in columns]
        return pa.Table.from_arrays(arrays, schema=schema)


def _is_text(rows: Sequence[Row], column: Column) -> bool:
    return any(isinstance(row.get(column.name), str) for row in rows)


def _array(values: list[Any], kind: Kind) -> pa.Array:
    target = ARROW_TYPES[kind]
    if kind in ("timestamp", "date") and any(isinstance(v, str) for v in values):
        # ISO 8601 text from the message: one vectorised cast instead of a Python object each.
        try:
            return pa.array(values, pa.string()).cast(target)
        except pa.ArrowInvalid:
            return pa.array([_parse(kind, v) for v in values], target)
    return pa.array(values, target)


def _parse(kind: Kind, value: str | None) -> date | datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value) if kind == "timestamp" else date.fromisoformat(value)


def combine(tables: Sequence[pa.Table]) -> pa.Table:
    """One table from chunks of the same event type; the schema versions of all recorded."""
    if len(tables) == 1:
        return tables[0]
    versions: set[int] = set()
    for table in tables:
        versions.update(json.loads(table.schema.metadata[b"vaxflow.schema_versions"]))
    metadata = dict(tables[0].schema.metadata)
    metadata[b"vaxflow.schema_versions"] = json.dumps(sorted(versions)).encode()
    return pa.concat_tables(tables).replace_schema_metadata(metadata)


def write_table(table: pa.Table, f: BinaryIO) -> None:
    """Write one table as a Parquet file to an open binary file."""
    pq.write_table(table, f, compression="zstd")


def read_table(path: Path) -> pa.Table:
    """Read one Parquet part."""
    return pq.read_table(path)
