"""Whether a citizen may take a place in a session's slot, and for which dose.

The dose follows from the citizen's history (DoseAdministered, as corrected or voided), never
from what the caller says; the session must serve that dose, with the same product for a later
primary dose, on a day the product's minimum interval allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from vaxflow_scheduling.domain.doses import NextDose, PastDose, next_dose
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.sessions import Session, Slot


class AppointmentStatus(StrEnum):
    """Where an appointment stands."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the rules need to know about the citizen."""

    birth_year: int | None
    history: list[PastDose]


def claim_key(citizen_id: str, dose_number: int) -> str:
    """The `_id` of the one active appointment a citizen may hold for one dose."""
    return f"{citizen_id}#{dose_number}"


def dose_for(candidate: Candidate, session: Session, slot: Slot, now: datetime) -> NextDose:
    """The dose the citizen would take in this slot, or RuleViolation saying why not."""
    if slot.end <= now:
        raise RuleViolation("slot", "not_in_past", "The slot has already ended.")
    dose = next_dose(candidate.history)
    if dose.slot not in session.doses:
        raise RuleViolation(
            "session_id",
            "serves_dose",
            f"The session does not serve the citizen's next dose ({dose.slot.value}).",
        )
    if dose.product_code is not None and dose.product_code != session.product_code:
        raise RuleViolation(
            "session_id",
            "same_product",
            "The citizen's next primary dose must be of the product of the earlier doses.",
        )
    if not dose.is_due_on(session.day):
        due = dose.due_from.isoformat() if dose.due_from else ""
        raise RuleViolation("session_id", "dose_due", f"The next dose is not due before {due}.")
    _check_age(candidate, session)
    return dose


def _check_age(candidate: Candidate, session: Session) -> None:
    if candidate.birth_year is None or session.min_age == 0:
        return
    if session.day.year - candidate.birth_year < session.min_age:
        raise RuleViolation(
            "session_id", "min_age", f"The session is for people aged {session.min_age} and over."
        )
