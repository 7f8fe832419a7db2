"""The problems scheduling answers with, in one place so that every route says the same."""

from __future__ import annotations

from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_servicekit.problems import FieldError, ProblemError


def invalid(error: RuleViolation, *, location: str = "body") -> ProblemError:
    """422 naming the field and the rule it breaks."""
    field = FieldError(field=f"{location}.{error.field}", rule=error.rule, message=error.message)
    return ProblemError(422, error.message, errors=[field])


def invalid_field(field: str, rule: str, message: str, *, location: str = "body") -> ProblemError:
    """422 for one field."""
    return invalid(RuleViolation(field, rule, message), location=location)


def not_found(what: str) -> ProblemError:
    """404 that says nothing about whether the thing exists outside the caller's scope."""
    return ProblemError(404, f"No such {what} for you.", slug=f"{what.replace(' ', '-')}-not-found")


def forbidden(detail: str) -> ProblemError:
    """403 for a caller whose scope does not cover the object."""
    return ProblemError(403, detail, slug="out-of-scope")


def slot_full(session_id: str, slot: str) -> ProblemError:
    """409 naming the session and slot that has no free place."""
    return ProblemError(
        409,
        f"Slot {slot} of session {session_id} is full.",
        title="Slot is full",
        slug="slot-full",
        extensions={"session_id": session_id, "slot": slot},
    )


def already_booked(appointment_id: str, dose_number: int) -> ProblemError:
    """409 when the citizen already holds an active appointment for the dose."""
    return ProblemError(
        409,
        f"The citizen already has an active appointment for dose {dose_number}.",
        title="Already booked",
        slug="already-booked",
        extensions={"appointment_id": appointment_id, "dose_number": dose_number},
    )


def not_active(appointment_id: str, status: str) -> ProblemError:
    """409 when an appointment is no longer booked (cancelled or completed)."""
    return ProblemError(
        409,
        f"The appointment is {status}, not booked.",
        title="Appointment not active",
        slug="appointment-not-active",
        extensions={"appointment_id": appointment_id, "appointment_status": status},
    )


def too_many_changes(retry_after_s: int) -> ProblemError:
    """429 once an identity made too many booking changes in the current window."""
    return ProblemError(
        429,
        "Too many bookings and cancellations from this account; try again later.",
        title="Too many booking changes",
        slug="too-many-booking-changes",
        headers={"Retry-After": str(retry_after_s)},
    )
