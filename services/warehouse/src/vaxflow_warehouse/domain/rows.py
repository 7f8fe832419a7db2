"""Row shaping: one validated message becomes one pseudonymised row of its event type's table.

The envelope is validated first (a message that does not parse never reaches here); the row
is read from the payload's JSON-mode dump, where identifiers, codes and times are already
canonical text: timestamps and dates stay ISO 8601 strings until the Parquet writer casts whole
columns, much faster than converting Python objects field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

from vaxflow_events import Envelope, Event
from vaxflow_warehouse.domain.columns import Column, event_columns
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser, age_band

Row = dict[str, Any]

# The date a holder's age is taken on: the day of the dose where the event has one, else the
# day the event happened.
AGE_DATE_PATHS: Mapping[str, tuple[str, ...]] = {
    "DoseAdministered": ("vaccination", "administered_on"),
    "DoseCorrected": ("current", "administered_on"),
}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a message was read: topic, partition and offset."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class ShapedRow:
    """A row ready for its table: the event type and day choose the file it goes to."""

    event_type: str
    day: date
    row: Row


@cache
def columns_for(event: type[Event]) -> tuple[Column, ...]:
    """The columns of an event type's table (computed once per class)."""
    return event_columns(event)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to read an event type's columns from its payload dump, compiled once.

    Plain values at the top level and one level down (value objects) are read with
    `itemgetter`, in C; pseudonyms, age bands and JSON text go column by column.
    """

    top: tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
    nested: tuple[tuple[str, tuple[str, ...], Callable[[Any], tuple[Any, ...]]], ...]
    special: tuple[Column, ...]


def _getter(keys: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    if not keys:
        return lambda d: ()
    if len(keys) == 1:
        key = keys[0]
        return lambda d: (d[key],)
    return itemgetter(*keys)


@cache
def _plan(event: type[Event]) -> _Plan:
    plain = [c for c in columns_for(event) if c.path and c.role == "value" and c.kind != "json"]
    top = [c for c in plain if len(c.path) == 1]
    groups: dict[str, list[Column]] = {}
    for c in plain:
        if len(c.path) == 2:
            groups.setdefault(c.path[0], []).append(c)
    planned = {c.name for c in top} | {c.name for cs in groups.values() for c in cs}
    return _Plan(
        top=(tuple(c.name for c in top), _getter([c.path[0] for c in top])),
        nested=tuple(
            (field, tuple(c.name for c in cs), _getter([c.path[1] for c in cs]))
            for field, cs in groups.items()
        ),
        special=tuple(c for c in columns_for(event) if c.path and c.name not in planned),
    )


class RowShaper:
    """Flattens and pseudonymises validated envelopes; holds the pseudonym key."""

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        self._pseudonymiser = pseudonymiser

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """The keyed hash this shaper uses for citizen ids."""
        return self._pseudonymiser

    def shape(self, envelope: Envelope[Event], where: Provenance) -> ShapedRow:
        """The row of one validated message; personal fields never reach it."""
        payload = envelope.payload.model_dump(mode="json")
        row = _envelope_row(envelope, where)
        day = envelope.occurred_at.date()
        age_path = AGE_DATE_PATHS.get(envelope.event_type)
        age_date = date.fromisoformat(_get(payload, age_path)) if age_path else day
        plan = _plan(type(envelope.payload))
        names, get = plan.top
        row.update(zip(names, get(payload), strict=True))
        for field, names, get in plan.nested:
            part = payload[field]
            values = get(part) if part is not None else (None,) * len(names)
            row.update(zip(names, values, strict=True))
        for column in plan.special:
            row[column.name] = self._special(column, _get(payload, column.path), age_date)
        return ShapedRow(envelope.event_type, day, row)

    def _special(self, column: Column, value: Any, age_date: date) -> Any:
        if value is None:
            return None
        if column.role == "citizen_key":
            return self._pseudonymiser.citizen_key(value)
        if column.role == "age_band":
            return age_band(date.fromisoformat(value["date_of_birth"]), age_date)
        return json.dumps(value) if column.kind == "json" else value


def _envelope_row(envelope: Envelope[Event], where: Provenance) -> Row:
    return {
        "event_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "schema_version": envelope.schema_version,
        "occurred_at": envelope.occurred_at,
        "producer": envelope.producer,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "kafka_topic": where.topic,
        "kafka_partition": where.partition,
        "kafka_offset": where.offset,
    }


def _get(payload: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = payload
    for part in path:
        if value is None:
            return None
        value = value.get(part)
    return value
