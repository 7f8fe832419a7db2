"""Envelope.new, headers, the topic registry and parsing of events defined outside the package."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar
from uuid import UUID, uuid4

import pytest
from pydantic import Field, ValidationError

from vaxflow_events import (
    REGISTRY,
    TOPICS,
    Envelope,
    Event,
    EventRegistry,
    InvalidMessage,
    Topic,
    lot_id_for,
    topic_for,
)
from vaxflow_events.examples import EXAMPLES

ICT = timezone(timedelta(hours=7))


class SampleRecorded(Event):
    """A sample was recorded (test-only event)."""

    sample_id: UUID = Field(description="Id of the sample.")
    count: int = Field(description="How many.")


SAMPLE_TOPIC = Topic(
    name="testing.sample.v1",
    key_field="sample_id",
    events=(SampleRecorded,),
    description="Samples, for tests.",
)


def sample() -> SampleRecorded:
    return SampleRecorded(sample_id=uuid4(), count=3)


@pytest.mark.parametrize(
    ("event_type", "key_field"),
    [
        ("DoseAdministered", "citizen_id"),
        ("CitizenRegistered", "citizen_id"),
        ("CitizenCheckedIn", "citizen_id"),
        ("StockReceived", "site_id"),
        ("StockLow", "site_id"),
        ("LotSuspended", "lot_id"),
        ("AefiReported", "citizen_id"),
    ],
)
def test_key_is_the_topic_key_field_of_the_payload(event_type: str, key_field: str) -> None:
    payload = EXAMPLES[event_type]

    envelope = Envelope.new(payload, producer="test")

    assert topic_for(type(payload)).key_field == key_field
    assert envelope.key == str(getattr(payload, key_field))


def test_new_fills_the_envelope_from_the_event() -> None:
    payload = EXAMPLES["DoseAdministered"]

    envelope = Envelope.new(payload, producer="injection")

    assert envelope.event_type == "DoseAdministered"
    assert envelope.schema_version == 1
    assert envelope.producer == "injection"
    assert envelope.payload is payload
    assert envelope.causation_id is None


def test_correlation_id_defaults_to_the_event_id() -> None:
    envelope = Envelope.new(EXAMPLES["DoseAdministered"], producer="injection")

    assert envelope.correlation_id == str(envelope.event_id)


def test_explicit_ids_are_kept() -> None:
    event_id = uuid4()

    envelope = Envelope.new(
        EXAMPLES["DoseAdministered"],
        producer="injection",
        event_id=event_id,
        correlation_id="req-42",
        causation_id="cause-1",
    )

    assert (envelope.event_id, envelope.correlation_id, envelope.causation_id) == (
        event_id,
        "req-42",
        "cause-1",
    )


def test_occurred_at_is_normalised_to_utc() -> None:
    local = datetime(2021, 8, 10, 9, 12, tzinfo=ICT)

    envelope = Envelope.new(EXAMPLES["StockLow"], producer="scheduling", occurred_at=local)

    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.occurred_at == local
    assert b'"occurred_at":"2021-08-10T02:12:00Z"' in envelope.to_bytes()


def test_occurred_at_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)

    envelope = Envelope.new(EXAMPLES["StockLow"], producer="scheduling")

    assert before <= envelope.occurred_at <= datetime.now(UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)


def test_naive_occurred_at_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Envelope.new(EXAMPLES["StockLow"], producer="scheduling", occurred_at=datetime(2021, 8, 10))


def test_payload_datetimes_are_normalised_to_utc() -> None:
    vaccination = EXAMPLES["DoseAdministered"].vaccination  # type: ignore[attr-defined]

    assert vaccination.administered_at.tzinfo == UTC
    assert vaccination.administered_at == datetime(2021, 8, 10, 9, 12, tzinfo=ICT)


def test_headers_carry_the_envelope_fields_as_bytes() -> None:
    at = datetime(2021, 8, 10, 2, 12, 0, 250000, tzinfo=UTC)
    envelope = Envelope.new(EXAMPLES["DoseAdministered"], producer="injection", occurred_at=at)

    headers = dict(envelope.headers())

    assert headers == {
        "event_id": str(envelope.event_id).encode(),
        "event_type": b"DoseAdministered",
        "schema_version": b"1",
        "occurred_at": b"2021-08-10T02:12:00.250000Z",
        "producer": b"injection",
        "correlation_id": str(envelope.event_id).encode(),
    }


def test_headers_carry_causation_id_when_set() -> None:
    envelope = Envelope.new(
        EXAMPLES["CertificateIssued"], producer="certificate", causation_id="dose-event"
    )

    assert ("causation_id", b"dose-event") in envelope.headers()


def test_follow_up_keeps_the_flow_and_names_its_cause() -> None:
    dose = Envelope.new(EXAMPLES["DoseAdministered"], producer="injection", correlation_id="req-7")

    certificate = dose.follow_up(EXAMPLES["CertificateIssued"], producer="certificate")

    assert certificate.correlation_id == "req-7"
    assert certificate.causation_id == str(dose.event_id)
    assert certificate.event_id != dose.event_id


def test_to_bytes_is_compact_json_that_parses_back_equal() -> None:
    envelope = Envelope.new(EXAMPLES["DoseAdministered"], producer="injection")

    raw = envelope.to_bytes()

    assert raw == json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode()
    assert REGISTRY.parse(raw) == envelope


def test_events_are_frozen() -> None:
    payload = EXAMPLES["StockLow"]

    with pytest.raises(ValidationError, match="frozen"):
        payload.doses_on_hand = 0  # type: ignore[attr-defined]


def test_event_type_is_the_class_name() -> None:
    assert SampleRecorded.event_type == "SampleRecorded"
    assert SampleRecorded.schema_version == 1


def test_a_renamed_class_can_keep_its_wire_name() -> None:
    class SampleTaken(SampleRecorded):
        """A sample was recorded (the class was renamed; the wire name stays)."""

        event_type: ClassVar[str] = "SampleRecorded"

    assert SampleTaken.event_type == "SampleRecorded"


def test_an_event_defined_outside_the_package_round_trips_on_its_own_topic() -> None:
    registry = EventRegistry([SampleRecorded], topics=[SAMPLE_TOPIC])
    envelope = Envelope.new(sample(), producer="tests", topic=SAMPLE_TOPIC)

    parsed = registry.parse(envelope.to_bytes())

    assert parsed == envelope
    assert parsed.key == str(envelope.payload.sample_id)
    assert registry.event_types() == ("SampleRecorded",)
    assert registry.topic_for("SampleRecorded") is SAMPLE_TOPIC


def test_a_registry_refuses_events_it_was_not_given() -> None:
    registry = EventRegistry([SampleRecorded], topics=[SAMPLE_TOPIC])
    dose = Envelope.new(EXAMPLES["DoseAdministered"], producer="injection")

    with pytest.raises(InvalidMessage, match="unknown event type 'DoseAdministered'"):
        registry.parse(dose.to_bytes())


def test_an_event_on_no_topic_cannot_be_wrapped_or_registered() -> None:
    with pytest.raises(LookupError, match="SampleRecorded"):
        Envelope.new(sample(), producer="tests")
    with pytest.raises(LookupError, match="SampleRecorded"):
        EventRegistry([SampleRecorded])


def test_an_event_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        EventRegistry([SampleRecorded, SampleRecorded], topics=[SAMPLE_TOPIC])


def test_a_topic_needs_its_key_field_on_every_event() -> None:
    with pytest.raises(ValueError, match="key field 'site_id'"):
        Topic(
            name="testing.sample.v1", key_field="site_id", events=(SampleRecorded,), description=""
        )


class SampleNoted(Event):
    """A note was made (test-only event)."""

    sample_id: UUID | None = Field(description="Sample the note is about, if any.")


def test_a_nullable_field_cannot_be_the_key() -> None:
    with pytest.raises(ValueError, match="no required key field 'sample_id'"):
        Topic(name="testing.note.v1", key_field="sample_id", events=(SampleNoted,), description="")


def test_a_topic_name_says_producer_stream_and_major() -> None:
    with pytest.raises(ValueError, match=r"not <producer>\.<stream>\.v<major>"):
        Topic(name="samples", key_field="sample_id", events=(SampleRecorded,), description="")
    assert (SAMPLE_TOPIC.producer, SAMPLE_TOPIC.stream, SAMPLE_TOPIC.major) == (
        "testing",
        "testing.sample",
        1,
    )


def test_topic_for_accepts_a_class_or_a_name() -> None:
    dose_topic = next(topic for topic in TOPICS if topic.name == "injection.dose.v1")

    assert topic_for(type(EXAMPLES["DoseAdministered"])) is dose_topic
    assert topic_for("ObservationCompleted") is dose_topic
    with pytest.raises(LookupError, match="DoseGiven"):
        topic_for("DoseGiven")


def test_lot_id_is_the_same_for_one_lot_everywhere() -> None:
    assert lot_id_for("EU/1/20/1528", "FF2587") == lot_id_for("EU/1/20/1528", " ff2587 ")
    assert lot_id_for("EU/1/20/1528", "FF2587") != lot_id_for("EU/1/20/1528", "FF2588")
    assert lot_id_for("EU/1/20/1528", "FF2587") != lot_id_for("EU/1/21/1529", "FF2587")
