"""Reactions to the streams about citizens: the health book and each citizen's whereabouts.

Every effect is idempotent: a book entry is keyed by its event id, marks and whereabouts are
plain sets of the same values, so a redelivered event changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from vaxflow_events import (
    AppointmentBooked,
    AppointmentCancelled,
    DoseAdministered,
    Envelope,
    Event,
)
from vaxflow_registration.domain.health_book import HEALTH_BOOK_EVENTS, Entry, entry_for, mark_for
from vaxflow_registration.handlers.citizens import owned_citizen
from vaxflow_registration.handlers.components import Components
from vaxflow_registration.handlers.invitations import send_invitation
from vaxflow_servicekit.consumer import Handler


async def record_in_health_book(event: Event, envelope: Envelope[Any], c: Components) -> None:
    """Mark the entry the event settles, then add the event's own entry.

    In that order, a reader who sees the new entry also sees its effect on the earlier one.
    """
    mark = mark_for(event)
    if mark is not None:
        await c.book.mark(getattr(event, "citizen_id"), mark)  # noqa: B009
    await c.book.record(entry_for(event, envelope))


async def track_booking(event: AppointmentBooked, envelope: Envelope[Any], c: Components) -> None:
    """The booking becomes the citizen's current appointment (for the staff scope check).

    An invitation is also texted to the citizen.
    """
    await record_in_health_book(event, envelope, c)
    if event.site_area is not None:
        await c.whereabouts.remember_site(event.site_id, event.site_area.model_dump(mode="json"))
    await c.whereabouts.booked(
        event.citizen_id, event.appointment_id, event.site_id, envelope.occurred_at
    )
    await send_invitation(event, envelope, c)


async def forget_cancelled_booking(
    event: AppointmentCancelled, envelope: Envelope[Any], c: Components
) -> None:
    """A cancelled appointment is no longer where the citizen is expected."""
    await record_in_health_book(event, envelope, c)
    await c.whereabouts.cancelled(event.citizen_id, event.appointment_id)


async def remember_site_of_dose(
    event: DoseAdministered, envelope: Envelope[Any], c: Components
) -> None:
    """Book the dose, and learn the site's administrative units for district scopes."""
    await record_in_health_book(event, envelope, c)
    await c.whereabouts.remember_site(event.site_id, event.site_area.model_dump(mode="json"))


Reaction = Callable[[Any, Envelope[Any], Components], Awaitable[None]]


def health_book_handlers(c: Components) -> dict[str, Handler]:
    """The typed handler of each event type the health book consumer reads."""
    special: dict[str, Reaction] = {
        AppointmentBooked.event_type: track_booking,
        AppointmentCancelled.event_type: forget_cancelled_booking,
        DoseAdministered.event_type: remember_site_of_dose,
    }

    def bind(event_type: str) -> Handler:
        reaction: Reaction = special.get(event_type, record_in_health_book)

        async def handle(event: Any, envelope: Any) -> None:
            await reaction(event, envelope, c)

        return handle

    return {event.event_type: bind(event.event_type) for event in HEALTH_BOOK_EVENTS}


async def health_book_page(
    account_id: str,
    citizen_id: UUID | None,
    after: tuple[datetime, str] | None,
    limit: int,
    c: Components,
) -> tuple[UUID, list[Entry]]:
    """A page of the timeline of one of the account's citizens."""
    stored = await owned_citizen(account_id, citizen_id, c)
    entries = await c.book.timeline(stored.citizen.citizen_id, after=after, limit=limit)
    return stored.citizen.citizen_id, entries
