"""HTTP schemas of the registration API: `XCreate`/`XChange` in, `XRead` out; never events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from vaxflow_registration.domain.priority_groups import priority_groups
from vaxflow_servicekit.models import IsoDate, StrictModel, examples

_GROUPS = "; ".join(f"{g.number}: {g.label}" for g in priority_groups().groups)
IdTypeName = Literal["cccd", "cmnd", "passport"]
SexName = Literal["male", "female", "unspecified"]
RelationshipName = Literal["self", "family_member"]
Text = Annotated[str, StringConstraints(max_length=200)]

ADDRESS_EXAMPLE = {"province_code": "79", "ward_code": "26743", "line": "12 Lê Lợi"}
CREATE_EXAMPLE: dict[str, Any] = {
    "relationship": "self",
    "id_type": "cccd",
    "national_id": "079090001234",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1990-04-30",
    "sex": "male",
    "phone": "0912345678",
    "address": ADDRESS_EXAMPLE,
    "priority_group": 8,
    "health_insurance_number": "DN4797912345678",
    "consent": True,
}


class AddressIn(StrictModel):
    """Residence as current administrative unit codes (34 provinces, two levels since 2025)."""

    model_config = ConfigDict(**examples(ADDRESS_EXAMPLE), extra="forbid", strict=True)

    province_code: Annotated[str, StringConstraints(max_length=3)] = Field(
        description="Province code of the official list, e.g. `79` (Hồ Chí Minh)."
    )
    ward_code: Annotated[str, StringConstraints(max_length=5)] = Field(
        description="Ward or commune code of that province, e.g. `26743` (Phường Bến Thành)."
    )
    line: Text | None = Field(
        default=None, description="House number and street; stays in registration, never published."
    )


class CitizenCreate(StrictModel):
    """A person to register on the caller's phone account: the holder or a family member."""

    model_config = ConfigDict(**examples(CREATE_EXAMPLE), extra="forbid", strict=True)

    relationship: RelationshipName = Field(
        default="self", description="`self` for the account holder (once), else `family_member`."
    )
    id_type: IdTypeName = Field(
        description="`cccd` (12 digits), `cmnd` (9 digits) or `passport` (foreigners)."
    )
    national_id: Annotated[str, StringConstraints(max_length=20)] = Field(
        description=(
            "Document number. A CCCD opens with the province code of birth registration, then "
            "a digit for sex and century (0/1 male/female 1900s, 2/3 2000s), then the last two "
            "digits of the birth year; both are checked against date_of_birth and sex."
        )
    )
    passport_country: Annotated[str, StringConstraints(max_length=3)] | None = Field(
        default=None, description="Issuing country of a passport, ISO 3166-1 alpha-3."
    )
    full_name: Annotated[str, StringConstraints(max_length=100)] = Field(
        description="Full name, family name first, with its diacritics: `Nguyễn Văn An`."
    )
    date_of_birth: IsoDate = Field(description="YYYY-MM-DD; not in the future.")
    sex: SexName
    phone: Annotated[str, StringConstraints(max_length=20)] = Field(
        description="Vietnamese mobile: 0 and 9 digits (03, 05, 07, 08, 09) or +84 and 9 digits."
    )
    address: AddressIn
    priority_group: int | None = Field(
        default=None, description=f"Priority group number (Decision 3355/QĐ-BYT): {_GROUPS}."
    )
    health_insurance_number: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None, description="Health-insurance card code (15 characters) or 10-digit number."
    )
    consent: bool = Field(
        description="The person agrees to their data being processed for vaccination; must be true."
    )


class CitizenClaim(StrictModel):
    """A record an organisation or ward registered, claimed by the person's phone account."""

    model_config = ConfigDict(
        **examples(
            {
                "relationship": "self",
                "id_type": "cccd",
                "national_id": "079090001234",
                "date_of_birth": "1990-04-30",
                "consent": True,
            }
        ),
        extra="forbid",
        strict=True,
    )

    relationship: RelationshipName = Field(
        default="self", description="`self` for the account holder (once), else `family_member`."
    )
    id_type: IdTypeName = Field(description="The document type the record was registered with.")
    national_id: Annotated[str, StringConstraints(max_length=20)] = Field(
        description="The document number the record was registered with."
    )
    passport_country: Annotated[str, StringConstraints(max_length=3)] | None = Field(
        default=None, description="Issuing country of a passport, ISO 3166-1 alpha-3."
    )
    date_of_birth: IsoDate = Field(description="The date of birth on the record, YYYY-MM-DD.")
    consent: bool = Field(
        description="The person agrees to their data being processed for vaccination; must be true."
    )


class CitizenChange(StrictModel):
    """Changes to one's own record; fields left out stay as they are. `reason` is recorded."""

    model_config = ConfigDict(
        **examples({"full_name": "Nguyễn Văn Ân", "reason": "Typo in the given name"}),
        extra="forbid",
        strict=True,
    )

    reason: Annotated[str, StringConstraints(min_length=3, max_length=500)] = Field(
        description="Why the change is made; kept in the record's history."
    )
    full_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    date_of_birth: IsoDate | None = None
    sex: SexName | None = None
    phone: Annotated[str, StringConstraints(max_length=20)] | None = None
    address: AddressIn | None = None
    priority_group: int | None = Field(
        default=None, description="A group number, or null for none."
    )
    health_insurance_number: Annotated[str, StringConstraints(max_length=20)] | None = None


class NationalIdRead(BaseModel):
    """The identity document: masked for everyone, in the clear only for its own account."""

    model_config = examples(
        {"id_type": "cccd", "masked": "********1234", "number": "079090001234", "country": None}
    )

    id_type: IdTypeName
    masked: str = Field(description="Asterisks and the last four characters.")
    number: str | None = Field(
        default=None, description="The full number; only for the citizen's own phone account."
    )
    country: str | None = Field(default=None, description="Issuing country of a passport.")


class AddressRead(BaseModel):
    """Residence codes with their official names."""

    model_config = examples(
        ADDRESS_EXAMPLE
        | {"province_name": "Thành phố Hồ Chí Minh", "ward_name": "Phường Bến Thành"}
    )

    province_code: str
    province_name: str
    ward_code: str
    ward_name: str
    line: str | None = None


_CITIZEN_READ_EXAMPLE = {
    "citizen_id": "7d0f6b1e-3f57-4a53-9c1a-2f4f4bb3a001",
    "relationship": "self",
    "channel": "self_service",
    "national_id": NationalIdRead.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
    "full_name": "Nguyễn Văn An",
    "family_name": "Nguyễn",
    "given_name": "Văn An",
    "date_of_birth": "1990-04-30",
    "sex": "male",
    "phone": "+84912345678",
    "address": AddressRead.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
    "priority_group": 8,
    "health_insurance_number": "DN4797912345678",
    "registered_at": "2021-08-10T02:12:00Z",
    "updated_at": "2021-08-10T02:12:00Z",
    "version": 1,
}


class CitizenRead(BaseModel):
    """A registered citizen."""

    model_config = examples(_CITIZEN_READ_EXAMPLE)

    citizen_id: UUID
    relationship: RelationshipName | None = Field(
        description="To the phone account that registered them; null for bulk imports."
    )
    channel: Literal["self_service", "family_member", "bulk_import"]
    national_id: NationalIdRead
    full_name: str
    family_name: str
    given_name: str | None
    date_of_birth: date
    sex: SexName
    phone: str
    address: AddressRead
    priority_group: int | None
    health_insurance_number: str | None
    registered_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by each change.")


class CitizenPage(BaseModel):
    """A page of citizens; pass `next_cursor` as `cursor` for the next one."""

    model_config = examples({"items": [_CITIZEN_READ_EXAMPLE], "next_cursor": None})

    items: list[CitizenRead]
    next_cursor: str | None


_ENTRY_EXAMPLE = {
    "event_id": "0b8e4a57-8a51-4f0e-9c55-7a0d8e2b1f10",
    "kind": "dose_administered",
    "occurred_at": "2021-08-10T02:12:00Z",
    "ref_id": "5f1c2a9e-0d3b-4c61-8f7a-9b2e6d4c3a21",
    "status": None,
    "details": {
        "site_id": "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
        "product_code": "EU/1/21/1529",
        "manufacturer_code": "ORG-100001699",
        "lot_number": "ABV5300",
        "dose_number": 1,
        "series_doses": 2,
        "dose_kind": "primary",
        "administered_at": "2021-08-10T02:05:00Z",
        "administered_on": "2021-08-10",
    },
}


class HealthBookEntryRead(BaseModel):
    """One line of the health book."""

    model_config = examples(_ENTRY_EXAMPLE)

    event_id: UUID = Field(description="The event the entry comes from.")
    kind: Literal[
        "appointment_booked",
        "appointment_cancelled",
        "checked_in",
        "screened",
        "dose_administered",
        "dose_corrected",
        "dose_voided",
        "observation_completed",
        "certificate_issued",
        "certificate_revoked",
        "reaction_reported",
        "reaction_classified",
    ]
    occurred_at: datetime
    ref_id: UUID = Field(description="The appointment, dose, certificate or case it is about.")
    status: str | None = Field(
        description="`cancelled`, `voided`, `corrected` or `revoked` when a later event settled it."
    )
    details: dict[str, Any]


class HealthBookPage(BaseModel):
    """A page of a citizen's health book, oldest first."""

    model_config = examples(
        {
            "citizen_id": "7d0f6b1e-3f57-4a53-9c1a-2f4f4bb3a001",
            "items": [_ENTRY_EXAMPLE],
            "next_cursor": None,
        }
    )

    citizen_id: UUID
    items: list[HealthBookEntryRead]
    next_cursor: str | None


class ImportCounts(BaseModel):
    """What happened to the rows read so far."""

    model_config = examples(
        {
            "rows": 100000,
            "registered": 99120,
            "already_registered": 610,
            "duplicate_in_file": 12,
            "rejected": 258,
        }
    )

    rows: int = Field(description="Rows read.")
    registered: int = Field(description="Citizens registered from this file.")
    already_registered: int = Field(description="Rows whose national ID was registered before.")
    duplicate_in_file: int = Field(description="Rows repeating a national ID of an earlier line.")
    rejected: int = Field(description="Rows refused by a rule (see the report).")


class ImportRead(BaseModel):
    """A bulk import and its progress."""

    model_config = examples(
        {
            "import_id": "c3d4e5f6-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
            "state": "processing",
            "file_sha256": "9f2c0a8a1d6e5b4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
            "size_bytes": 15728640,
            "total_rows": 100000,
            "counts": ImportCounts.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
            "progress": 1.0,
            "attempt": 1,
            "error": None,
            "created_at": "2021-08-10T02:00:00Z",
            "updated_at": "2021-08-10T02:00:41Z",
            "finished_at": "2021-08-10T02:00:41Z",
            "report_url": (
                "/api/v1/registration/imports/c3d4e5f6-0a1b-4c2d-8e3f-4a5b6c7d8e9f/report.csv"
            ),
        }
    )

    import_id: UUID
    state: Literal["queued", "processing", "completed", "failed"]
    file_sha256: str
    size_bytes: int
    total_rows: int
    counts: ImportCounts
    progress: float = Field(ge=0, le=1, description="Share of rows read.")
    attempt: int = Field(description="Runs of this file (a failed or interrupted one reruns).")
    error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    report_url: str = Field(description="The row-level report: line, field, rule, reason.")


class ReaderRead(BaseModel):
    """The staff member who read, as their token named them."""

    model_config = examples(
        {
            "id": "5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b",
            "role": "vaccinator",
            "site_id": "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01",
            "district": None,
        }
    )

    id: str = Field(description="Staff account id (`sub` of the token).")
    role: str
    site_id: str | None
    district: str | None


_AUDIT_EXAMPLE = {
    "read_id": "4c1e2b7a-9d3f-4e8a-8b1c-6f0a2d3e4b5c",
    "at": "2021-08-11T03:00:00Z",
    "citizen_id": "7d0f6b1e-3f57-4a53-9c1a-2f4f4bb3a001",
    "service": "certificate",
    "resource_kind": "certificate_pdf",
    "resource_id": "0b8e4a57-8a51-4f0e-9c55-7a0d8e2b1f10",
    "reason": "AEFI case follow-up",
    "outcome": "shown",
    "reader": {
        "id": "5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b",
        "role": "vaccinator",
        "site_id": "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01",
        "district": None,
    },
    "districts": ["760"],
}


class StaffReadEntry(BaseModel):
    """One staff read of a citizen's personal data: who, when, what, why, and the outcome."""

    model_config = examples(_AUDIT_EXAMPLE)

    read_id: UUID
    at: datetime
    citizen_id: UUID
    service: str = Field(description="The service that answered the read.")
    resource_kind: str = Field(description="What was read, e.g. `citizen_record`, `doses`.")
    resource_id: UUID | None
    reason: str = Field(description="Why the reader looked, as they gave it.")
    outcome: Literal["shown", "refused", "not_found"]
    reader: ReaderRead
    districts: list[str] = Field(
        description="Districts the read concerns: where the citizen is booked and where the "
        "records read were made."
    )


class StaffReadPage(BaseModel):
    """A page of the staff-read audit log, newest first; `next_cursor` for the next page."""

    model_config = examples({"items": [_AUDIT_EXAMPLE], "next_cursor": None})

    items: list[StaffReadEntry]
    next_cursor: str | None
