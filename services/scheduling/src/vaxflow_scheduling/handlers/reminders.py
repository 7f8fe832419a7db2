"""Reminders of a next dose: owed after a dose, announced as `NextDoseDue` when their day comes.

Scheduling knows no phone numbers; registration texts the citizen when the event arrives.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from vaxflow_events import NextDoseDue
from vaxflow_scheduling.domain.appointments import AppointmentStatus
from vaxflow_scheduling.domain.doses import next_dose
from vaxflow_scheduling.domain.reminders import (
    Announce,
    Drop,
    PutOff,
    Reminder,
    decide,
    texting_hours,
)
from vaxflow_scheduling.domain.reminders import reminder_after as owed_after
from vaxflow_scheduling.handlers.components import Components, log
from vaxflow_scheduling.store.citizens import KnownCitizen


async def remember_next_dose(
    citizen: KnownCitizen, dose_id: str, c: Components, *, series_finished: bool = False
) -> None:
    """After a dose: keep the reminder of the next one, once per citizen and dose.

    `series_finished`: injection numbered the dose as the last of its series (or a booster);
    a history that missed earlier doses must not owe a reminder then.
    """
    if series_finished:
        return
    reminder = owed_after(citizen.citizen_id, citizen.next_dose, c.today())
    if reminder is not None:
        await c.reminders.add(reminder, dose_id, c.now())


async def announce_due(c: Components) -> int:
    """One round: settle every pending reminder due by today; how many were announced.

    Nothing is announced outside the texting hours. Days before today are looked at too (up to
    `reminder_lookback_days`), so reminders due while no announcer ran still go out. Every
    reminder handled leaves the pending reminders of its day, so each page brings new ones.
    """
    s = c.settings
    local = c.clock().astimezone(c.zone).time()
    if not texting_hours(local, s.reminder_from_hour, s.reminder_until_hour):
        return 0
    today, announced = c.today(), 0
    for back in range(s.reminder_lookback_days, -1, -1):
        day = today - timedelta(days=back)
        while page := await c.reminders.due_on(day, limit=s.reminder_batch):
            for reminder in page:
                announced += await settle(reminder, today, c)
    return announced


async def settle(reminder: Reminder, today: date, c: Components) -> bool:
    """Announce, put off or drop one reminder whose day came; True if announced."""
    history = await c.citizens.history(reminder.citizen_id)
    decision = decide(reminder, next_dose(history), await _booked_on(reminder, c), today)
    if isinstance(decision, Drop):
        await c.reminders.drop(reminder.key, decision.reason, c.now())
        return False
    if isinstance(decision, PutOff):
        await c.reminders.put_off(reminder.key, decision.day)
        return False
    assert isinstance(decision, Announce)
    try:
        event = _event(reminder)
    except ValueError:  # a stored reminder no event can carry must not block its day's others
        log.warning("reminder_dropped_invalid", reminder=reminder.key)
        await c.reminders.drop(reminder.key, "invalid", c.now())
        return False
    if not await c.reminders.announce(reminder.key, [c.outbox(event, None)], c.now()):
        return False  # another announcer took it
    c.events_written()
    return True


def _event(reminder: Reminder) -> NextDoseDue:
    return NextDoseDue(
        reminder_id=reminder.reminder_id,
        citizen_id=uuid.UUID(reminder.citizen_id),
        dose_number=reminder.dose_number,
        product_code=reminder.product_code,
        due_from=reminder.due_from,
        due_until=reminder.due_until,
    )


async def _booked_on(reminder: Reminder, c: Components) -> date | None:
    """The local day of the citizen's booked appointment for the reminder's dose, if any."""
    days = [
        a.slot_start.astimezone(c.zone).date()
        for a in await c.appointments.of_citizen(reminder.citizen_id)
        if a.status is AppointmentStatus.BOOKED and a.dose_number == reminder.dose_number
    ]
    return max(days, default=None)
