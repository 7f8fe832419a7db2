"""Reactions to other services' events: accounts, doses and lots, and cases opened from
serious site observations.

Each effect is idempotent (a natural `_id`, or a write of the same values), so a redelivered
event changes nothing and the read models can be rebuilt under a new consumer group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from vaxflow_events import (
    CitizenRegistered,
    CitizenUpdated,
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
    Envelope,
    ObservationCompleted,
    StockReceived,
    lot_id_for,
)
from vaxflow_monitoring.handlers.components import Components
from vaxflow_monitoring.handlers.reports import open_from_observation
from vaxflow_monitoring.store import KnownDose
from vaxflow_servicekit.consumer import Handler

CORE_EVENTS = (
    CitizenRegistered,
    CitizenUpdated,
    StockReceived,
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
    ObservationCompleted,
)


async def keep_account(
    event: CitizenRegistered | CitizenUpdated, envelope: Envelope[Any], c: Components
) -> None:
    """The phone account holding the citizen, newest wins."""
    await c.reads.save_account(event.citizen_id, event.account_id, envelope.occurred_at)


async def learn_lot(event: StockReceived, envelope: Envelope[Any], c: Components) -> None:
    """A site received the lot: monitoring may now suspend it."""
    lot_id = lot_id_for(event.product_code, event.lot_number)
    await c.lots.learn(lot_id, event.product_code, event.lot_number, c.now())


async def keep_dose(event: DoseAdministered, envelope: Envelope[Any], c: Components) -> None:
    """The dose counts for its lot's rate, and may be the subject of a report."""
    v = event.vaccination
    await c.lots.learn(v.lot_id, v.product_code, v.lot_number, c.now())
    await c.reads.save_dose(
        KnownDose(
            dose_id=event.dose_id,
            citizen_id=event.citizen_id,
            site_id=event.site_id,
            district_code=event.site_area.district_code,
            lot_id=v.lot_id,
            product_code=v.product_code,
            lot_number=v.lot_number,
            administered_at=v.administered_at,
            voided=False,
        )
    )


async def correct_dose(event: DoseCorrected, envelope: Envelope[Any], c: Components) -> None:
    """A corrected lot or time replaces the recorded one."""
    v = event.current
    await c.lots.learn(v.lot_id, v.product_code, v.lot_number, c.now())
    fields = {
        "lot_id": str(v.lot_id),
        "product_code": v.product_code,
        "lot_number": v.lot_number,
        "administered_at": v.administered_at,
    }
    await c.reads.correct_dose(event.dose_id, fields)


async def void_dose(event: DoseVoided, envelope: Envelope[Any], c: Components) -> None:
    """A dose recorded in error no longer counts."""
    await c.reads.void_dose(event.dose_id)


Reaction = Callable[[Any, Envelope[Any], Components], Awaitable[None]]

REACTIONS: dict[str, Reaction] = {
    CitizenRegistered.event_type: keep_account,
    CitizenUpdated.event_type: keep_account,
    StockReceived.event_type: learn_lot,
    DoseAdministered.event_type: keep_dose,
    DoseCorrected.event_type: correct_dose,
    DoseVoided.event_type: void_dose,
    ObservationCompleted.event_type: open_from_observation,
}


def bind_all(reactions: dict[str, Reaction], c: Components) -> dict[str, Handler]:
    """The typed handler of each event type, bound to the components."""

    def bind(reaction: Reaction) -> Handler:
        async def handle(event: Any, envelope: Any) -> None:
            await reaction(event, envelope, c)

        return handle

    return {event_type: bind(reaction) for event_type, reaction in reactions.items()}


def core_handlers(c: Components) -> dict[str, Handler]:
    """What the core consumer does with each event type."""
    return bind_all(REACTIONS, c)
