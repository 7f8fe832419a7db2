"""Routes of appointments: self-booking, reading and cancelling."""

from __future__ import annotations

from fastapi import APIRouter, Response

from vaxflow_events import CancellationReason
from vaxflow_scheduling.api.deps import ROLE, Anyone, CitizenCaller, ComponentsDep
from vaxflow_scheduling.handlers import booking, throttle
from vaxflow_scheduling.handlers.problems import not_found
from vaxflow_scheduling.presenters import appointment_read
from vaxflow_scheduling.schemas import (
    AppointmentCreate,
    AppointmentRead,
    CitizenAppointments,
    NextDoseRead,
)
from vaxflow_servicekit.context import CorrelationIdDep
from vaxflow_servicekit.links import link, links
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["appointments"])

_APPOINTMENT_ID = "$response.body#/appointment_id"
_BOOKED_LINKS = links(
    ReadBooked=link("GET", "/api/v1/appointments/{appointment_id}", appointment_id=_APPOINTMENT_ID),
    CancelBooked=link(
        "DELETE", "/api/v1/appointments/{appointment_id}", appointment_id=_APPOINTMENT_ID
    ),
    ListBookings=link("GET", "/api/v1/appointments", citizen_id="$response.body#/citizen_id"),
)


@router.post(
    "/appointments",
    status_code=201,
    summary="Book a place for a citizen of my account",
    description="409 `slot-full` (naming the session and slot) or `already-booked` (one active "
    "appointment per dose); 422 for an unknown session or slot, a slot in the past, a dose the "
    "session does not serve or that is not yet due, or a citizen scheduling does not know yet "
    "or of another account; 429 `too-many-booking-changes` (with Retry-After) once the phone "
    "account made too many bookings and cancellations this hour.",
    responses={**ROLE, 201: _BOOKED_LINKS, **problem_responses(409, 429)},
)
async def book(
    body: AppointmentCreate,
    caller: CitizenCaller,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
    response: Response,
) -> AppointmentRead:
    """Self-booking."""
    cmd = booking.BookPlace(
        caller.subject, str(body.citizen_id), str(body.session_id), body.slot, correlation_id
    )
    async with throttle.booking_change(caller, c):
        appointment = await booking.book_place(cmd, c)
    response.headers["Location"] = f"/api/v1/appointments/{appointment.appointment_id}"
    return appointment_read(appointment, c.check_in_key)


@router.get(
    "/appointments",
    summary="A citizen's appointments and next dose due",
    description="For a person of the caller's phone account (403 otherwise, 422 while "
    "scheduling does not know them yet). The next dose follows from the doses recorded by "
    "injection and the product's interval rules. At most the 50 latest appointments.",
    responses={**ROLE},
)
async def citizen_appointments(
    citizen_id: Uuid, caller: CitizenCaller, c: ComponentsDep
) -> CitizenAppointments:
    """Appointments, newest first, and the next dose."""
    citizen = await booking.citizen_of_account(caller.subject, str(citizen_id), c, "query")
    dose = citizen.next_dose
    return CitizenAppointments(
        citizen_id=citizen.citizen_id,
        next_dose=NextDoseRead(
            dose_number=dose.number,
            dose_kind="booster" if dose.booster else "primary",
            product_code=dose.product_code,
            due_from=dose.due_from,
            due_until=dose.due_until,
        ),
        items=[
            appointment_read(a, c.check_in_key)
            for a in await c.appointments.of_citizen(citizen.citizen_id)
        ],
    )


@router.get(
    "/appointments/{appointment_id}",
    summary="One appointment",
    responses={**ROLE, **problem_responses(404)},
)
async def read_appointment(
    appointment_id: Uuid, caller: Anyone, c: ComponentsDep
) -> AppointmentRead:
    """The appointment, for its citizen's account or staff covering its site."""
    appointment = await booking.visible_appointment(str(appointment_id), caller, c)
    if appointment is None:
        raise not_found("appointment")
    return appointment_read(appointment, c.check_in_key)


@router.delete(
    "/appointments/{appointment_id}",
    summary="Cancel an appointment",
    description="By the citizen's account, or staff covering the site; frees the place. 409 when "
    "it is no longer booked; 429 `too-many-booking-changes` (with Retry-After) once the caller "
    "made too many bookings and cancellations this hour.",
    responses={**ROLE, **problem_responses(404, 409, 429)},
)
async def cancel(
    appointment_id: Uuid, caller: Anyone, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> AppointmentRead:
    """Cancel and free the place."""
    reason = CancellationReason.CITIZEN_REQUEST
    cmd = booking.CancelAppointment(str(appointment_id), reason, correlation_id)
    async with throttle.booking_change(caller, c):
        appointment = await booking.cancel_appointment(cmd, caller, c)
    read = appointment_read(appointment, c.check_in_key)
    return read.model_copy(update={"status": "cancelled"})
