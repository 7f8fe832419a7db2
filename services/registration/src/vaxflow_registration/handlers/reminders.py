"""Reminder SMS: scheduling announced that a citizen's next dose is due; the citizen is told.

Scheduling knows no phone numbers, so registration sends the text when `NextDoseDue` arrives.
As with invitations, the SMS goes out before it is recorded as sent: a crash in between sends
it twice, never not at all, and a redelivered event after the record sends nothing. The record
is keyed by the reminder id, one per citizen and dose.
"""

from __future__ import annotations

from typing import Any

import structlog

from vaxflow_events import Envelope, NextDoseDue
from vaxflow_registration.domain.invitations import reminder_text
from vaxflow_registration.handlers.components import Components
from vaxflow_servicekit.consumer import Handler

log = structlog.get_logger(__name__)


async def send_reminder(event: NextDoseDue, envelope: Envelope[Any], c: Components) -> None:
    """Text the citizen that their next dose is due, once per citizen and dose."""
    if await c.reminder_notices.sent(event.reminder_id):
        return
    stored = await c.citizens.get(event.citizen_id)
    if stored is None:  # not (yet) registered here: nothing to text
        log.warning("reminder_not_sent", reminder_id=str(event.reminder_id))
        return
    text = reminder_text(
        dose_number=event.dose_number, due_from=event.due_from, due_until=event.due_until
    )
    await c.sms.send(stored.citizen.details.phone, text)
    await c.reminder_notices.record(event.reminder_id, event.citizen_id, c.now())


def reminder_handlers(c: Components) -> dict[str, Handler]:
    """The typed handler of the reminder consumer."""

    async def handle(event: Any, envelope: Any) -> None:
        await send_reminder(event, envelope, c)

    return {NextDoseDue.event_type: handle}
