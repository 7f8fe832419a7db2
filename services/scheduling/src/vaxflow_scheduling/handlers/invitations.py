"""Invitations and waitlists: more ways into the same capacity rule as self-booking.

A site manager invites registered citizens, in priority order, into a session's free slots;
a citizen may wait for a full session, and each freed place goes to the first person waiting
who is still eligible. Every place is taken by `booking.place`, so the capacity rule and the
one-appointment-per-dose rule hold whichever way a place is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxflow_events import BookingChannel
from vaxflow_scheduling.domain.appointments import Candidate, dose_for
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.handlers.booking import (
    citizen_of_account,
    eligible_dose,
    place,
)
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.problems import forbidden, invalid_field
from vaxflow_scheduling.handlers.sites import may_manage_site, site_of
from vaxflow_scheduling.store.appointments import Appointment
from vaxflow_scheduling.store.citizens import KnownCitizen
from vaxflow_scheduling.store.sessions import StoredSession
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.problems import ProblemError


@dataclass(frozen=True)
class Invite:
    """Allocate up to `count` eligible citizens, in priority order, into a session's free slots."""

    session_id: str
    count: int
    correlation_id: str


async def invite(cmd: Invite, caller: Principal, c: Components) -> list[Appointment]:
    """The appointments given (as many as places, eligible people and `count` allow)."""
    stored = await _session(cmd.session_id, c)
    site = await site_of(stored.session.site_id, c)
    if not may_manage_site(caller, site):
        raise forbidden("You may invite only into sessions of sites in your scope.")
    given: list[Appointment] = []
    session = stored.session
    born_by = session.day.year - session.min_age if session.min_age else None
    for citizen in await c.citizens.of_priority(limit=cmd.count * 5 + 50, born_by=born_by):
        if len(given) >= cmd.count or stored.free_places == 0:
            break
        appointment = await _try_place(
            citizen, stored, BookingChannel.INVITATION, cmd.correlation_id, c
        )
        if appointment is not None:
            given.append(appointment)
            stored = await c.sessions.get(cmd.session_id) or stored
    return given


async def _session(session_id: str, c: Components) -> StoredSession:
    stored = await c.sessions.get(session_id)
    if stored is None:
        raise invalid_field("session_id", "known_session", "There is no such session.")
    return stored


async def _try_place(
    citizen: KnownCitizen,
    stored: StoredSession,
    channel: BookingChannel,
    correlation_id: str,
    c: Components,
) -> Appointment | None:
    """A place in the first slot with room for an eligible citizen, or None."""
    for slot in stored.session.slots:
        if stored.free.get(slot.key, 0) <= 0:
            continue
        try:
            dose = dose_for(
                Candidate(citizen.birth_year, citizen.doses), stored.session, slot, c.now()
            )
        except RuleViolation:
            continue  # this slot is over, or the citizen is not eligible for the session
        try:
            return await place(citizen, stored, slot, dose, channel, correlation_id, c)
        except ProblemError as error:
            if error.slug == "already-booked":
                return None
    return None


@dataclass(frozen=True)
class JoinWaitlist:
    """A citizen of the caller's account waits for a place in a session."""

    account_id: str
    citizen_id: str
    session_id: str


async def join_waitlist(cmd: JoinWaitlist, c: Components) -> int:
    """Join; the number of people waiting. 422 when not eligible, 409 when already waiting."""
    citizen = await citizen_of_account(cmd.account_id, cmd.citizen_id, c)
    stored = await _session(cmd.session_id, c)
    eligible_dose(citizen, stored, stored.session.slots[-1], c)
    if not await c.waitlist.join(cmd.session_id, cmd.citizen_id, cmd.account_id, c.now()):
        raise ProblemError(
            409, "The citizen is already waiting for this session.", slug="already-waiting"
        )
    return await c.waitlist.position(cmd.session_id)


async def fill_from_waitlist(
    session_id: str, correlation_id: str, c: Components
) -> Appointment | None:
    """Give a freed place of a session to the first person waiting who is still eligible."""
    for _ in range(20):  # people no longer eligible are skipped; a few at most in practice
        entry = await c.waitlist.take_next(session_id, c.now())
        if entry is None:
            return None
        stored, citizen = (
            await c.sessions.get(session_id),
            await c.citizens.get(entry["citizen_id"]),
        )
        if stored is None or stored.free_places == 0:
            await c.waitlist.give_back(entry["_id"])
            return None
        appointment = None
        if citizen is not None:
            appointment = await _try_place(
                citizen, stored, BookingChannel.WAITLIST, correlation_id, c
            )
        if appointment is not None:
            await c.waitlist.settle(entry["_id"], "placed", appointment.appointment_id)
            return appointment
        await c.waitlist.settle(entry["_id"], "skipped")
    return None
