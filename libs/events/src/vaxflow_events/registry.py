"""Parsing of raw messages into typed envelopes, through one discriminated union."""

import json
from collections.abc import Iterable
from typing import Annotated, Any, Union, cast

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from vaxflow_events.base import Event
from vaxflow_events.envelope import Envelope, envelope_type
from vaxflow_events.topics import ALL_EVENTS, TOPICS, Topic, topic_for


class InvalidMessage(ValueError):
    """A message that is not a valid envelope of a known event; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventRegistry:
    """The events a consumer understands, each with its topic."""

    def __init__(self, events: Iterable[type[Event]], *, topics: Iterable[Topic] = TOPICS) -> None:
        known_topics = tuple(topics)
        self._events: dict[str, type[Event]] = {}
        for event in events:
            if event.event_type in self._events:
                raise ValueError(f"event type {event.event_type!r} registered twice")
            self._events[event.event_type] = event
        if not self._events:
            raise ValueError("an event registry needs at least one event")
        self._topics = {name: topic_for(name, known_topics) for name in self._events}
        self._adapter: TypeAdapter[Envelope[Event]] = TypeAdapter(_tagged_union(self._events))

    def parse(self, raw: bytes | str) -> Envelope[Event]:
        """Validate a raw message, envelope and payload, or raise InvalidMessage.

        A tolerant reader: fields this version does not know are dropped, not refused, so a
        producer that adds an optional field (a compatible change, same topic version) does
        not break consumers still running the previous contracts. Everything else stays strict.
        """
        try:
            envelope = self._adapter.validate_json(raw)
        except ValidationError as error:
            envelope = self._without_unknown_fields(raw, error)
        self._check_key(envelope)
        return envelope

    def _without_unknown_fields(self, raw: bytes | str, error: ValidationError) -> Envelope[Event]:
        details = error.errors(include_url=False)
        if any(d["type"] != "extra_forbidden" for d in details):
            # Not chained: pydantic's error repeats the input values, holder names included,
            # and tracebacks end up in logs. The reason names the fields without the values.
            raise InvalidMessage(self._reason(error)) from None
        message = json.loads(raw)
        for detail in details:
            _drop(message, detail["loc"][1:] if detail["loc"][0] in self._events else detail["loc"])
        try:
            return self._adapter.validate_json(json.dumps(message))
        except ValidationError as again:
            raise InvalidMessage(self._reason(again)) from None

    def event_types(self) -> tuple[str, ...]:
        """Return the event type names this registry parses, in registration order."""
        return tuple(self._events)

    def event_class(self, event_type: str) -> type[Event]:
        """Return the event class of an event type name."""
        return self._events[event_type]

    def topic_for(self, event_type: str) -> Topic:
        """Return the topic that carries an event type."""
        return self._topics[event_type]

    def _check_key(self, envelope: Envelope[Event]) -> None:
        topic = self._topics[envelope.event_type]
        expected = topic.key_of(envelope.payload)
        if envelope.key != expected:
            raise InvalidMessage(
                f"{envelope.event_type}: key {envelope.key!r} is not "
                f"payload.{topic.key_field} {expected!r}"
            )

    def _reason(self, error: ValidationError) -> str:
        details = error.errors(include_url=False)
        first = details[0]
        if first["type"] == "json_invalid":
            return f"bad JSON: {first.get('ctx', {}).get('error', first['msg'])}"
        if first["type"] == "union_tag_invalid":
            return f"unknown event type {first.get('ctx', {}).get('tag')!r}"
        if first["type"] == "union_tag_not_found":
            return "missing event_type"
        return "; ".join(self._describe(detail) for detail in details)

    def _describe(self, detail: ErrorDetails) -> str:
        location = detail["loc"]
        # A tagged union puts the tag first; the reader wants the event and the field path.
        if location and location[0] in self._events:
            event_type, location = str(location[0]), location[1:]
            path = ".".join(str(part) for part in location) or "envelope"
            return f"{event_type}: {path}: {detail['msg']}"
        path = ".".join(str(part) for part in location) or "message"
        return f"{path}: {detail['msg']}"


def _drop(message: Any, path: tuple[int | str, ...]) -> None:
    """Remove the field at `path` (keys and list positions) from a parsed JSON message."""
    *parents, last = path
    node = message
    for part in parents:
        node = node[part]
    del node[last]


def _tagged_union(events: dict[str, type[Event]]) -> Any:
    members = tuple(envelope_type(event) for event in events.values())
    return Annotated[cast(Any, Union)[members], Field(discriminator="event_type")]


REGISTRY = EventRegistry(ALL_EVENTS)
"""Every VaxFlow event, on the topics of ARCHITECTURE.md section 3."""
