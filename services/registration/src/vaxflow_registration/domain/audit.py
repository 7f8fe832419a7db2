"""The staff-read audit log: one entry per staff read of a citizen's personal data, any service.

Entries are appended and never changed. Each names who read (from their token), what (service,
resource kind and id, citizen id), when, why and with which outcome, and the districts the read
concerns: where the citizen is booked and where the records read were made. A district admin
lists the entries of their district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from vaxflow_events import StaffRead


@dataclass(frozen=True)
class Reader:
    """The staff member who read, as their token named them."""

    subject: str
    role: str
    site_id: str | None
    district: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One staff read of one citizen's personal data."""

    read_id: UUID
    at: datetime
    citizen_id: UUID
    service: str
    resource_kind: str
    resource_id: UUID | None
    reason: str
    outcome: str
    reader: Reader
    districts: tuple[str, ...]
    request_id: str | None = None


def districts_of(*codes: str | None) -> tuple[str, ...]:
    """The distinct known district codes, sorted."""
    return tuple(sorted({code for code in codes if code}))


def entry_of_event(
    event: StaffRead, service: str, booked_district: str | None, at: datetime
) -> AuditEntry:
    """The audit entry of a read another service reported."""
    return AuditEntry(
        read_id=event.read_id,
        at=at,
        citizen_id=event.citizen_id,
        service=service,
        resource_kind=event.resource_kind,
        resource_id=event.resource_id,
        reason=event.reason,
        outcome=event.outcome.value,
        reader=Reader(
            event.reader_id,
            event.reader_role.value,
            str(event.reader_site_id) if event.reader_site_id else None,
            event.reader_district,
        ),
        districts=districts_of(booked_district, *event.record_districts),
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a listing asks for; `district` None only for national roles."""

    district: str | None
    since: datetime | None = None
    until: datetime | None = None
    reader_id: str | None = None
    citizen_id: UUID | None = None
