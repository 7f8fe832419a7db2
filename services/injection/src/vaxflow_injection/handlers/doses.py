"""Recording doses: online at the moment of the injection, or uploaded after offline capture."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from vaxflow_events import AdminArea, BodySite, DoseAdministered, Vaccination, lot_id_for
from vaxflow_injection.domain.doses import (
    Circumstances,
    DoseRequest,
    PlannedDose,
    plan_dose,
)
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.domain.staff import staff_uuid
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.handlers.scope import site_of
from vaxflow_injection.metrics import DOSE_REFUSALS, DOSES_RECORDED
from vaxflow_injection.store import CitizenSnapshot, StoredDose
from vaxflow_injection.store.doses import ACTIVE, stored_dose, vaccination_document
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document, as_stored


@dataclass(frozen=True)
class RecordDose:
    """A dose given by the caller at their site; `client_id` and capture time when offline."""

    staff: Principal
    citizen_id: UUID
    site_id: UUID | None
    product_code: str
    lot_number: str
    administered_at: datetime | None
    body_site: BodySite
    correlation_id: str | None
    client_id: str | None = None
    captured_offline: bool = False


@dataclass(frozen=True)
class RecordedDose:
    """The dose record, and whether this call created it (False: it was already recorded)."""

    dose: StoredDose
    created: bool


async def record_dose(cmd: RecordDose, c: Components) -> RecordedDose:
    """Check every rule, then insert the record with DoseAdministered in one write."""
    try:
        return await _record_dose(cmd, c)
    except Refused as refused:
        DOSE_REFUSALS.labels(rule=refused.rule).inc()
        raise


async def _record_dose(cmd: RecordDose, c: Components) -> RecordedDose:
    site_id = site_of(cmd.staff, cmd.site_id)
    at = _checked_time(cmd, c)
    request = DoseRequest(
        citizen_id=cmd.citizen_id,
        site_id=site_id,
        product_code=cmd.product_code,
        lot_number=cmd.lot_number.strip().upper(),
        administered_at=at,
        administered_on=c.local_date(at),
    )
    found = await _circumstances(request, c)
    earlier = _uploaded_before(found.seen, cmd.client_id)
    if earlier is not None:
        return RecordedDose(await _get(earlier, c), created=False)
    planned = plan_dose(request, found.seen)
    document = _document(cmd, request, planned, found.appointment_id, c)
    event = _administered(cmd, document, found, planned, request)
    now = c.now()
    if not await c.doses.add(document, [c.outbox(event, cmd.correlation_id, now)], now):
        return RecordedDose(await _already_recorded(planned.dose_id, cmd.client_id, c), False)
    c.events_written()
    DOSES_RECORDED.labels(product=request.product_code, dose_kind=planned.dose_kind.value).inc()
    return RecordedDose(stored_dose(document), created=True)


def _checked_time(cmd: RecordDose, c: Components) -> datetime:
    now = c.now()
    at = cmd.administered_at or now
    s = c.settings
    oldest = (
        now - timedelta(days=s.offline_max_age_days)
        if cmd.captured_offline
        else now - timedelta(minutes=s.online_max_age_minutes)
    )
    if at > now + timedelta(seconds=s.clock_skew_s):
        raise Refused.one("in_the_future", "body.administered_at", "The time is in the future.")
    if at < oldest:
        raise Refused.one(
            "too_old",
            "body.administered_at",
            "Too long ago to record here: upload offline captures with the batch endpoint, "
            "within its time limit.",
        )
    return as_stored(at)


@dataclass(frozen=True)
class _Found:
    seen: Circumstances
    citizen: CitizenSnapshot | None
    area: AdminArea | None
    appointment_id: str | None


async def _circumstances(request: DoseRequest, c: Components) -> _Found:
    lot_id = lot_id_for(request.product_code, request.lot_number)
    day = request.administered_on
    # Started together: the reads are independent, so the check costs one round trip.
    citizen_task = asyncio.ensure_future(c.reads.citizen(request.citizen_id))
    area_task = asyncio.ensure_future(c.reads.site_area(request.site_id))
    check_in_task = asyncio.ensure_future(
        c.reads.check_in(request.citizen_id, request.site_id, day)
    )
    lot, suspended, history, screening = await asyncio.gather(
        c.reads.lot(request.site_id, lot_id),
        c.reads.lot_suspended(lot_id),
        c.doses.of_citizen(request.citizen_id),
        c.screenings.latest_of_day(request.citizen_id, day),
    )
    citizen, area, check_in = await citizen_task, await area_task, await check_in_task
    if check_in is None:
        # Not checked in at the caller's site that day: refused, and answered exactly as for an
        # unknown citizen, so that the rules tell nothing about whether the id exists nor about
        # the person's doses and screenings elsewhere.
        citizen, history, screening = None, [], None
    seen = Circumstances(
        citizen_known=citizen is not None,
        site_area_known=area is not None,
        checked_in=check_in is not None,
        screening=screening,
        lot=lot,
        lot_suspended=suspended,
        history=[d.past() for d in history],
    )
    appointment_id = check_in.get("appointment_id") if check_in else None
    return _Found(seen, citizen, area, appointment_id)


def _uploaded_before(seen: Circumstances, client_id: str | None) -> UUID | None:
    if client_id is None:
        return None
    return next((d.dose_id for d in seen.history if d.client_id == client_id), None)


async def _get(dose_id: UUID, c: Components) -> StoredDose:
    dose = await c.doses.get(dose_id)
    assert dose is not None, "a dose of the history disappeared"
    return dose


async def _already_recorded(dose_id: UUID, client_id: str | None, c: Components) -> StoredDose:
    """The record another call made at the same moment: ours if it came with our client id."""
    existing = await _get(dose_id, c)
    if client_id is not None and existing.client_id == client_id:
        return existing
    raise Refused.one(
        "dose_already_recorded",
        "body.citizen_id",
        f"This dose of the citizen was just recorded (dose {existing.dose_id}).",
        status=409,
    )


def _document(
    cmd: RecordDose,
    request: DoseRequest,
    planned: PlannedDose,
    appointment_id: str | None,
    c: Components,
) -> Document:
    vaccination = vaccination_document(_vaccination(request, planned))
    return {
        "_id": str(planned.dose_id),
        "citizen_id": str(request.citizen_id),
        "site_id": str(request.site_id),
        "position": planned.position,
        "generation": planned.generation,
        "status": ACTIVE,
        "version": 1,
        "appointment_id": appointment_id,
        "screening_id": str(planned.screening_id),
        "client_id": cmd.client_id,
        "captured_offline": cmd.captured_offline,
        "body_site": cmd.body_site.value,
        "administered_by": str(staff_uuid(cmd.staff.subject)),
        "vaccination": vaccination,
        "original": vaccination,
        "expiry_date": planned.lot.expiry_date.isoformat(),
        "recorded_at": c.now(),
        "changes": [],
        "void": None,
    }


def _vaccination(request: DoseRequest, planned: PlannedDose) -> Vaccination:
    p = planned.product
    return Vaccination(
        product_code=p.code,
        manufacturer_code=planned.lot.manufacturer_code,
        vaccine_type_code=p.vaccine_type,
        target_disease_code=p.target_disease,
        lot_id=lot_id_for(p.code, planned.lot.lot_number),
        lot_number=planned.lot.lot_number,
        dose_number=planned.dose_number,
        series_doses=planned.series_doses,
        dose_kind=planned.dose_kind,
        administered_at=request.administered_at,
        administered_on=request.administered_on,
    )


def _administered(
    cmd: RecordDose, document: Document, found: _Found, planned: PlannedDose, request: DoseRequest
) -> DoseAdministered:
    # plan_dose refuses an unknown citizen or site area, so both are known here.
    assert found.citizen is not None
    assert found.area is not None
    return DoseAdministered(
        dose_id=planned.dose_id,
        citizen_id=request.citizen_id,
        site_id=request.site_id,
        appointment_id=UUID(found.appointment_id) if found.appointment_id else None,
        screening_id=planned.screening_id,
        holder=found.citizen.holder,
        residence=found.citizen.residence,
        site_area=found.area,
        vaccination=_vaccination(request, planned),
        body_site=cmd.body_site,
        administered_by=UUID(document["administered_by"]),
        captured_offline=cmd.captured_offline,
    )


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one uploaded record."""

    client_id: str
    recorded: RecordedDose | None = None
    refused: Refused | None = None


async def record_batch(
    records: Sequence[tuple[datetime, RecordDose]], c: Components
) -> list[BatchOutcome]:
    """Record offline captures one by one in capture-time order; each succeeds or fails alone."""
    ordered = sorted(enumerate(records), key=lambda item: (item[1][0], item[0]))
    outcomes: dict[int, BatchOutcome] = {}
    for index, (_, cmd) in ordered:
        client_id = cmd.client_id or ""
        try:
            recorded = await record_dose(replace(cmd, captured_offline=True), c)
        except Refused as refused:
            outcomes[index] = BatchOutcome(client_id, refused=refused)
        else:
            outcomes[index] = BatchOutcome(client_id, recorded=recorded)
    return [outcomes[i] for i in range(len(records))]
