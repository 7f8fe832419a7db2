"""The event contracts: every event round-trips, bad messages are refused with a reason, and the
published documents are current and compatible with what consumers already rely on."""

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from vaxflow_events import REGISTRY, TOPICS, InvalidMessage
from vaxflow_events.asyncapi import asyncapi_document
from vaxflow_events.compat import contract_breaks
from vaxflow_events.examples import EXAMPLES, example_envelope
from vaxflow_events.schema import differences, generate, main, published_schemas, schema_documents

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"

# ARCHITECTURE.md sections 1 and 3: the topics and the events each producer owns (and issue 4's
# reminders of a next dose due, on a topic of their own).
ARCHITECTURE_TOPICS = {
    "registration.citizen.v1",
    "scheduling.appointment.v1",
    "scheduling.reminder.v1",
    "scheduling.stock.v1",
    "injection.dose.v1",
    "certificate.certificate.v1",
    "monitoring.aefi.v1",
    "monitoring.lot.v1",
    "injection.staff-read.v1",
    "certificate.staff-read.v1",
}
ARCHITECTURE_EVENTS = {
    "registration": {"CitizenRegistered", "CitizenUpdated"},
    "scheduling": {
        "AppointmentBooked",
        "AppointmentCancelled",
        "CitizenCheckedIn",
        "NextDoseDue",
        "StockReceived",
        "StockAdjusted",
        "StockLow",
    },
    "injection": {
        "ScreeningRecorded",
        "DoseAdministered",
        "DoseCorrected",
        "DoseVoided",
        "ObservationCompleted",
        "DosesReadByStaff",
    },
    "certificate": {"CertificateIssued", "CertificateRevoked", "CertificateReadByStaff"},
    "monitoring": {
        "AefiReported",
        "AefiClassified",
        "LotSignalRaised",
        "LotSuspended",
        "LotReleased",
    },
}


def test_the_topics_are_those_of_the_architecture() -> None:
    assert {topic.name for topic in TOPICS} == ARCHITECTURE_TOPICS


def test_each_producer_publishes_its_events_on_its_own_topics() -> None:
    produced: dict[str, set[str]] = {}
    for topic in TOPICS:
        produced.setdefault(topic.producer, set()).update(e.event_type for e in topic.events)

    assert produced == ARCHITECTURE_EVENTS


def test_every_event_is_on_exactly_one_topic() -> None:
    carried = [event.event_type for topic in TOPICS for event in topic.events]

    assert sorted(carried) == sorted(set(carried))
    assert set(REGISTRY.event_types()) == set(carried)


def test_every_event_has_an_example() -> None:
    assert set(EXAMPLES) == set(REGISTRY.event_types())


@pytest.mark.parametrize("event_type", REGISTRY.event_types())
def test_every_event_round_trips(event_type: str) -> None:
    envelope = example_envelope(EXAMPLES[event_type])

    parsed = REGISTRY.parse(envelope.to_bytes())

    assert parsed == envelope
    assert type(parsed.payload) is REGISTRY.event_class(event_type)
    assert REGISTRY.parse(envelope.to_bytes().decode()) == envelope


def dose_message() -> dict[str, Any]:
    message: dict[str, Any] = json.loads(example_envelope(EXAMPLES["DoseAdministered"]).to_bytes())
    return message


def changed(path: str, value: Any) -> bytes:
    """The DoseAdministered example with the field at a dotted path set, or deleted for `...`."""
    message = dose_message()
    *parents, last = path.split(".")
    target = message
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return json.dumps(message).encode()


def with_unknown_fields(raw: bytes) -> bytes:
    """The message with fields no contract knows, in the envelope, payload and a value object."""
    message = json.loads(raw)
    message["trace"] = "x"
    message["payload"]["remarks"] = "x"
    message["payload"]["vaccination"]["vial_position"] = 3
    return json.dumps(message).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(
            changed("event_type", "DoseGiven"), "unknown event type 'DoseGiven'", id="unknown type"
        ),
        pytest.param(changed("event_type", ...), "missing event_type", id="no type"),
        pytest.param(
            changed("payload.site_id", ...), "payload.site_id: Field required", id="missing field"
        ),
        pytest.param(
            changed("payload.vaccination.lot_number", ...),
            "payload.vaccination.lot_number: Field required",
            id="missing nested field",
        ),
        pytest.param(
            with_unknown_fields(changed("payload.site_id", ...)),
            "payload.site_id: Field required",
            id="missing field beside unknown ones",
        ),
        pytest.param(
            changed("occurred_at", "2021-08-10T09:12:00"),
            "occurred_at: Input should have timezone",
            id="naive",
        ),
        pytest.param(
            changed("payload.vaccination.administered_at", "2021-08-10T09:12:00"),
            "payload.vaccination.administered_at: Input should have timezone",
            id="naive in payload",
        ),
        pytest.param(
            changed("payload.vaccination.dose_number", "1"),
            "payload.vaccination.dose_number: Input should be a valid integer",
            id="text for an int",
        ),
        pytest.param(
            changed("schema_version", True),
            "schema_version: Input should be a valid integer",
            id="bool for an int",
        ),
        pytest.param(
            changed("payload.holder.date_of_birth", 0),
            "payload.holder.date_of_birth: Input should be a valid date",
            id="number for a date",
        ),
        pytest.param(
            changed("event_id", "not-a-uuid"),
            "event_id: Input should be a valid UUID",
            id="bad uuid",
        ),
        pytest.param(
            changed("payload.body_site", "nose"),
            "payload.body_site: Input should be",
            id="bad enum",
        ),
        pytest.param(
            changed("payload.holder.family_name_icao", "Nguyễn"),
            "payload.holder.family_name_icao: String should match pattern",
            id="bad transliteration",
        ),
        pytest.param(
            changed("key", "someone-else"),
            "key 'someone-else' is not payload.citizen_id",
            id="wrong key",
        ),
        pytest.param(b'{"event_type": "DoseAdministered",', "bad JSON", id="bad JSON"),
        pytest.param(b"[]", "message: Input should be an object", id="not an object"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        REGISTRY.parse(raw)

    assert reason in refused.value.reason


def test_fields_a_consumer_does_not_know_are_dropped_not_refused() -> None:
    # A producer on newer contracts adds an optional field (a compatible change on the same
    # topic version); consumers still on the previous contracts keep working.
    raw = dose_message()

    parsed = REGISTRY.parse(with_unknown_fields(json.dumps(raw).encode()))

    assert parsed == REGISTRY.parse(json.dumps(raw).encode())


def test_generated_documents_are_current() -> None:
    assert differences(DOCS, generate()) == []


def test_check_fails_when_a_document_is_stale(tmp_path: Path) -> None:
    shutil.copytree(DOCS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n", encoding="utf-8")

    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert main(["--check", "--out", str(DOCS)]) == 0


def test_current_schemas_do_not_break_the_published_ones() -> None:
    published = published_schemas(DOCS)

    assert set(published) >= set(schema_documents())
    assert contract_breaks(published, schema_documents()) == []


def test_the_generator_refuses_to_overwrite_a_published_field(tmp_path: Path) -> None:
    shutil.copytree(DOCS, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "schemas" / "injection.dose.v1" / "DoseAdministered.json"
    published = json.loads(path.read_text(encoding="utf-8"))
    published["$defs"]["DoseAdministered"]["properties"]["vaccine_name"] = {"type": "string"}
    path.write_text(json.dumps(published), encoding="utf-8")

    assert main(["--out", str(tmp_path)]) == 1
    assert "vaccine_name" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("event_type", REGISTRY.event_types())
def test_messages_on_the_wire_match_the_published_schema(event_type: str) -> None:
    topic = REGISTRY.topic_for(event_type)
    path = DOCS / "schemas" / topic.name / f"{event_type}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    message = json.loads(example_envelope(EXAMPLES[event_type]).to_bytes())

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    assert [error.message for error in validator.iter_errors(message)] == []
    assert not validator.is_valid(copy.deepcopy(message) | {"extra": 1})


def undescribed(schema: dict[str, Any]) -> list[str]:
    """Properties, anywhere in a schema, with no description of their own or their target."""
    found = []
    for owner, definition in [("envelope", schema), *schema.get("$defs", {}).items()]:
        for name, field in definition.get("properties", {}).items():
            target = field
            if "$ref" in field:
                target = schema["$defs"][field["$ref"].rsplit("/", 1)[1]]
            if not field.get("description") and not target.get("description"):
                found.append(f"{owner}.{name}")
    return found


@pytest.mark.parametrize("key", sorted(schema_documents()))
def test_every_published_field_is_described(key: str) -> None:
    schema = schema_documents()[key]

    assert undescribed(schema) == []
    assert schema["description"]


def test_asyncapi_document_describes_every_topic_and_event() -> None:
    document = asyncapi_document()
    messages = document["components"]["messages"]
    schemas = document["components"]["schemas"]

    assert document["asyncapi"] == "3.0.0"
    assert set(document["channels"]) == ARCHITECTURE_TOPICS
    assert set(messages) == set(REGISTRY.event_types())
    for name, message in messages.items():
        assert message["payload"]["$ref"].rsplit("/", 1)[1] in schemas
        assert message["bindings"]["kafka"]["key"]["description"] == (
            f"payload.{REGISTRY.topic_for(name).key_field}"
        )
        assert message["examples"][0]["payload"]["event_type"] == name


def test_asyncapi_yaml_holds_the_document() -> None:
    yaml = pytest.importorskip("yaml")

    text = (DOCS / "asyncapi.yaml").read_text(encoding="utf-8")

    assert yaml.safe_load(text) == json.loads(json.dumps(asyncapi_document()))
