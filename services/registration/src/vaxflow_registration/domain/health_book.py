"""The health book: the citizen's timeline, one entry per event about them.

Entries carry only what the citizen needs to read about their own care (where, what, when,
outcome), never another person's data or free text. An entry is keyed by the id of the event
it comes from, so replaying a topic rebuilds the same book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from vaxflow_events import (
    AefiClassified,
    AefiReported,
    AppointmentBooked,
    AppointmentCancelled,
    CertificateIssued,
    CertificateRevoked,
    CitizenCheckedIn,
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
    Envelope,
    Event,
    ObservationCompleted,
    ScreeningRecorded,
)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    event_id: UUID
    citizen_id: UUID
    occurred_at: datetime
    kind: str
    ref_id: UUID
    status: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mark:
    """A later event changes the status of an earlier entry (a dose voided, ...)."""

    kind: str
    ref_id: UUID
    status: str


def _pick(model: Any, *names: str) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", include=set(names))
    return data


def _vaccination(v: Any) -> dict[str, Any]:
    return _pick(
        v,
        "product_code",
        "manufacturer_code",
        "lot_number",
        "dose_number",
        "series_doses",
        "dose_kind",
        "administered_at",
        "administered_on",
    )


_KINDS: dict[type[Event], tuple[str, Callable[[Any], UUID], Callable[[Any], dict[str, Any]]]] = {
    AppointmentBooked: (
        "appointment_booked",
        lambda e: e.appointment_id,
        lambda e: _pick(
            e, "site_id", "slot_start", "slot_end", "product_code", "dose_number", "dose_kind"
        ),
    ),
    AppointmentCancelled: (
        "appointment_cancelled",
        lambda e: e.appointment_id,
        lambda e: _pick(e, "site_id", "slot_start", "reason"),
    ),
    CitizenCheckedIn: (
        "checked_in",
        lambda e: e.check_in_id,
        lambda e: _pick(e, "site_id", "appointment_id", "method", "queue_number"),
    ),
    ScreeningRecorded: (
        "screened",
        lambda e: e.screening_id,
        lambda e: _pick(e, "site_id", "product_code", "outcome", "postponed_until"),
    ),
    DoseAdministered: (
        "dose_administered",
        lambda e: e.dose_id,
        lambda e: _pick(e, "site_id") | _vaccination(e.vaccination),
    ),
    DoseCorrected: (
        "dose_corrected",
        lambda e: e.dose_id,
        lambda e: _pick(e, "site_id") | _vaccination(e.current),
    ),
    DoseVoided: ("dose_voided", lambda e: e.dose_id, lambda e: _pick(e, "site_id", "reason")),
    ObservationCompleted: (
        "observation_completed",
        lambda e: e.observation_id,
        lambda e: _pick(e, "dose_id", "observed_minutes", "reactions", "serious"),
    ),
    CertificateIssued: (
        "certificate_issued",
        lambda e: e.certificate_id,
        lambda e: _pick(
            e, "uvci", "dose_id", "level", "dose_number", "series_doses", "issued_at", "expires_at"
        ),
    ),
    CertificateRevoked: (
        "certificate_revoked",
        lambda e: e.certificate_id,
        lambda e: _pick(e, "uvci", "dose_id", "reason"),
    ),
    AefiReported: (
        "reaction_reported",
        lambda e: e.aefi_id,
        lambda e: _pick(
            e,
            "dose_id",
            "product_code",
            "source",
            "onset_at",
            "symptom_codes",
            "severity",
            "outcome",
            "serious",
        ),
    ),
    AefiClassified: (
        "reaction_classified",
        lambda e: e.aefi_id,
        lambda e: _pick(e, "causality", "serious"),
    ),
}

HEALTH_BOOK_EVENTS: tuple[type[Event], ...] = tuple(_KINDS)


def entry_for(event: Event, envelope: Envelope[Any]) -> Entry:
    """The timeline entry of an event about a citizen."""
    kind, ref, details = _KINDS[type(event)]
    return Entry(
        event_id=envelope.event_id,
        citizen_id=getattr(event, "citizen_id"),  # noqa: B009 - every event here is keyed by it
        occurred_at=envelope.occurred_at,
        kind=kind,
        ref_id=ref(event),
        details=details(event),
    )


def mark_for(event: Event) -> Mark | None:
    """The status an event gives to an earlier entry, if any."""
    if isinstance(event, AppointmentCancelled):
        return Mark("appointment_booked", event.appointment_id, "cancelled")
    if isinstance(event, DoseVoided):
        return Mark("dose_administered", event.dose_id, "voided")
    if isinstance(event, DoseCorrected):
        return Mark("dose_administered", event.dose_id, "corrected")
    if isinstance(event, CertificateRevoked):
        return Mark("certificate_issued", event.certificate_id, "revoked")
    return None
