"""Routes of invitations and waitlists."""

from __future__ import annotations

from fastapi import APIRouter

from vaxflow_scheduling.api.deps import ROLE, CitizenCaller, ComponentsDep, Manager
from vaxflow_scheduling.handlers import invitations
from vaxflow_scheduling.presenters import appointment_read
from vaxflow_scheduling.schemas import (
    InvitationCreate,
    InvitationRead,
    WaitlistCreate,
    WaitlistRead,
)
from vaxflow_servicekit.context import CorrelationIdDep
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["invitations"])


@router.post(
    "/invitations",
    status_code=201,
    summary="Invite eligible citizens into a session's free slots",
    description="Site managers of the session's site, district admins, admins. Registered "
    "citizens are taken in priority-group order; each gets the first free slot they are "
    "eligible for (dose due, product, age), through the same capacity rule as self-booking. "
    "Each invited citizen gets an SMS with the time and the place (sent by registration, which "
    "holds the phone numbers, on `AppointmentBooked` with channel `invitation`).",
    responses=ROLE,
)
async def invite(
    body: InvitationCreate, caller: Manager, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> InvitationRead:
    """Allocate places."""
    cmd = invitations.Invite(str(body.session_id), body.count, correlation_id)
    given = await invitations.invite(cmd, caller, c)
    return InvitationRead(
        session_id=str(body.session_id),
        invited=len(given),
        appointments=[appointment_read(a, c.check_in_key) for a in given],
    )


@router.post(
    "/sessions/{session_id}/waitlist",
    status_code=201,
    summary="Wait for a place in a session",
    description="409 `already-waiting`; 422 when the citizen is not eligible for the session.",
    responses={**ROLE, **problem_responses(409)},
    tags=["sessions"],
)
async def join_waitlist(
    session_id: Uuid, body: WaitlistCreate, caller: CitizenCaller, c: ComponentsDep
) -> WaitlistRead:
    """Join the session's waitlist."""
    cmd = invitations.JoinWaitlist(caller.subject, str(body.citizen_id), str(session_id))
    waiting = await invitations.join_waitlist(cmd, c)
    return WaitlistRead(
        session_id=str(session_id), citizen_id=str(body.citizen_id), waiting=waiting
    )
