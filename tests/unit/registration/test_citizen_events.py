"""What a registration and a change publish, and how the health book reads the streams."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from vaxflow_registration.domain.citizen import (
    Citizen,
    PersonInput,
    Relationship,
    changed_input,
    claimed_by,
    claimed_event,
    differences,
    person_input,
    published_changes,
    registered_event,
    validate_person,
)
from vaxflow_registration.domain.health_book import HEALTH_BOOK_EVENTS, entry_for, mark_for
from vaxflow_registration.domain.national_id import IdType

from vaxflow_events import CitizenField, Envelope, RegistrationChannel, Sex
from vaxflow_events.examples import EXAMPLES, example_envelope

TODAY = date(2021, 8, 10)
AN = PersonInput(
    id_type=IdType.CCCD,
    national_id="079090001234",
    passport_country=None,
    full_name="Nguyễn Văn An",
    date_of_birth=date(1990, 4, 30),
    sex=Sex.MALE,
    phone="0912345678",
    province_code="79",
    ward_code="26743",
    address_line="12 Lê Lợi",
    priority_group=8,
    health_insurance_number=None,
)


def citizen_of(person: PersonInput) -> Citizen:
    nid, details = validate_person(person, TODAY)
    now = datetime(2021, 8, 10, 2, 0, tzinfo=UTC)
    return Citizen(
        uuid.uuid4(),
        "acct",
        None,
        RegistrationChannel.SELF_SERVICE,
        None,
        nid.id_type,
        nid.last4,
        None,
        details,
        now,
        now,
    )


def test_citizen_registered_carries_the_holder_snapshot_and_codes_only() -> None:
    event = registered_event(citizen_of(AN))
    wire = Envelope.new(event, producer="registration").model_dump_json()

    assert event.holder.family_name_icao == "NGUYEN"
    assert event.residence.district_code is None
    assert "079090001234" not in wire
    assert "912345678" not in wire
    assert "Lê Lợi" not in wire


def test_citizen_registered_names_the_holding_account_so_other_services_know_the_owner() -> None:
    assert registered_event(citizen_of(AN)).account_id == "acct"


def test_a_claimed_import_names_its_new_account_and_no_changed_field() -> None:
    imported = replace(citizen_of(AN), account_id=None, relationship=None)
    now = datetime(2021, 8, 11, 3, 0, tzinfo=UTC)

    claimed = claimed_by(imported, "acc_lan", Relationship.SELF, now)
    event = claimed_event(claimed)

    assert (claimed.account_id, claimed.version, claimed.updated_at) == ("acc_lan", 2, now)
    assert (event.account_id, event.changed_fields, event.changed_by) == ("acc_lan", (), "citizen")


def test_a_record_already_held_cannot_be_claimed() -> None:
    with pytest.raises(AssertionError):
        claimed_by(citizen_of(AN), "acc_other", Relationship.SELF, datetime.now(UTC))


def test_a_change_lists_the_published_fields_it_touches() -> None:
    citizen = citizen_of(AN)
    nid, _ = validate_person(AN, TODAY)
    changed = changed_input(
        person_input(citizen.details, nid), {"full_name": "Nguyễn Văn Ân", "phone": "0987654321"}
    )
    _, after = validate_person(changed, TODAY)

    diff = differences(citizen.details, after)

    assert set(diff) == {"given_name", "phone"}
    assert published_changes(diff) == (CitizenField.GIVEN_NAME,)
    assert published_changes({"phone": ("a", "b")}) == ()


def test_every_citizen_centred_event_has_a_health_book_entry() -> None:
    for event_type in (e.event_type for e in HEALTH_BOOK_EVENTS):
        event = EXAMPLES[event_type]
        envelope = example_envelope(event)

        entry = entry_for(event, envelope)

        assert entry.event_id == envelope.event_id
        assert entry.citizen_id == event.citizen_id  # type: ignore[attr-defined]
        assert "holder" not in entry.details


def test_later_events_mark_what_they_settle() -> None:
    voided = mark_for(EXAMPLES["DoseVoided"])
    revoked = mark_for(EXAMPLES["CertificateRevoked"])

    assert voided is not None
    assert (voided.kind, voided.status) == ("dose_administered", "voided")
    assert revoked is not None
    assert revoked.status == "revoked"
    assert mark_for(EXAMPLES["DoseAdministered"]) is None
