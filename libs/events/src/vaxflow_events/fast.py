"""A second validator compiled from the contracts, for consumers that read streams in bulk.

`EventRegistry.parse` validates a message into pydantic models in about 13 µs. The warehouse
reads every stream, tens of thousands of messages a second, and only needs to know that a
message is valid, its event type and time, and a few values. `FastRegistry` compiles each
event's envelope from its pydantic model into msgspec structs with the same rules (types,
bounds, lengths, patterns, required and nullable fields, the models' own cross-field
validators) and decodes a message in about a third of that time.

It can only vouch for a message, never refuse one: the structs are built to be no laxer than
the models, so a message they accept is valid, but they are stricter in places (a UUID only
in its 32- or 36-character spellings, RFC 3339 times only, an unknown event type), so a
message they refuse is not necessarily invalid. `check` then answers None, and the caller
asks `EventRegistry.parse` for the verdict and its reason. A model using anything this
compiler does not know (another validator mode, a transforming constraint, an alias) is not
compiled at all: its messages always go to `parse`. The tests compare both verdicts on every
example event and on thousands of mutations of them.
"""

from __future__ import annotations

import re
import types
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Annotated, Any, Literal, Protocol, Union, get_args, get_origin
from uuid import UUID

import annotated_types
import msgspec
from pydantic import AfterValidator, AwareDatetime, BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from vaxflow_events.base import CONTRACT_CONFIG, Event, _to_utc
from vaxflow_events.envelope import envelope_type
from vaxflow_events.registry import REGISTRY, EventRegistry


class Unsupported(Exception):
    """A contract uses something the compiler does not translate; parse() validates it."""


class Vouched(Protocol):
    """A message the compiled contracts accept: valid, with what a bulk reader needs of it.

    It is the decoded envelope itself (a msgspec struct), with the model's field names."""

    event_type: str
    occurred_at: datetime
    """In UTC, as the models normalise it."""
    payload: Any
    """The payload as a msgspec struct with the model's field names and values."""


class FastRegistry:
    """Decodes raw messages with structs compiled from a registry's contracts."""

    def __init__(self, registry: EventRegistry = REGISTRY) -> None:
        self._events: dict[type[msgspec.Struct], _CompiledEvent] = {}
        self.unsupported: dict[str, str] = {}
        """Event types left to `parse`, with the reason."""
        for event_type in registry.event_types():
            event = registry.event_class(event_type)
            try:
                compiled = _envelope_struct(event)
            except Unsupported as error:
                self.unsupported[event_type] = str(error)
                continue
            key_field = registry.topic_for(event_type).key_field
            self._events[compiled.struct] = _CompiledEvent(
                event_type,
                attrgetter(f"payload.{key_field}"),
                event.model_fields[key_field].annotation is UUID,
                compiled.lifted,
            )
        envelopes = tuple(self._events)
        self._decoder = msgspec.json.Decoder(Union[envelopes]) if envelopes else None  # noqa: UP007

    def check(self, raw: bytes | str) -> Vouched | None:
        """The message's facts if the compiled contracts accept it, else None (ask parse)."""
        return self.check_many([raw])[0]

    def check_many(self, raws: Sequence[bytes | str]) -> list[Vouched | None]:
        """`check` of each message; patterns are matched a whole column at a time."""
        found: list[Any] = [None] * len(raws)
        if self._decoder is None:
            return found
        decode = self._decoder.decode
        by_type: dict[type[msgspec.Struct], list[int]] = defaultdict(list)
        for index, raw in enumerate(raws):
            try:
                envelope = decode(raw)
            except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
                continue
            found[index] = envelope
            by_type[type(envelope)].append(index)
        for struct, indexes in by_type.items():
            event = self._events[struct]
            envelopes = [found[i] for i in indexes]
            bad = event.failing(envelopes)
            keys = event.keys(envelopes)
            for index, envelope, key in zip(indexes, envelopes, keys, strict=True):
                if key != envelope.key:
                    found[index] = None
            for position in bad:
                found[indexes[position]] = None
        return found


@dataclass(frozen=True, slots=True)
class _Lifted:
    """A string field whose pattern is matched on whole columns, not in msgspec (where it
    costs a call into Python's `re` for each value)."""

    path: tuple[str, ...]
    single: re.Pattern[str]
    joined: re.Pattern[str]
    nullable: bool

    @classmethod
    def of(cls, pattern: str, *, nullable: bool) -> _Lifted:
        body = pattern.removeprefix("^").removesuffix(r"\Z")  # matched whole: no anchors
        return cls(
            (), re.compile(body), re.compile(f"(?:{body})(?:{SEPARATOR}(?:{body}))*"), nullable
        )

    def under(self, name: str) -> _Lifted:
        return _Lifted((name, *self.path), self.single, self.joined, self.nullable)

    def failing(self, column: Sequence[str | None]) -> set[int]:
        """Positions of the values the pattern refuses (a null one passes: it is allowed)."""
        values = [v for v in column if v is not None] if self.nullable else column
        if not values:
            return set()
        text = SEPARATOR.join(values)  # type: ignore[arg-type]
        # No value matches with the separator in it, so a whole match means each one does.
        if text.count(SEPARATOR) == len(values) - 1 and self.joined.fullmatch(text):
            return set()
        return {i for i, v in enumerate(column) if v is not None and not self.single.fullmatch(v)}


SEPARATOR = "\x00"
"""Between the values of a column matched at once: no compiled pattern matches it."""


@dataclass(frozen=True, slots=True)
class _CompiledEvent:
    event_type: str
    key_of: attrgetter[Any]
    key_is_uuid: bool
    lifted: tuple[_Lifted, ...]

    def failing(self, envelopes: list[Any]) -> set[int]:
        """Positions of the envelopes a lifted pattern refuses."""
        if not self.lifted:
            return set()
        getter = attrgetter(*(".".join(lifted.path) for lifted in self.lifted))
        rows = [getter(e) for e in envelopes]
        columns = zip(*rows, strict=True) if len(self.lifted) > 1 else [rows]
        bad: set[int] = set()
        for lifted, column in zip(self.lifted, columns, strict=True):
            bad |= lifted.failing(column)
        return bad

    def keys(self, envelopes: list[Any]) -> list[str]:
        """The payloads' key fields as `str()` writes them (UUIDs converted in C)."""
        values = [self.key_of(e) for e in envelopes]
        return msgspec.to_builtins(values) if self.key_is_uuid else [str(v) for v in values]


@dataclass(frozen=True, slots=True)
class _Compiled:
    struct: type[msgspec.Struct]
    lifted: tuple[_Lifted, ...]


def _envelope_struct(event: type[Event]) -> _Compiled:
    model = envelope_type(event)
    fields = {name: info for name, info in model.model_fields.items() if name != "event_type"}
    return _struct(model, fields, tag=event.event_type, lift=True)


@cache
def _model_struct(model: type[BaseModel], *, lift: bool) -> _Compiled:
    return _struct(model, dict(model.model_fields), tag=None, lift=lift)


def _struct(
    model: type[BaseModel], fields: dict[str, Any], *, tag: str | None, lift: bool
) -> _Compiled:
    """The struct of a model. With `lift`, patterns of string fields reached through
    required fields only are left out, to be matched on columns (`_Lifted`)."""
    _check_model(model)
    specs: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    utc_fields: list[str] = []
    lifted: list[_Lifted] = []
    for name, info in fields.items():
        if info.alias is not None or info.validation_alias is not None:
            raise Unsupported(f"{model.__name__}.{name} has an alias")
        found: list[_Lifted] | None = [] if lift else None
        kind, to_utc = _type(
            info.annotation, tuple(info.metadata), where=f"{model.__name__}.{name}", lift=found
        )
        lifted.extend(item.under(name) for item in found or ())
        if to_utc:
            utc_fields.append(name)
        if info.is_required():
            specs.append((name, kind))
        else:
            if info.default_factory is not None or info.default is not None:
                raise Unsupported(f"{model.__name__}.{name} has a default other than null")
            specs.append((name, kind, None))
    validators = [
        decorator.func for decorator in model.__pydantic_decorators__.model_validators.values()
    ]
    namespace: dict[str, Any] = (
        {"__post_init__": _post_init(tuple(utc_fields), tuple(validators))}
        if utc_fields or validators
        else {}
    )
    options: dict[str, Any] = {}
    if tag:
        options = {"tag_field": "event_type", "tag": tag}
        namespace["event_type"] = tag  # a class attribute, as `Vouched` has it
    struct = msgspec.defstruct(
        f"{model.__name__}Struct",
        specs,
        kw_only=True,
        gc=False,  # no cycles: many are held at once, and the collector need not scan them
        namespace=namespace,
        **options,
    )
    return _Compiled(struct, tuple(lifted))


def _check_model(model: type[BaseModel]) -> None:
    """Refuse a model whose validation this compiler would not reproduce exactly."""
    config = {k: v for k, v in model.model_config.items() if k not in ("title",)}
    if config != dict(CONTRACT_CONFIG):
        raise Unsupported(f"{model.__name__} has a configuration of its own")
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.validators or decorators.root_validators:
        raise Unsupported(f"{model.__name__} has field validators")
    if any(d.info.mode != "after" for d in decorators.model_validators.values()):
        raise Unsupported(f"{model.__name__} has a model validator run before or around")
    if model.model_post_init is not BaseModel.model_post_init:
        raise Unsupported(f"{model.__name__} has a post-init hook")


def _post_init(utc_fields: tuple[str, ...], validators: tuple[Any, ...]) -> Any:
    """Times to UTC (as the models' after-validator does), then the models' own rules.

    msgspec rounds a time given with more than six fractional digits to the microsecond where
    pydantic truncates it. That moves a time by at most a microsecond, which changes its day
    only if the rounded time is midnight exactly: such a time is left to parse(), so a
    vouched time always has the day, and the cross-field rules the verdict, of pydantic's."""

    # Written out for each struct (it runs for every object decoded): no loop over names.
    lines = ["def post_init(self):"]
    for name in utc_fields:
        lines += [
            f"    value = self.{name}",
            "    if value is not None:",
            "        if value.tzinfo is not UTC:",
            f"            value = self.{name} = value.astimezone(UTC)",
            "        if not (value.hour or value.minute or value.second or value.microsecond):",
            "            raise ValueError('a time at midnight exactly is left to pydantic')",
        ]
    if validators:
        lines += ["    try:"]
        lines += [f"        validator_{i}(self)" for i in range(len(validators))]
        lines += ["    except AssertionError as error:", "        raise ValueError(str(error))"]
    scope: dict[str, Any] = {"UTC": UTC} | {f"validator_{i}": v for i, v in enumerate(validators)}
    # The code is built from the models' field names, which are Python identifiers.
    exec("\n".join(lines), scope)  # noqa: S102  # nosec B102  # no outside text in it
    return scope["post_init"]


_BOUNDS = (annotated_types.Ge, annotated_types.Gt, annotated_types.Le, annotated_types.Lt)


def _type(
    annotation: Any,
    metadata: tuple[Any, ...],
    *,
    where: str,
    lift: list[_Lifted] | None,
    nullable: bool = False,
) -> tuple[Any, bool]:
    """The msgspec type of a pydantic annotation with its constraints, and whether it is
    a time normalised to UTC. With `lift`, a string's pattern is added there instead."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *more = get_args(annotation)
        return _type(inner, (*tuple(more), *metadata), where=where, lift=lift, nullable=nullable)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1 or len(get_args(annotation)) != 2:
            raise Unsupported(f"{where}: only `X | None` unions are compiled")
        # pydantic applies a nullable field's constraints to its value, as here.
        kind, to_utc = _type(members[0], metadata, where=where, lift=lift, nullable=True)
        return kind | None, to_utc
    meta, to_utc = _meta(metadata, where=where)
    if origin in (tuple, list):
        return _sequence(annotation, meta, where=where), False
    if to_utc or annotation is AwareDatetime:
        if not (to_utc and annotation is AwareDatetime):
            raise Unsupported(f"{where}: only aware times normalised to UTC are compiled")
        return _constrained(datetime, {**meta, "tz": True}), True
    if annotation is str and lift is not None and "pattern" in meta:
        lift.append(_Lifted.of(meta.pop("pattern"), nullable=nullable))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not meta:
        # Through a null object a column has no value to match: its patterns stay inside.
        compiled = _model_struct(annotation, lift=lift is not None and not nullable)
        if lift is not None:
            lift.extend(compiled.lifted)
        return compiled.struct, False
    return _constrained(_plain_type(annotation, bool(meta), where=where), meta), False


def _sequence(annotation: Any, meta: dict[str, Any], *, where: str) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
        raise Unsupported(f"{where}: only `tuple[X, ...]` is compiled")
    item, item_utc = _type(args[0], (), where=where, lift=None)
    if item_utc:
        raise Unsupported(f"{where}: times inside a sequence are not compiled")
    sequence: Any = tuple[item, ...] if origin is tuple else list[item]  # type: ignore[valid-type]
    return _constrained(sequence, meta)


def _plain_type(annotation: Any, constrained: bool, *, where: str) -> Any:
    """A type msgspec reads as pydantic does; only numbers and strings take constraints."""
    if annotation in (str, int, float):
        return annotation
    if not constrained:
        if annotation in (bool, UUID, date):
            return annotation
        if get_origin(annotation) is Literal and all(
            isinstance(a, str) for a in get_args(annotation)
        ):
            return annotation
        if (
            isinstance(annotation, type)
            and issubclass(annotation, Enum)
            and all(isinstance(member.value, str) for member in annotation)
        ):
            return annotation
    raise Unsupported(f"{where}: {annotation!r} is not compiled with its constraints")


def _meta(metadata: tuple[Any, ...], *, where: str) -> tuple[dict[str, Any], bool]:
    """msgspec's Meta arguments for pydantic's constraints, and whether times go to UTC."""
    meta: dict[str, Any] = {}
    to_utc = False
    for item in _expanded(metadata, where=where):
        if isinstance(item, AfterValidator) and item.func is _to_utc:
            to_utc = True
        elif isinstance(item, StringConstraints):
            meta.update(_string_meta(item, where=where))
        elif isinstance(item, annotated_types.MinLen | annotated_types.MaxLen):
            name = type(item).__name__.lower().replace("len", "_length")
            meta[name] = getattr(item, name)
        elif isinstance(item, _BOUNDS):
            name = type(item).__name__.lower()
            meta[name] = getattr(item, name)
        else:
            raise Unsupported(f"{where}: constraint {item!r} is not compiled")
    return meta, to_utc


def _string_meta(item: StringConstraints, *, where: str) -> dict[str, Any]:
    if item.strip_whitespace or item.to_upper or item.to_lower or item.ascii_only:
        raise Unsupported(f"{where}: a string constraint that changes or narrows text")
    if item.strict is False:
        raise Unsupported(f"{where}: a lax string")
    meta = {
        name: getattr(item, name)
        for name in ("min_length", "max_length")
        if getattr(item, name) is not None
    }
    if item.pattern is not None:
        meta["pattern"] = _python_pattern(str(item.pattern), where=where)
    return meta


def _expanded(metadata: tuple[Any, ...], *, where: str) -> list[Any]:
    """The constraints of `Annotated[X, Field(ge=1)]` are in the Field's own metadata."""
    found: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            bare = FieldInfo(annotation=item.annotation)
            bare.metadata = item.metadata
            bare.description = item.description
            if repr(item) != repr(bare):
                raise Unsupported(f"{where}: a Field with more than constraints")
            found.extend(_expanded(tuple(item.metadata), where=where))
        else:
            found.append(item)
    return found


_SIMPLE_PATTERN = re.compile(
    r"\^(?:[A-Za-z0-9_<:/#=-]|\[[A-Za-z0-9_<:/#+=-]+\]|\{[0-9]+(?:,[0-9]*)?\}|[*+?])*\$"
)


def _python_pattern(pattern: str, *, where: str) -> str:
    """pydantic's pattern (Rust regex, `$` only at the end) as Python's `re` reads it.

    Only simple anchored patterns are compiled (literals, classes, repetitions), where both
    engines agree but for `$`: Python's also matches before a final newline, so it becomes
    `\\Z`."""
    if not _SIMPLE_PATTERN.fullmatch(pattern):
        raise Unsupported(f"{where}: pattern {pattern!r} is not compiled")
    return pattern[:-1] + r"\Z"


def _constrained(kind: Any, meta: dict[str, Any]) -> Any:
    return Annotated[kind, msgspec.Meta(**meta)] if meta else kind
