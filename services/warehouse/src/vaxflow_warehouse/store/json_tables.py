"""Tables read straight from the messages' JSON by Arrow's reader, in C++, a chunk at a time.

The row path (rows.py, then `to_table`) turns each validated message into Python objects and
then into columns: about 40 µs a message, most of the sink's time. Messages VaxFlow's producers
write are canonical already: compact JSON, one object per line, lower-case UUIDs, ISO 8601
times. So a chunk of validated messages of one event type is parsed here as JSON lines against
a schema derived from the same columns; personal fields are not in that schema and are never
read. The table is the one the row path gives for the same messages, which the tests check
event type by event type. A chunk that is not canonical (a UUID in another spelling, a time
Arrow cannot read, a message over several lines) raises `NotCanonical`, and the row path
reads it instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from pydantic import BaseModel

from vaxflow_events import Event
from vaxflow_warehouse.domain.columns import Column
from vaxflow_warehouse.domain.pseudonyms import AGE_BANDS, Pseudonymiser
from vaxflow_warehouse.domain.rows import AGE_DATE_PATHS, columns_for
from vaxflow_warehouse.store.parquet import ARROW_TYPES, arrow_schema

HYPHENATED_UUID_LENGTH = 36
"""The length of a UUID's hyphenated form, the one the row path writes (`str(UUID)`).

The contracts accept a UUID in four spellings (32 hex digits, hyphenated, braced, URN); at 36
characters only the hyphenated one, so a validated UUID of that length, lower-cased, is what
the row path writes. Any other length sends the chunk the row path."""

ENVELOPE_READ: tuple[tuple[str, pa.DataType], ...] = (
    ("event_id", pa.string()),
    ("event_type", pa.string()),
    ("schema_version", pa.int64()),
    ("occurred_at", pa.string()),
    ("producer", pa.string()),
    ("correlation_id", pa.string()),
    ("causation_id", pa.string()),
)

BLOCK_BYTES = 1 << 22
"""Arrow reads the lines in blocks of this size; a block holds whole lines (Kafka's limit
on a message is 1 MiB, so a line always fits)."""


class NotCanonical(Exception):
    """The chunk is valid but not as VaxFlow writes it: the row path reads it."""


Tree = dict[str, "Tree | pa.DataType"]


@dataclass(frozen=True, slots=True)
class _Layout:
    """What to parse for one event type, and the columns to make of it."""

    event_type: str
    columns: tuple[Column, ...]
    read: pa.Schema
    age_date: tuple[str, ...] | None


@cache
def _layout(event: type[Event]) -> _Layout:
    columns = columns_for(event)
    tree: Tree = {}
    for column in columns:
        if not column.path or column.kind == "json":
            continue
        if column.role == "age_band":
            _insert(tree, (*column.path, "date_of_birth"), pa.string())
        elif column.kind in ("timestamp", "date"):
            _insert(tree, column.path, pa.string())  # cast as whole columns once read
        else:
            _insert(tree, column.path, ARROW_TYPES[column.kind])
    age_date = AGE_DATE_PATHS.get(event.event_type)
    if age_date is not None:
        _insert(tree, age_date, pa.string())
    fields = [pa.field(name, kind) for name, kind in ENVELOPE_READ]
    fields.append(pa.field("payload", pa.struct(_fields(tree))))
    return _Layout(event.event_type, columns, pa.schema(fields), age_date)


def _insert(tree: Tree, path: tuple[str, ...], kind: pa.DataType) -> None:
    for part in path[:-1]:
        branch = tree.setdefault(part, {})
        assert isinstance(branch, dict), f"{part} is both a value and an object"
        tree = branch
    tree.setdefault(path[-1], kind)


def _fields(tree: Tree) -> list[pa.Field]:
    return [
        pa.field(name, pa.struct(_fields(kind)) if isinstance(kind, dict) else kind)
        for name, kind in tree.items()
    ]


class JsonTables:
    """Builds an event type's table from raw messages; holds the pseudonym key."""

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        self._pseudonymiser = pseudonymiser
        self._read_options = pj.ReadOptions(use_threads=False, block_size=BLOCK_BYTES)

    def table(
        self,
        event: type[Event],
        values: Sequence[bytes],
        offsets: Sequence[int],
        *,
        topic: str,
        partition: int,
        payloads: Sequence[Any] = (),
    ) -> pa.Table:
        """The table of these validated messages of one event type, in their order.

        `payloads` are the validated payloads, needed only for an event type with JSON text
        columns (Arrow reads JSON but does not write it back).
        """
        layout = _layout(event)
        lines = b"\n".join(values)
        if lines.count(b"\n") != len(values) - 1:
            raise NotCanonical("a message spans several lines")
        try:
            parsed = pj.read_json(
                pa.BufferReader(lines),
                read_options=self._read_options,
                parse_options=pj.ParseOptions(
                    explicit_schema=layout.read, unexpected_field_behavior="ignore"
                ),
            )
            if parsed.num_rows != len(values):
                raise NotCanonical("the reader found another number of messages")
            return self._columns(layout, _flat(parsed), offsets, topic, partition, payloads)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise NotCanonical(str(error)) from None

    def _columns(
        self,
        layout: _Layout,
        flat: dict[str, pa.ChunkedArray],
        offsets: Sequence[int],
        topic: str,
        partition: int,
        payloads: Sequence[Any],
    ) -> pa.Table:
        count = len(offsets)
        occurred = flat["occurred_at"].cast(ARROW_TYPES["timestamp"])
        made: dict[str, Any] = {
            "occurred_at": occurred,
            "kafka_topic": pa.repeat(pa.scalar(topic), count),
            "kafka_partition": pa.repeat(pa.scalar(partition, pa.int64()), count),
            "kafka_offset": pa.array(offsets, pa.int64()),
        }
        made["event_id"] = _canonical_uuids(flat["event_id"])
        for column in layout.columns:
            if column.name in made:
                continue
            if not column.path:
                made[column.name] = flat[column.name]
                continue
            source = ".".join(("payload", *column.path))
            if column.kind == "json":
                made[column.name] = _json_text(column, payloads)
            elif column.role == "citizen_key":
                made[column.name] = self._keys(flat[source])
            elif column.role == "age_band":
                born = flat[f"{source}.date_of_birth"].cast(pa.date32())
                made[column.name] = _age_bands(born, _age_dates(layout, flat, occurred))
            elif column.uuid:
                made[column.name] = _canonical_uuids(flat[source])
            else:
                made[column.name] = flat[source].cast(ARROW_TYPES[column.kind])
        versions = pc.unique(flat["schema_version"]).to_pylist()
        schema = arrow_schema(layout.columns, layout.event_type, versions)
        return pa.Table.from_arrays([made[c.name] for c in layout.columns], schema=schema)

    def _keys(self, ids: pa.ChunkedArray) -> pa.Array:
        key: Callable[[str], str] = self._pseudonymiser.citizen_key
        texts = _canonical_uuids(ids).to_pylist()
        return pa.array([None if i is None else key(i) for i in texts], pa.string())


def _flat(table: pa.Table) -> dict[str, pa.ChunkedArray]:
    """Columns by dotted path, nested objects flattened (a null object gives null fields)."""
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return dict(zip(table.column_names, table.columns, strict=True))


def _canonical_uuids(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Validated UUIDs as `str(UUID)` writes them, or NotCanonical for another spelling."""
    lengths = pc.min_max(pc.utf8_length(values)).as_py()
    if lengths["min"] is not None and (
        lengths["min"] != HYPHENATED_UUID_LENGTH or lengths["max"] != HYPHENATED_UUID_LENGTH
    ):
        raise NotCanonical("a UUID is not in its hyphenated spelling")
    return pc.ascii_lower(values)


def _json_text(column: Column, payloads: Sequence[Any]) -> pa.Array:
    """A JSON text column from the validated payloads (models, or the structs of the compiled
    contracts), as the row path writes it."""
    top, *rest = column.path
    texts = []
    for payload in payloads:
        value: Any = (
            payload.model_dump(mode="json", include={top}).get(top)
            if isinstance(payload, BaseModel)
            else msgspec.to_builtins(getattr(payload, top))
        )
        for part in rest:
            value = None if value is None else value.get(part)
        texts.append(None if value is None else json.dumps(value))
    return pa.array(texts, pa.string())


def _age_dates(
    layout: _Layout, flat: dict[str, pa.ChunkedArray], occurred: pa.ChunkedArray
) -> pa.ChunkedArray:
    """The day each holder's age is taken on: the dose's day where there is one."""
    if layout.age_date is None:
        return occurred.cast(pa.date32())
    return flat[".".join(("payload", *layout.age_date))].cast(pa.date32())


def _age_bands(born: pa.ChunkedArray, on: pa.ChunkedArray) -> pa.ChunkedArray:
    """The band of `pseudonyms.age_band`, computed on whole columns."""
    years = pc.subtract(pc.year(on), pc.year(born))
    birthday_ahead = pc.less(_month_day(on), _month_day(born))
    age = pc.max_element_wise(pc.subtract(years, birthday_ahead.cast(pa.int64())), 0)
    index = pa.repeat(pa.scalar(0, pa.int64()), len(born))
    for low, _, _ in AGE_BANDS[1:]:
        index = pc.add(index, pc.greater_equal(age, low).cast(pa.int64()))
    labels = pa.array([label for _, _, label in AGE_BANDS], pa.string())
    return pc.take(labels, index)


def _month_day(days: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.add(pc.multiply(pc.month(days), 100), pc.day(days))
