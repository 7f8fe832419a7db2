"""Events of the citizen stream, produced by registration."""

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from vaxflow_events.base import Event
from vaxflow_events.common import AdminArea, Holder

PriorityGroup = Annotated[int, Field(ge=1)]


class Sex(StrEnum):
    """Sex as registered."""

    FEMALE = "female"
    MALE = "male"
    UNSPECIFIED = "unspecified"


class RegistrationChannel(StrEnum):
    """How the citizen came to be registered."""

    SELF_SERVICE = "self_service"
    FAMILY_MEMBER = "family_member"
    BULK_IMPORT = "bulk_import"


class CitizenField(StrEnum):
    """A citizen attribute visible on the citizen stream."""

    FAMILY_NAME = "family_name"
    GIVEN_NAME = "given_name"
    DATE_OF_BIRTH = "date_of_birth"
    SEX = "sex"
    RESIDENCE = "residence"
    PRIORITY_GROUP = "priority_group"


_HOLDER = (
    "The holder snapshot: names, transliterations and birth date. Injection copies it onto "
    "DoseAdministered; the certificate service reissues certificates when it changes."
)
_ACCOUNT = (
    "Opaque id of the phone account that holds the citizen (the `sub` of that account's citizen "
    "tokens), so services can tell which citizens a caller may act for; null while nobody holds "
    "the record (a bulk import not yet claimed). Never a phone number."
)
_PRIORITY = (
    "Priority group number of the campaign's list (Decision 3355/QĐ-BYT numbered 1 to 16), "
    "or null when the citizen is in none."
)


class CitizenRegistered(Event):
    """A citizen was registered and received their VaxFlow id."""

    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    holder: Holder = Field(description=_HOLDER)
    sex: Sex = Field(description="Sex as registered.")
    residence: AdminArea = Field(description="Administrative units of residence, codes only.")
    priority_group: PriorityGroup | None = Field(description=_PRIORITY)
    channel: RegistrationChannel = Field(description="How the registration was made.")
    import_id: UUID | None = Field(
        description="Bulk import the registration came from, or null outside imports."
    )
    account_id: str | None = Field(default=None, max_length=64, description=_ACCOUNT)


class CitizenUpdated(Event):
    """A citizen's registered details changed; the payload is the state after the change."""

    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    holder: Holder = Field(description=_HOLDER)
    sex: Sex = Field(description="Sex as registered.")
    residence: AdminArea = Field(description="Administrative units of residence, codes only.")
    priority_group: PriorityGroup | None = Field(description=_PRIORITY)
    changed_fields: tuple[CitizenField, ...] = Field(
        description=(
            "Which of the attributes above changed; empty when only the holding account changed "
            "(a phone account claimed a record registered by a bulk import)."
        )
    )
    changed_by: Literal["citizen", "staff"] = Field(
        description="Who made the change: the citizen themselves or staff on their behalf."
    )
    account_id: str | None = Field(default=None, max_length=64, description=_ACCOUNT)
