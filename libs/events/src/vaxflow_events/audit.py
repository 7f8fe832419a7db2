"""Staff reads of a citizen's personal data, reported to the audit log; ids only.

Each service that shows staff a citizen's personal data appends its own audit entry and
publishes it on a topic of its own; registration, which knows where every citizen is booked,
keeps the district-indexed copy a district admin lists. The payload names who read what and
why, never the data shown.
"""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from vaxflow_events.base import Event, UtcDatetime
from vaxflow_events.common import DistrictCode

Subject = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ResourceKind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class StaffRole(StrEnum):
    """The role in the reader's token."""

    VACCINATOR = "vaccinator"
    SITE_MANAGER = "site_manager"
    DISTRICT_ADMIN = "district_admin"
    MCC_OPERATOR = "mcc_operator"
    ADMIN = "admin"


class ReadOutcome(StrEnum):
    """Whether the record was shown, refused (out of the reader's scope) or not found."""

    SHOWN = "shown"
    REFUSED = "refused"
    NOT_FOUND = "not_found"


class StaffRead(Event):
    """The fields every staff-read event carries (not itself an event on any topic)."""

    read_id: UUID = Field(description="Id of the audit entry; the same read is recorded once.")
    citizen_id: UUID = Field(description="VaxFlow id of the citizen read; the message key.")
    reader_id: Subject = Field(description="Staff account id (`sub` of the reader's token).")
    reader_role: StaffRole = Field(description="Role in the reader's token.")
    reader_site_id: UUID | None = Field(description="Site in the reader's token scope, or null.")
    reader_district: DistrictCode | None = Field(
        description="District in the reader's token scope, or null."
    )
    resource_kind: ResourceKind = Field(description="What was read, e.g. `certificate_pdf`.")
    resource_id: UUID | None = Field(description="Id of the record read, or null for a list.")
    reason: Reason = Field(description="Why the reader looked, as they gave it.")
    outcome: ReadOutcome = Field(description="Shown, refused or not found.")
    record_districts: tuple[DistrictCode, ...] = Field(
        description="Districts of the sites the records read belong to (where a dose was given)."
    )
    read_at: UtcDatetime = Field(description="When the read was answered.")


class DosesReadByStaff(StaffRead):
    """A staff member read a citizen's dose records (injection)."""


class CertificateReadByStaff(StaffRead):
    """A staff member read a citizen's certificate, its QR code or PDF (certificate)."""
