"""From domain objects to HTTP schemas, and the opaque cursors of paginated collections."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, cast

from vaxflow_events import Sex
from vaxflow_registration.domain import areas
from vaxflow_registration.domain.audit import AuditEntry
from vaxflow_registration.domain.citizen import Citizen, PersonInput
from vaxflow_registration.domain.health_book import Entry
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.schemas import (
    AddressIn,
    AddressRead,
    CitizenChange,
    CitizenCreate,
    CitizenRead,
    HealthBookEntryRead,
    ImportCounts,
    ImportRead,
    NationalIdRead,
    ReaderRead,
    StaffReadEntry,
)
from vaxflow_registration.store.imports import ImportRecord
from vaxflow_servicekit.problems import FieldError, validation_problem


def person_of(body: CitizenCreate) -> PersonInput:
    """What the person typed, for the domain to check."""
    return PersonInput(
        id_type=IdType(body.id_type),
        national_id=body.national_id,
        passport_country=body.passport_country,
        full_name=body.full_name,
        date_of_birth=body.date_of_birth,
        sex=Sex(body.sex),
        phone=body.phone,
        province_code=body.address.province_code,
        ward_code=body.address.ward_code,
        address_line=body.address.line,
        priority_group=body.priority_group,
        health_insurance_number=body.health_insurance_number,
    )


def changes_of(body: CitizenChange) -> dict[str, Any]:
    """The fields a change sets (null clears an optional one); 422 when there are none."""
    given = body.model_fields_set - {"reason"}
    if not given:
        raise validation_problem(
            [FieldError(field="body", rule="nothing_to_change", message="Give a field to change")]
        )
    changes: dict[str, Any] = {name: getattr(body, name) for name in given - {"address", "sex"}}
    if "sex" in given and body.sex is not None:
        changes["sex"] = Sex(body.sex)
    if "address" in given and body.address is not None:
        changes |= _address_changes(body.address)
    for required in ("full_name", "date_of_birth", "phone"):
        if required in changes and changes[required] is None:
            raise validation_problem(
                [FieldError(field=f"body.{required}", rule="required", message="May not be null")]
            )
    return changes


def _address_changes(address: AddressIn) -> dict[str, Any]:
    return {
        "province_code": address.province_code,
        "ward_code": address.ward_code,
        "address_line": address.line,
    }


def citizen_read(citizen: Citizen, *, national_id: str | None) -> CitizenRead:
    """A citizen as an HTTP answer; the full national ID only when given (to its owner)."""
    d = citizen.details
    return CitizenRead(
        citizen_id=citizen.citizen_id,
        relationship=citizen.relationship.value if citizen.relationship else None,
        channel=citizen.channel.value,
        national_id=NationalIdRead(
            id_type=citizen.id_type.value,
            masked=citizen.masked_national_id,
            number=national_id,
            country=citizen.id_country,
        ),
        full_name=d.name.full_name,
        family_name=d.name.family_name,
        given_name=d.name.given_name,
        date_of_birth=d.date_of_birth,
        sex=d.sex.value,
        phone=d.phone,
        address=AddressRead(
            province_code=d.residence.province_code,
            province_name=areas.province_name(d.residence.province_code),
            ward_code=d.residence.ward_code,
            ward_name=areas.ward_name(d.residence.ward_code),
            line=d.address_line,
        ),
        priority_group=d.priority_group,
        health_insurance_number=d.health_insurance_number,
        registered_at=citizen.registered_at,
        updated_at=citizen.updated_at,
        version=citizen.version,
    )


def entry_read(entry: Entry) -> HealthBookEntryRead:
    """A health-book entry as an HTTP answer."""
    return HealthBookEntryRead.model_validate(
        {
            "event_id": entry.event_id,
            "kind": entry.kind,
            "occurred_at": entry.occurred_at,
            "ref_id": entry.ref_id,
            "status": entry.status,
            "details": entry.details,
        }
    )


def import_read(record: ImportRecord, *, report_url: str) -> ImportRead:
    """An import and its progress as an HTTP answer."""
    counts = record.counts
    return ImportRead(
        import_id=record.import_id,
        state=record.state.value,
        file_sha256=record.file_sha256,
        size_bytes=record.size_bytes,
        total_rows=record.total_rows,
        counts=ImportCounts(**vars(counts)),
        progress=min(counts.rows / record.total_rows, 1.0) if record.total_rows else 1.0,
        attempt=record.attempt,
        error=record.error,
        created_at=record.created_at,
        updated_at=record.updated_at,
        finished_at=record.finished_at,
        report_url=report_url,
    )


def encode_cursor(at: datetime, last_id: str) -> str:
    """An opaque cursor: the keyset position after which the next page starts."""
    raw = json.dumps([at.isoformat(), last_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The keyset position of a cursor; 422 on `query.cursor` if it is not one of ours."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, last_id = json.loads(raw)
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError, binascii.Error):
        raise validation_problem(
            [
                FieldError(
                    field="query.cursor",
                    rule="cursor_invalid",
                    message="Not a cursor given by this API",
                )
            ]
        ) from None


def staff_read_entry(entry: AuditEntry) -> StaffReadEntry:
    """An audit entry as the listing shows it (ids only, no personal data)."""
    r = entry.reader
    return StaffReadEntry(
        read_id=entry.read_id,
        at=entry.at,
        citizen_id=entry.citizen_id,
        service=entry.service,
        resource_kind=entry.resource_kind,
        resource_id=entry.resource_id,
        reason=entry.reason,
        outcome=cast(Any, entry.outcome),
        reader=ReaderRead(id=r.subject, role=r.role, site_id=r.site_id, district=r.district),
        districts=list(entry.districts),
    )
