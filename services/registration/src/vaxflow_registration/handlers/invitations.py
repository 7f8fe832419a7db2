"""Invitation SMS: a site manager allocated a citizen a place; the citizen learns when and where.

Scheduling knows no phone numbers (no event carries one); registration holds them, so it sends
the message when `AppointmentBooked` arrives with the invitation channel. The SMS goes out
before it is recorded as sent: a crash in between sends it twice, never not at all, and a
redelivered event after the record sends nothing.
"""

from __future__ import annotations

from typing import Any

import structlog

from vaxflow_events import AppointmentBooked, BookingChannel, Envelope
from vaxflow_registration.domain.invitations import invitation_text
from vaxflow_registration.handlers.components import Components

log = structlog.get_logger(__name__)


async def send_invitation(event: AppointmentBooked, envelope: Envelope[Any], c: Components) -> None:
    """Text the citizen the time and place of an allocated appointment, once."""
    if event.channel is not BookingChannel.INVITATION:
        return
    if await c.notices.sent(event.appointment_id):
        return
    stored = await c.citizens.get(event.citizen_id)
    if stored is None:  # not (yet) registered here: nothing to text
        log.warning("invitation_not_sent", appointment_id=str(event.appointment_id))
        return
    text = invitation_text(
        dose_number=event.dose_number,
        slot_start=event.slot_start,
        site_label=event.site_label,
        timezone=c.settings.local_timezone,
    )
    await c.sms.send(stored.citizen.details.phone, text)
    await c.notices.record(event.appointment_id, c.now())
