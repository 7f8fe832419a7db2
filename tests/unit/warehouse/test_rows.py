"""Row shaping: every event type flattens into its table's columns, personal fields removed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from vaxflow_warehouse.domain.columns import DROPPED_NAMES, PERSONAL_COLUMN_MARKERS, event_columns
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import Provenance, RowShaper, ShapedRow, columns_for

from tests.unit.warehouse.factory import KEY
from vaxflow_events import ALL_EVENTS, REGISTRY, DoseAdministered, Envelope, Event
from vaxflow_events.examples import EXAMPLES, example_envelope

SHAPER = RowShaper(Pseudonymiser(KEY))
WHERE = Provenance("injection.dose.v1", 3, 42)


def _shape(envelope: Envelope[Event], where: Provenance) -> ShapedRow:
    return SHAPER.shape(envelope, where)


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_every_event_type_becomes_one_row_with_exactly_its_columns(event_type: str) -> None:
    envelope = example_envelope(EXAMPLES[event_type])

    shaped = _shape(envelope, WHERE)

    columns = columns_for(type(envelope.payload))
    assert sorted(shaped.row) == sorted(c.name for c in columns)
    assert shaped.event_type == event_type
    assert shaped.row["event_id"] == str(envelope.event_id)
    assert shaped.row["schema_version"] == envelope.schema_version
    assert (shaped.row["kafka_topic"], shaped.row["kafka_partition"]) == ("injection.dose.v1", 3)
    assert shaped.row["kafka_offset"] == 42
    assert shaped.day == envelope.occurred_at.date()
    for column in columns:
        if not column.nullable:
            assert shaped.row[column.name] is not None, column.name


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.event_type)
def test_no_column_of_any_event_type_is_personal(event: type) -> None:
    names = [c.name for c in event_columns(event)]

    assert not [n for n in names if any(marker in n for marker in PERSONAL_COLUMN_MARKERS)]
    assert not set(names) & DROPPED_NAMES


def test_a_dose_keeps_age_band_area_and_vaccination_but_not_the_holder() -> None:
    envelope = example_envelope(EXAMPLES["DoseAdministered"])
    dose = envelope.payload
    assert isinstance(dose, DoseAdministered)

    row = _shape(envelope, WHERE).row

    assert row["holder_age_band"] == "18-49"
    assert row["citizen_key"] == Pseudonymiser(KEY).citizen_key(dose.citizen_id)
    assert row["residence_province_code"] == dose.residence.province_code
    assert row["residence_ward_code"] == dose.residence.ward_code
    assert row["site_area_district_code"] == dose.site_area.district_code
    assert row["vaccination_lot_id"] == str(dose.vaccination.lot_id)
    assert row["vaccination_administered_on"] == dose.vaccination.administered_on.isoformat()
    assert datetime.fromisoformat(row["vaccination_administered_at"]) == (
        dose.vaccination.administered_at
    )
    values = {str(v) for v in row.values()}
    assert str(dose.citizen_id) not in values
    assert not values & {dose.holder.family_name, dose.holder.family_name_icao}
    assert str(dose.holder.date_of_birth) not in values


def test_the_age_band_of_a_dose_is_taken_on_the_day_of_the_injection() -> None:
    dose = EXAMPLES["DoseAdministered"]
    assert isinstance(dose, DoseAdministered)
    # Captured offline and uploaded months later: 17 on the day of the dose, 18 by the upload.
    born = date(dose.vaccination.administered_on.year - 17, 1, 1)
    holder = dose.holder.model_copy(update={"date_of_birth": born})
    late = Envelope.new(
        dose.model_copy(update={"holder": holder}),
        producer="injection",
        occurred_at=datetime(dose.vaccination.administered_on.year + 1, 6, 1, tzinfo=UTC),
    )

    row = _shape(late, WHERE).row

    assert row["holder_age_band"] == "12-17"


def test_rows_about_one_person_join_across_event_types() -> None:
    citizen = uuid.uuid4()
    dose = EXAMPLES["DoseAdministered"].model_copy(update={"citizen_id": citizen})
    certificate = EXAMPLES["CertificateIssued"].model_copy(update={"citizen_id": citizen})

    keys = {
        _shape(Envelope.new(e, producer="x"), WHERE).row["citizen_key"] for e in (dose, certificate)
    }

    assert len(keys) == 1


def test_tuples_become_lists_and_nested_reactions_json() -> None:
    row = _shape(example_envelope(EXAMPLES["ObservationCompleted"]), WHERE).row
    aefi = _shape(example_envelope(EXAMPLES["AefiReported"]), WHERE).row

    assert isinstance(row["seriousness"], list)
    assert '"code"' in row["reactions"]
    assert '"severity"' in row["reactions"]
    assert aefi["symptom_codes"]
    assert all(isinstance(s, str) for s in aefi["symptom_codes"])


def test_an_optional_field_added_by_a_new_version_is_a_new_nullable_column() -> None:
    class DoseAdministeredV2(DoseAdministered):
        event_type = "DoseAdministered"
        schema_version = 2
        vial_opened_at: datetime | None = None

    old = {c.name for c in event_columns(DoseAdministered)}
    new = {c.name: c for c in event_columns(DoseAdministeredV2)}

    assert set(new) - old == {"vial_opened_at"}
    assert new["vial_opened_at"].nullable
    assert new["vial_opened_at"].kind == "timestamp"


def test_holder_is_never_a_column_even_nested_in_a_correction() -> None:
    names = [c.name for c in event_columns(type(EXAMPLES["DoseCorrected"]))]

    assert "holder_age_band" in names
    assert not [n for n in names if n.startswith("holder_") and n != "holder_age_band"]


def test_a_citizen_id_written_in_upper_case_gets_the_same_key() -> None:
    envelope = example_envelope(EXAMPLES["DoseAdministered"])
    raw = json.loads(envelope.to_bytes())
    raw["payload"]["citizen_id"] = raw["payload"]["citizen_id"].upper()

    parsed = REGISTRY.parse(json.dumps(raw))

    assert _shape(parsed, WHERE).row["citizen_key"] == _shape(envelope, WHERE).row["citizen_key"]
