"""The columns of each event type's table, derived from its contract, personal fields removed.

Every payload field becomes a column: value objects are flattened (`vaccination_lot_id`),
tuples of codes become lists, tuples of value objects become JSON text. Personal fields never
become columns: a holder becomes `<field>_age_band`, a citizen id becomes `<field>` renamed
`..._key` (a keyed hash), and names, transliterations, dates of birth, national ids, phone
numbers, addresses, account ids and UVCIs are dropped. An optional field, or a field added by
a later schema version, is a nullable column.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import AwareDatetime, BaseModel

from vaxflow_events import Event, Holder

Kind = Literal["string", "int64", "float64", "bool", "date", "timestamp", "list_string", "json"]
Role = Literal["value", "citizen_key", "age_band"]

DROPPED_NAMES = frozenset(
    {
        "family_name",
        "given_name",
        "family_name_icao",
        "given_name_icao",
        "date_of_birth",
        "national_id",
        "phone",
        "phone_number",
        "address",
        "address_line",
        "account_id",
        "uvci",
    }
)
"""Payload fields that are personal (or link to a person outside VaxFlow) and never stored."""

PERSONAL_COLUMN_MARKERS = (
    "name",
    "icao",
    "birth",
    "national_id",
    "phone",
    "address",
    "account",
    "uvci",
    "citizen_id",
)
"""No column name may contain one of these; the privacy tests check every written file."""

ENVELOPE_COLUMNS: tuple[tuple[str, Kind, bool], ...] = (
    ("event_id", "string", False),
    ("event_type", "string", False),
    ("schema_version", "int64", False),
    ("occurred_at", "timestamp", False),
    ("producer", "string", False),
    ("correlation_id", "string", False),
    ("causation_id", "string", True),
    ("kafka_topic", "string", False),
    ("kafka_partition", "int64", False),
    ("kafka_offset", "int64", False),
)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an event type's table and where its value comes from in the payload."""

    name: str
    kind: Kind
    nullable: bool
    path: tuple[str, ...] = ()
    role: Role = "value"
    uuid: bool = False  # a UUID in the contract, written as text (`str(UUID)`)


def event_columns(event: type[Event]) -> tuple[Column, ...]:
    """The envelope columns, then one column per (flattened, pseudonymised) payload field."""
    envelope = tuple(Column(name, kind, nullable) for name, kind, nullable in ENVELOPE_COLUMNS)
    return envelope + tuple(_fields(event, (), nullable=False))


def _fields(model: type[BaseModel], path: tuple[str, ...], *, nullable: bool) -> Iterator[Column]:
    for name, field in model.model_fields.items():
        if name in DROPPED_NAMES:
            continue
        annotation, optional = _unwrap(field.annotation)
        nullable_here = nullable or optional or not field.is_required()
        yield from _columns_of(name, annotation, (*path, name), nullable=nullable_here)


def _columns_of(
    name: str, annotation: Any, path: tuple[str, ...], *, nullable: bool
) -> Iterator[Column]:
    column = "_".join(path)
    if annotation is Holder:
        yield Column(f"{column}_age_band", "string", nullable, path, "age_band")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _fields(annotation, path, nullable=nullable)
    elif name.endswith("citizen_id"):
        yield Column(column.removesuffix("_id") + "_key", "string", nullable, path, "citizen_key")
    else:
        yield Column(column, _kind(annotation), nullable, path, uuid=annotation is UUID)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Annotated and Optional; say whether None was allowed."""
    if get_origin(annotation) is Annotated:
        return _unwrap(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        inner, _ = _unwrap(members[0]) if len(members) == 1 else (str, False)
        return inner, True
    return annotation, False


def _kind(annotation: Any) -> Kind:
    if get_origin(annotation) is tuple:
        item, _ = _unwrap(get_args(annotation)[0])
        is_model = isinstance(item, type) and issubclass(item, BaseModel)
        return "json" if is_model else "list_string"
    if get_origin(annotation) is Literal:
        return "string"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int64"
    if annotation is float:
        return "float64"
    if annotation in (datetime, AwareDatetime):
        return "timestamp"
    if annotation is date:
        return "date"
    if annotation in (str, UUID) or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return "string"
    raise TypeError(f"no warehouse column type for {annotation!r}")
