"""Events of the appointment stream, produced by scheduling."""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from vaxflow_events.base import Event, UtcDatetime
from vaxflow_events.common import (
    AdminArea,
    Count,
    DoseKind,
    DoseNumber,
    SiteLabel,
    ValueSetCode,
)


class BookingChannel(StrEnum):
    """How a place was given to the citizen."""

    SELF_BOOKING = "self_booking"
    INVITATION = "invitation"
    WAITLIST = "waitlist"


class CancellationReason(StrEnum):
    """Why an appointment was cancelled."""

    CITIZEN_REQUEST = "citizen_request"
    REBOOKED = "rebooked"
    SESSION_CANCELLED = "session_cancelled"
    LOT_SUSPENDED = "lot_suspended"
    NOT_ELIGIBLE = "not_eligible"


class CheckInMethod(StrEnum):
    """How the citizen was recognised at the site."""

    QR_CODE = "qr_code"
    WALK_IN = "walk_in"


class AppointmentBooked(Event):
    """A citizen was given a place in a session's time slot."""

    appointment_id: UUID = Field(description="Id of the appointment.")
    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    site_id: UUID = Field(description="Injection site of the session.")
    site_area: AdminArea | None = Field(
        default=None,
        description="Administrative units of the site, so staff scoped to a district are known.",
    )
    session_id: UUID = Field(description="Session the place belongs to.")
    campaign_id: UUID | None = Field(description="Campaign the session is part of, if any.")
    slot_start: UtcDatetime = Field(description="Start of the time slot.")
    slot_end: UtcDatetime = Field(description="End of the time slot.")
    session_capacity: Count = Field(
        description="Places the session offers over all its slots, for bookings against capacity."
    )
    product_code: ValueSetCode = Field(
        description="Vaccine product offered by the session (EU DCC `mp` value set)."
    )
    dose_number: DoseNumber = Field(
        description="Dose the appointment is for, from the citizen's history."
    )
    dose_kind: DoseKind = Field(description="Primary series dose or booster.")
    channel: BookingChannel = Field(description="How the place was given.")
    site_label: SiteLabel | None = Field(
        default=None,
        description="What the site is called (a facility, never a person's address), so an "
        "invitation or a dashboard can say where; null from producers that do not know it.",
    )


class AppointmentCancelled(Event):
    """An appointment was cancelled and its place freed."""

    appointment_id: UUID = Field(description="Id of the cancelled appointment.")
    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    site_id: UUID = Field(description="Injection site of the session.")
    session_id: UUID = Field(description="Session whose place was freed.")
    slot_start: UtcDatetime = Field(description="Start of the freed time slot.")
    reason: CancellationReason = Field(description="Why the appointment was cancelled.")


class CitizenCheckedIn(Event):
    """A citizen arrived at a site and joined its queue."""

    check_in_id: UUID = Field(description="Id of the check-in.")
    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    site_id: UUID = Field(description="Site the citizen arrived at.")
    appointment_id: UUID | None = Field(
        description="Appointment checked in against, or null for a walk-in."
    )
    method: CheckInMethod = Field(description="How the citizen was recognised.")
    queue_number: int = Field(ge=1, description="Number given in the site's queue for the day.")
    site_area: AdminArea | None = Field(
        default=None,
        description="Administrative units of the site, so injection can name the site's area "
        "on DoseAdministered (walk-ins included); null from producers that do not know it.",
    )
    site_label: SiteLabel | None = Field(
        default=None,
        description="What the site is called, for dashboards; null from producers that do not "
        "know it.",
    )
