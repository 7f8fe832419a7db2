"""The envelope around every event on the wire: routing, tracing, and one typed payload."""

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar, cast
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, StringConstraints, create_model

from vaxflow_events.base import CONTRACT_CONFIG, Event, UtcDatetime
from vaxflow_events.topics import Topic, topic_for

E = TypeVar("E", bound=Event)
F = TypeVar("F", bound=Event)

ProducerName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
TraceId = Annotated[str, StringConstraints(min_length=1, max_length=200)]

HEADER_FIELDS = (
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "producer",
    "correlation_id",
    "causation_id",
)
"""Envelope fields copied into Kafka headers, so routing needs no JSON parsing."""


class Envelope(BaseModel, Generic[E]):
    """Every message on every topic: the event and what is needed to route and trace it."""

    model_config = CONTRACT_CONFIG

    event_id: UUID = Field(description="Unique forever; consumers deduplicate on it.")
    event_type: str = Field(description="Name of the payload's event, in the past tense.")
    schema_version: int = Field(
        ge=1, description="Version of the payload's schema; compatible changes raise it."
    )
    occurred_at: UtcDatetime = Field(description="When the event happened, in UTC.")
    producer: ProducerName = Field(description="Service that produced the event.")
    key: TraceId = Field(description="Kafka message key: the payload field named by the topic.")
    correlation_id: TraceId = Field(
        description="Shared by every event of one flow: the first event's id or the request id."
    )
    causation_id: TraceId | None = Field(
        default=None, description="`event_id` of the event that caused this one, or null."
    )
    payload: E = Field(description="The event.")

    @classmethod
    def new(
        cls,
        payload: E,
        *,
        producer: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        occurred_at: datetime | None = None,
        event_id: UUID | None = None,
        topic: Topic | None = None,
    ) -> "Envelope[E]":
        """Wrap an event for publishing; the key comes from its topic's key field."""
        event_id = event_id or uuid4()
        topic = topic or topic_for(type(payload))
        return envelope_type(type(payload))(
            event_id=event_id,
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            key=topic.key_of(payload),
            correlation_id=correlation_id or str(event_id),
            causation_id=causation_id,
            payload=payload,
        )

    def follow_up(
        self,
        payload: F,
        *,
        producer: str,
        occurred_at: datetime | None = None,
        topic: Topic | None = None,
    ) -> "Envelope[F]":
        """Wrap an event caused by this one: same correlation id, this event as the cause."""
        return Envelope.new(
            payload,
            producer=producer,
            correlation_id=self.correlation_id,
            causation_id=str(self.event_id),
            occurred_at=occurred_at,
            topic=topic,
        )

    def to_bytes(self) -> bytes:
        """Return the compact JSON sent as the Kafka message value."""
        return self.model_dump_json().encode()

    def headers(self) -> list[tuple[str, bytes]]:
        """Return the envelope fields as Kafka headers; causation_id only when set."""
        values = self.model_dump(mode="json", include=set(HEADER_FIELDS))
        return [
            (name, str(values[name]).encode()) for name in HEADER_FIELDS if values[name] is not None
        ]


def envelope_type(event: type[E]) -> type[Envelope[E]]:
    """Return the envelope class of one event: `event_type` pinned and the payload typed."""
    return cast(type[Envelope[E]], _envelope_type(event))


@cache
def _envelope_type(event: type[Event]) -> type[Envelope[Any]]:
    # One class per event, built once: parsing and Envelope.new must produce the same class,
    # or a parsed envelope would not compare equal to the one that was sent.
    model = create_model(
        f"{event.event_type}Envelope",
        __base__=cast(Any, Envelope)[event],
        __module__=__name__,
        __doc__=event.__doc__,
        event_type=(
            cast(Any, Literal)[event.event_type],
            Field(description="Name of the payload's event, in the past tense."),
        ),
    )
    return cast(type[Envelope[Any]], model)
