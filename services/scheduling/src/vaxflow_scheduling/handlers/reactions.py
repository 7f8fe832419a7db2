"""Reactions to other services' events: who the citizens are, their doses, and lot suspensions.

Every effect is idempotent: details and doses are set (the same values again on redelivery),
stock entries are keyed by the dose, and settling an appointment or a check-in only moves them
from their waiting state.
"""

from __future__ import annotations

from typing import Any

from vaxflow_events import (
    CitizenRegistered,
    CitizenUpdated,
    DoseAdministered,
    DoseCorrected,
    DoseKind,
    DoseVoided,
    Envelope,
    LotReleased,
    LotSuspended,
)
from vaxflow_scheduling.domain.appointments import AppointmentStatus, claim_key
from vaxflow_scheduling.domain.doses import PastDose
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.reminders import remember_next_dose
from vaxflow_scheduling.handlers.stock import DoseMovement, move_dose
from vaxflow_scheduling.store.checkins import check_in_key
from vaxflow_scheduling.store.citizens import details_of
from vaxflow_servicekit.consumer import Handler


async def learn_citizen(
    event: CitizenRegistered | CitizenUpdated, envelope: Envelope[Any], c: Components
) -> None:
    """Keep who holds the citizen, birth year, priority group and residence."""
    details = details_of(
        event.account_id,
        event.holder.date_of_birth,
        event.priority_group,
        event.residence.model_dump(mode="json"),
    )
    await c.citizens.learn(str(event.citizen_id), details)


async def complete_dose(event: DoseAdministered, envelope: Envelope[Any], c: Components) -> None:
    """Record the dose, owe a reminder of the next, complete its appointment and check-in, and
    take the dose from the stock."""
    v = event.vaccination
    citizen_id = str(event.citizen_id)
    citizen = await c.citizens.record_dose(
        citizen_id, PastDose(str(event.dose_id), v.product_code, v.administered_on)
    )
    finished = v.dose_kind is DoseKind.BOOSTER or v.dose_number >= v.series_doses
    await remember_next_dose(citizen, str(event.dose_id), c, series_finished=finished)
    if event.appointment_id is not None:
        await _complete_appointment(str(event.appointment_id), c)
    key = check_in_key(str(event.site_id), v.administered_on, citizen_id)
    await c.check_ins.mark_vaccinated(key, c.now())
    await move_dose(
        DoseMovement(
            f"dose:{event.dose_id}",
            str(event.site_id),
            str(v.lot_id),
            v.product_code,
            -1,
            None,
            str(event.dose_id),
            envelope.correlation_id,
            str(envelope.event_id),
        ),
        c,
    )


async def _complete_appointment(appointment_id: str, c: Components) -> None:
    appointment = await c.appointments.get(appointment_id)
    if appointment is None:
        return
    await c.appointments.settle(appointment_id, AppointmentStatus.COMPLETED, c.now())
    key = claim_key(appointment.citizen_id, appointment.dose_number)
    await c.appointments.release(key, appointment_id)


async def correct_dose(event: DoseCorrected, envelope: Envelope[Any], c: Components) -> None:
    """Re-record the dose; a changed lot gives the old lot its dose back and takes the new one's."""
    now, before = event.current, event.previous
    await c.citizens.record_dose(
        str(event.citizen_id), PastDose(str(event.dose_id), now.product_code, now.administered_on)
    )
    if now.lot_id == before.lot_id:
        return
    base = f"correct:{event.correction_id}"
    for suffix, v, delta in (("in", before, 1), ("out", now, -1)):
        await move_dose(
            DoseMovement(
                f"{base}:{suffix}",
                str(event.site_id),
                str(v.lot_id),
                v.product_code,
                delta,
                "dose_corrected",
                str(event.dose_id),
                envelope.correlation_id,
                str(envelope.event_id),
            ),
            c,
        )


async def void_dose(event: DoseVoided, envelope: Envelope[Any], c: Components) -> None:
    """The dose never happened: forget it in the history and give the lot its dose back."""
    v = event.vaccination
    await c.citizens.record_dose(
        str(event.citizen_id),
        PastDose(str(event.dose_id), v.product_code, v.administered_on, voided=True),
    )
    await move_dose(
        DoseMovement(
            f"void:{event.dose_id}",
            str(event.site_id),
            str(v.lot_id),
            v.product_code,
            1,
            "dose_voided",
            str(event.dose_id),
            envelope.correlation_id,
            str(envelope.event_id),
        ),
        c,
    )


async def suspend_lot(
    event: LotSuspended | LotReleased, envelope: Envelope[Any], c: Components
) -> None:
    """Flag (or unflag) the lot at every site, now and later; suspended lots are not usable.

    Lots and doses travel on different topics, so a suspension may arrive before a site is
    known to hold the lot: the lot's status is kept and applied when the holding appears.
    """
    await c.stock.set_suspended(str(event.lot_id), isinstance(event, LotSuspended))


REACTIONS: dict[str, Any] = {
    CitizenRegistered.event_type: learn_citizen,
    CitizenUpdated.event_type: learn_citizen,
    DoseAdministered.event_type: complete_dose,
    DoseCorrected.event_type: correct_dose,
    DoseVoided.event_type: void_dose,
    LotSuspended.event_type: suspend_lot,
    LotReleased.event_type: suspend_lot,
}


def reaction_handlers(c: Components) -> dict[str, Handler]:
    """The typed handler of each event type scheduling reads."""

    def bind(reaction: Any) -> Handler:
        async def handle(event: Any, envelope: Any) -> None:
            await reaction(event, envelope, c)

        return handle

    return {event_type: bind(reaction) for event_type, reaction in REACTIONS.items()}
