"""Reminders of a next dose: who is owed one after a dose, and what to do when its day comes.

A reminder is owed after a dose that leaves the primary series unfinished (a booster is a
campaign's decision, not a due date). When its day comes the citizen's history and
appointments decide again: a dose received since, or a void that changed the next dose,
drops it; an appointment still ahead puts it off to the day after that appointment (if the
citizen goes, the dose drops it then; if not, they are reminded); otherwise it is announced.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta

from vaxflow_scheduling.domain.doses import NextDose

_NAMESPACE = uuid.UUID("5b0f8c3e-2d4a-4f61-9e7b-8a1c3d5e7f90")


@dataclass(frozen=True, slots=True)
class Reminder:
    """A citizen's next primary dose, and the day they are to be reminded of it."""

    citizen_id: str
    dose_number: int
    product_code: str
    due_from: date
    due_until: date | None
    remind_on: date

    @property
    def key(self) -> str:
        """One reminder per citizen and dose."""
        return reminder_key(self.citizen_id, self.dose_number)

    @property
    def reminder_id(self) -> uuid.UUID:
        """The reminder's id on the wire, derived from its key (the same on every replica)."""
        return uuid.uuid5(_NAMESPACE, self.key)


def reminder_key(citizen_id: str, dose_number: int) -> str:
    """The `_id` of the reminder of one citizen's dose."""
    return f"{citizen_id}#{dose_number}"


def reminder_after(citizen_id: str, next_dose: NextDose, today: date) -> Reminder | None:
    """The reminder a citizen is owed once their history says `next_dose`, or None.

    A dose already due (a late record, a history replayed) is reminded today.
    """
    if next_dose.booster or next_dose.product_code is None or next_dose.due_from is None:
        return None
    return Reminder(
        citizen_id,
        next_dose.number,
        next_dose.product_code,
        next_dose.due_from,
        next_dose.due_until,
        max(next_dose.due_from, today),
    )


@dataclass(frozen=True, slots=True)
class Announce:
    """Tell the citizen now."""


@dataclass(frozen=True, slots=True)
class PutOff:
    """Not yet: decide again on `day`."""

    day: date


@dataclass(frozen=True, slots=True)
class Drop:
    """Never: the reminder no longer applies (`reason`)."""

    reason: str


Decision = Announce | PutOff | Drop


def decide(reminder: Reminder, now_next: NextDose, booked_on: date | None, today: date) -> Decision:
    """What to do with a reminder whose day came, from the citizen's next dose and booking.

    `booked_on` is the day of the citizen's booked appointment for that dose, if any.
    """
    if now_next.booster or now_next.number != reminder.dose_number:
        return Drop("dose_changed")  # received since, or a void changed which dose is next
    if now_next.due_from is not None and now_next.due_from > today:
        return PutOff(now_next.due_from)  # a corrected date moved the window
    if booked_on is not None and booked_on >= today:
        return PutOff(booked_on + timedelta(days=1))
    return Announce()


def texting_hours(local: time, from_hour: int, until_hour: int) -> bool:
    """True between `from_hour` and `until_hour` local time, when citizens may be texted."""
    return from_hour <= local.hour < until_hour
