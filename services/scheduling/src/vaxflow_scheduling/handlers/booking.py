"""Booking and cancelling places: one capacity rule for self-booking, invitations and waitlists.

A booking takes, in order: a place in the slot (one conditional update of the session document,
which cannot go below zero free places), the citizen's claim on the dose (an insert, unique per
citizen and dose), then writes the appointment with its `AppointmentBooked` in the same insert.
A refusal or failure after the place was taken gives it back. A process dying between the steps
can only lose a place (a slot shows one fewer free place), never overbook one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog

from vaxflow_events import (
    AdminArea,
    AppointmentBooked,
    AppointmentCancelled,
    BookingChannel,
    CancellationReason,
    DoseKind,
)
from vaxflow_scheduling.domain.appointments import (
    AppointmentStatus,
    Candidate,
    claim_key,
    dose_for,
)
from vaxflow_scheduling.domain.doses import NextDose
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.sessions import Slot
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.problems import (
    already_booked,
    invalid,
    invalid_field,
    not_active,
    not_found,
    slot_full,
)
from vaxflow_scheduling.store.appointments import Appointment
from vaxflow_scheduling.store.citizens import KnownCitizen
from vaxflow_scheduling.store.sessions import StoredSession
from vaxflow_servicekit.auth import Principal

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class BookPlace:
    """A citizen's account asks for a place in a session's slot."""

    account_id: str
    citizen_id: str
    session_id: str
    slot: str
    correlation_id: str


async def book_place(cmd: BookPlace, c: Components) -> Appointment:
    """Self-booking: 201 with the appointment, 409 when full or already booked, 422 otherwise."""
    citizen = await citizen_of_account(cmd.account_id, cmd.citizen_id, c)
    stored, slot = await session_slot(cmd.session_id, cmd.slot, c)
    dose = eligible_dose(citizen, stored, slot, c)
    return await place(
        citizen, stored, slot, dose, BookingChannel.SELF_BOOKING, cmd.correlation_id, c
    )


async def citizen_of_account(
    account_id: str, citizen_id: str, c: Components, location: str = "body"
) -> KnownCitizen:
    """The citizen, if the phone account holds them; else 422, the same for someone else's
    citizen as for an unknown one (the answer must not tell that a citizen id exists)."""
    citizen = await c.citizens.get(citizen_id)
    if citizen is None or citizen.account_id != account_id:
        raise invalid_field(
            "citizen_id",
            "registered_citizen",
            "No citizen of your phone account has this id; register first, or retry in a moment.",
            location=location,
        )
    return citizen


async def session_slot(session_id: str, slot_key: str, c: Components) -> tuple[StoredSession, Slot]:
    """The session and slot named by a booking, or 422 naming the unknown one."""
    stored = await c.sessions.get(session_id)
    if stored is None:
        raise invalid_field("session_id", "known_session", "There is no such session.")
    slot = stored.session.slot(slot_key)
    if slot is None:
        raise invalid_field("slot", "known_slot", "The session has no such slot.")
    return stored, slot


def eligible_dose(
    citizen: KnownCitizen, stored: StoredSession, slot: Slot, c: Components
) -> NextDose:
    """The dose the citizen takes in this slot, or 422 with the rule that refuses it."""
    try:
        return dose_for(Candidate(citizen.birth_year, citizen.doses), stored.session, slot, c.now())
    except RuleViolation as error:
        raise invalid(error) from None


async def place(
    citizen: KnownCitizen,
    stored: StoredSession,
    slot: Slot,
    dose: NextDose,
    channel: BookingChannel,
    correlation_id: str,
    c: Components,
) -> Appointment:
    """Take the place, then the citizen's claim, then write the appointment with its event.

    The place comes first so that a stampede on a full slot costs each loser one conditional
    update and nothing to undo; the session read just before answers most of them without
    any write at all.
    """
    session_id = stored.session.session_id
    if stored.free.get(slot.key, 0) <= 0:
        raise slot_full(session_id, slot.key)
    after = await c.sessions.take_place(session_id, slot.key)
    if after is None:
        raise slot_full(session_id, slot.key)
    appointment_id = str(uuid.uuid4())
    key = claim_key(citizen.citizen_id, dose.number)
    claimed = await c.appointments.claim(key, appointment_id, c.now(), (session_id, slot.key))
    if claimed.freed is not None:
        await c.publish_free(await c.sessions.give_back(*claimed.freed))
    if claimed.holder is not None:
        await c.publish_free(await c.sessions.give_back(session_id, slot.key))
        raise already_booked(claimed.holder, dose.number)
    appointment = _appointment(appointment_id, citizen, stored, slot, dose, channel, c)
    event = c.outbox(booked_event(appointment, after), correlation_id)
    try:
        await c.appointments.add(appointment, [event])
    except Exception:
        # The write may have landed before the error (a lost answer, a timeout): undoing
        # then would free a place and a claim an appointment holds, and the retry would book
        # twice. Undo only what is known not written; when unsure, keep both (the claim is
        # taken over once stale, and its place given back then).
        written = await _written(appointment_id, c)
        if written is False:
            await c.sessions.give_back(session_id, slot.key)
            await c.appointments.release(key, appointment_id)
        if written is not True:
            raise
    c.events_written()
    await c.publish_free(after)
    return appointment


async def _written(appointment_id: str, c: Components) -> bool | None:
    """Whether the appointment is stored: True, False, or None when the store cannot say."""
    try:
        return await c.appointments.get(appointment_id) is not None
    except Exception:  # the store is still unreachable
        log.warning("booking_outcome_unknown", appointment_id=appointment_id)
        return None


def _appointment(
    appointment_id: str,
    citizen: KnownCitizen,
    stored: StoredSession,
    slot: Slot,
    dose: NextDose,
    channel: BookingChannel,
    c: Components,
) -> Appointment:
    return Appointment(
        appointment_id=appointment_id,
        citizen_id=citizen.citizen_id,
        site_id=stored.session.site_id,
        session_id=stored.session.session_id,
        slot_key=slot.key,
        slot_start=slot.start,
        slot_end=slot.end,
        dose_number=dose.number,
        booster=dose.booster,
        product_code=stored.session.product_code,
        channel=channel.value,
        status=AppointmentStatus.BOOKED,
        booked_at=c.now(),
    )


def booked_event(a: Appointment, stored: StoredSession) -> AppointmentBooked:
    """The event announcing a booking, with the site's area for district scopes."""
    return AppointmentBooked(
        appointment_id=uuid.UUID(a.appointment_id),
        citizen_id=uuid.UUID(a.citizen_id),
        site_id=uuid.UUID(a.site_id),
        site_area=AdminArea.model_validate(stored.site_area),
        session_id=uuid.UUID(a.session_id),
        campaign_id=uuid.UUID(stored.session.campaign_id) if stored.session.campaign_id else None,
        slot_start=a.slot_start,
        slot_end=a.slot_end,
        session_capacity=stored.session.capacity,
        product_code=a.product_code,
        dose_number=a.dose_number,
        dose_kind=DoseKind.BOOSTER if a.booster else DoseKind.PRIMARY,
        channel=BookingChannel(a.channel),
        site_label=stored.site_label,
    )


@dataclass(frozen=True)
class CancelAppointment:
    """The citizen (or staff of the site) cancels an appointment."""

    appointment_id: str
    reason: CancellationReason
    correlation_id: str


async def cancel_appointment(
    cmd: CancelAppointment, caller: Principal, c: Components
) -> Appointment:
    """Cancel, free the place and the citizen's claim; 409 if it is no longer booked."""
    appointment = await c.appointments.get(cmd.appointment_id)
    if appointment is None or not await _may_cancel(caller, appointment, c):
        raise not_found("appointment")
    if appointment.status is AppointmentStatus.CANCELLED and await free_place(appointment, c):
        # Cancelled, but its place not freed yet: a cancel retried after its answer was lost.
        await c.after_place_freed(appointment.session_id, cmd.correlation_id)
        return appointment
    if appointment.status is not AppointmentStatus.BOOKED:
        raise not_active(appointment.appointment_id, appointment.status.value)
    event = c.outbox(cancelled_event(appointment, cmd.reason), cmd.correlation_id)
    if not await c.appointments.settle(
        appointment.appointment_id, AppointmentStatus.CANCELLED, c.now(), [event]
    ):
        raise not_active(appointment.appointment_id, "no longer booked")
    c.events_written()
    await free_place(appointment, c)
    await c.after_place_freed(appointment.session_id, cmd.correlation_id)
    return appointment


async def free_place(appointment: Appointment, c: Components) -> bool:
    """Give a settled appointment's claim, then its place, back; False if already given.

    Releasing the claim decides: of two attempts (a cancel retried after a lost answer) only
    the one that released it gives the place back, so a place is never freed twice. A crash
    between the two leaves one place unused, never a slot overbooked.
    """
    key = claim_key(appointment.citizen_id, appointment.dose_number)
    if not await c.appointments.release(key, appointment.appointment_id):
        return False
    await c.publish_free(await c.sessions.give_back(appointment.session_id, appointment.slot_key))
    return True


async def visible_appointment(
    appointment_id: str, caller: Principal, c: Components
) -> Appointment | None:
    """The appointment if the caller may see it: its citizen's account or staff of its site."""
    appointment = await c.appointments.get(appointment_id)
    if appointment is None:
        return None
    if caller.role == "mcc_operator" or await _may_cancel(caller, appointment, c):
        return appointment
    return None


async def _may_cancel(caller: Principal, appointment: Appointment, c: Components) -> bool:
    if caller.role == "citizen":
        citizen = await c.citizens.get(appointment.citizen_id)
        return citizen is not None and citizen.account_id == caller.subject
    if caller.role in ("admin", "mcc_operator"):
        return caller.role == "admin"  # operators watch; they do not cancel
    site = await c.sites.get(appointment.site_id)
    return site is not None and caller.covers_site(
        appointment.site_id, district=site.area.district_code
    )


def cancelled_event(a: Appointment, reason: CancellationReason) -> AppointmentCancelled:
    """The event announcing a cancellation."""
    return AppointmentCancelled(
        appointment_id=uuid.UUID(a.appointment_id),
        citizen_id=uuid.UUID(a.citizen_id),
        site_id=uuid.UUID(a.site_id),
        session_id=uuid.UUID(a.session_id),
        slot_start=a.slot_start,
        reason=reason,
    )
