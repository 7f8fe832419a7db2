"""The staff-read audit log: entries from other services' events, and who lists which district."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from vaxflow_registration.domain.audit import entry_of_event
from vaxflow_registration.handlers.audit import filter_for

from vaxflow_events import CertificateReadByStaff, ReadOutcome, StaffRole
from vaxflow_servicekit.auth import Principal, Scope
from vaxflow_servicekit.problems import ProblemError

SITE = uuid.UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01")
AT = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def read(record_districts: tuple[str, ...]) -> CertificateReadByStaff:
    return CertificateReadByStaff(
        read_id=uuid.uuid4(),
        citizen_id=uuid.uuid4(),
        reader_id="staff-1",
        reader_role=StaffRole.VACCINATOR,
        reader_site_id=SITE,
        reader_district=None,
        resource_kind="certificate_pdf",
        resource_id=uuid.uuid4(),
        reason="printing for the citizen",
        outcome=ReadOutcome.SHOWN,
        record_districts=record_districts,
        read_at=AT,
    )


def principal(role: str, **scope: str) -> Principal:
    return Principal.model_validate(
        {"subject": "s-1", "role": role, "scope": Scope(**scope), "token_id": "t-1"}
    )


def test_an_entry_concerns_where_the_citizen_is_booked_and_where_the_records_were_made() -> None:
    event = read(("770",))

    entry = entry_of_event(event, "certificate", "760", event.read_at)

    assert entry.districts == ("760", "770")
    assert (entry.service, entry.resource_kind, entry.outcome) == (
        "certificate",
        "certificate_pdf",
        "shown",
    )
    assert (entry.reader.subject, entry.reader.role, entry.reader.site_id) == (
        "staff-1",
        "vaccinator",
        str(SITE),
    )
    assert entry.read_id == event.read_id


def test_an_entry_of_a_citizen_booked_nowhere_keeps_the_records_districts_only() -> None:
    assert entry_of_event(read(("760", "760")), "injection", None, AT).districts == ("760",)
    assert entry_of_event(read(()), "injection", None, AT).districts == ()


def test_a_district_admin_lists_their_own_district_and_admins_every_district() -> None:
    mine = filter_for(
        principal("district_admin", district="760"),
        since=None,
        until=None,
        reader_id=None,
        citizen_id=None,
    )
    every = filter_for(principal("admin"), since=None, until=None, reader_id=None, citizen_id=None)

    assert mine.district == "760"
    assert every.district is None


@pytest.mark.parametrize("caller", [principal("district_admin"), principal("citizen")])
def test_anyone_without_a_district_or_national_role_is_refused(caller: Principal) -> None:
    with pytest.raises(ProblemError) as refused:
        filter_for(caller, since=None, until=None, reader_id=None, citizen_id=None)

    assert refused.value.status == 403
