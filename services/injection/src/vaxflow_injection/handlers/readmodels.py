"""Reactions to other services' events: the read models injection checks doses against.

Each effect is an idempotent write under a natural key, so a redelivered event changes nothing
and the read models can be rebuilt by reading the topics again under a new consumer group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from vaxflow_events import (
    AppointmentBooked,
    CitizenCheckedIn,
    CitizenRegistered,
    CitizenUpdated,
    Envelope,
    LotReleased,
    LotSuspended,
    StockReceived,
    lot_id_for,
)
from vaxflow_injection.domain.doses import SiteLot
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.store import CitizenSnapshot
from vaxflow_servicekit.consumer import Handler

READ_MODEL_EVENTS = (
    CitizenRegistered,
    CitizenUpdated,
    AppointmentBooked,
    CitizenCheckedIn,
    StockReceived,
    LotSuspended,
    LotReleased,
)


async def keep_citizen(
    event: CitizenRegistered | CitizenUpdated, envelope: Envelope[Any], c: Components
) -> None:
    """The holder snapshot, residence and account of the citizen, newest wins."""
    snapshot = CitizenSnapshot(event.citizen_id, event.holder, event.residence, event.account_id)
    await c.reads.save_citizen(snapshot, envelope.occurred_at)


async def learn_site_area(event: AppointmentBooked, envelope: Envelope[Any], c: Components) -> None:
    """A booking may name its site's administrative units."""
    if event.site_area is not None:
        await c.reads.save_site_area(event.site_id, event.site_area)


async def keep_check_in(event: CitizenCheckedIn, envelope: Envelope[Any], c: Components) -> None:
    """The citizen arrived at the site on that (site-local) day."""
    day = c.local_date(envelope.occurred_at)
    await c.reads.save_check_in(
        event.citizen_id, event.site_id, day, event.appointment_id, event.queue_number
    )
    if event.site_area is not None:
        await c.reads.save_site_area(event.site_id, event.site_area)


async def keep_lot(event: StockReceived, envelope: Envelope[Any], c: Components) -> None:
    """The site holds this lot, with its expiry."""
    lot = SiteLot(event.product_code, event.manufacturer_code, event.lot_number, event.expiry_date)
    # Keyed by the id every service derives, whatever id the receipt carried.
    await c.reads.save_lot(event.site_id, lot_id_for(event.product_code, event.lot_number), lot)


async def suspend_lot(event: LotSuspended, envelope: Envelope[Any], c: Components) -> None:
    """No site may use the lot until it is released."""
    await c.reads.save_lot_status(event.lot_id, suspended=True, as_of=envelope.occurred_at)


async def release_lot(event: LotReleased, envelope: Envelope[Any], c: Components) -> None:
    """The lot may be used again."""
    await c.reads.save_lot_status(event.lot_id, suspended=False, as_of=envelope.occurred_at)


Reaction = Callable[[Any, Envelope[Any], Components], Awaitable[None]]

REACTIONS: dict[str, Reaction] = {
    CitizenRegistered.event_type: keep_citizen,
    CitizenUpdated.event_type: keep_citizen,
    AppointmentBooked.event_type: learn_site_area,
    CitizenCheckedIn.event_type: keep_check_in,
    StockReceived.event_type: keep_lot,
    LotSuspended.event_type: suspend_lot,
    LotReleased.event_type: release_lot,
}


def read_model_handlers(c: Components) -> dict[str, Handler]:
    """The typed handler of each event type the read-model consumer applies."""

    def bind(reaction: Reaction) -> Handler:
        async def handle(event: Any, envelope: Any) -> None:
            await reaction(event, envelope, c)

        return handle

    return {event_type: bind(reaction) for event_type, reaction in REACTIONS.items()}
