"""The end of the 30-minute observation after a dose: ObservationCompleted.

A serious observation carries `serious: true` and its criteria; monitoring opens the AEFI case
from it (injection never publishes AefiReported: monitoring alone writes that stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid5

from vaxflow_events import ObservationCompleted, ObservedReaction, SeriousnessCriterion
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.domain.observation import Observed, Reaction, observe
from vaxflow_injection.domain.staff import staff_uuid
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.handlers.scope import covers_site
from vaxflow_injection.metrics import OBSERVATIONS, worst
from vaxflow_servicekit.auth import Principal

OBSERVATION_NAMESPACE = UUID("3a7e5c1b-9d2f-4b8a-8e6c-5f4d3c2b1a09")


@dataclass(frozen=True)
class RecordObservation:
    """The reactions seen while the citizen was observed after a dose."""

    staff: Principal
    dose_id: UUID
    observed_minutes: int
    reactions: Sequence[Reaction]
    seriousness: Sequence[SeriousnessCriterion]
    correlation_id: str | None


@dataclass(frozen=True)
class RecordedObservation:
    """A recorded observation."""

    observation_id: UUID
    dose_id: UUID
    citizen_id: UUID
    observed: Observed


def observation_id_for(dose_id: UUID) -> UUID:
    """One observation per dose: its id follows from the dose's."""
    return uuid5(OBSERVATION_NAMESPACE, str(dose_id))


async def record_observation(cmd: RecordObservation, c: Components) -> RecordedObservation:
    """Record the observation with ObservationCompleted in one insert."""
    dose = await c.doses.get(cmd.dose_id)
    if dose is None or not await covers_site(cmd.staff, dose.site_id, c):
        raise Refused.one("dose_unknown", "body.dose_id", "No dose with this id at your site.")
    if dose.voided:
        raise Refused.one("dose_voided", "body.dose_id", "The dose record is voided.", status=409)
    observed = observe(cmd.reactions, cmd.seriousness)
    now, observation_id = c.now(), observation_id_for(dose.dose_id)
    event = ObservationCompleted(
        observation_id=observation_id,
        dose_id=dose.dose_id,
        citizen_id=dose.citizen_id,
        site_id=dose.site_id,
        observed_minutes=cmd.observed_minutes,
        reactions=tuple(
            ObservedReaction(code=r.code, severity=r.severity, onset_minutes=r.onset_minutes)
            for r in observed.reactions
        ),
        serious=observed.serious,
        seriousness=observed.seriousness,
        observed_by=staff_uuid(cmd.staff.subject),
    )
    document = {
        "_id": str(observation_id),
        "dose_id": str(dose.dose_id),
        "citizen_id": str(dose.citizen_id),
        "site_id": str(dose.site_id),
        "recorded_at": now,
        "local_date": c.local_date(now).isoformat(),
        "observed_by": cmd.staff.subject,
        **event.model_dump(mode="json", include={"observed_minutes", "reactions", "serious"}),
        "seriousness": [s.value for s in observed.seriousness],
    }
    if not await c.doses.add_observation(document, [c.outbox(event, cmd.correlation_id, now)], now):
        raise Refused.one(
            "observation_already_recorded",
            "body.dose_id",
            "The observation of this dose is already recorded.",
            status=409,
        )
    c.events_written()
    OBSERVATIONS.labels(severity=worst(r.severity for r in observed.reactions)).inc()
    return RecordedObservation(observation_id, dose.dose_id, dose.citizen_id, observed)
