"""Corrections and voids of dose records by a site manager or district admin, with a reason.

The original stays: the document keeps `original`, every change is appended to `changes` with
who, when, why, before and after, and the change's event goes out in the same update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from vaxflow_events import DoseCorrected, DoseKind, DoseVoided, VoidReason, lot_id_for
from vaxflow_injection.domain.corrections import Changes, corrected
from vaxflow_injection.domain.doses import SiteLot
from vaxflow_injection.domain.errors import NotFound, Refused
from vaxflow_injection.domain.products import product
from vaxflow_injection.domain.staff import staff_uuid
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.handlers.scope import covers_site
from vaxflow_injection.store import StoredDose
from vaxflow_injection.store.doses import VOIDED, vaccination_document
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document


@dataclass(frozen=True)
class CorrectDose:
    """Change product, lot, time or dose attribution of a record; `reason` is mandatory."""

    staff: Principal
    dose_id: UUID
    reason: str
    correlation_id: str | None
    product_code: str | None = None
    lot_number: str | None = None
    administered_at: datetime | None = None
    dose_number: int | None = None
    dose_kind: DoseKind | None = None


@dataclass(frozen=True)
class VoidDose:
    """Void a record made in error; `note` says what happened."""

    staff: Principal
    dose_id: UUID
    reason: VoidReason
    note: str
    correlation_id: str | None


async def correct_dose(cmd: CorrectDose, c: Components) -> StoredDose:
    """Apply the correction with DoseCorrected in one update of the dose document."""
    dose = await _changeable(cmd.staff, cmd.dose_id, c)
    after = corrected(dose.vaccination, await _changes(cmd, dose, c))
    citizen = await c.reads.citizen(dose.citizen_id)
    if citizen is None:
        raise Refused.one("citizen_unknown", "dose", "The dose's citizen is not known here.")
    now = c.now()
    event = DoseCorrected(
        correction_id=uuid4(),
        dose_id=dose.dose_id,
        citizen_id=dose.citizen_id,
        site_id=dose.site_id,
        holder=citizen.holder,
        previous=dose.vaccination,
        current=after,
        corrected_by=staff_uuid(cmd.staff.subject),
    )
    fields: Document = {"vaccination": vaccination_document(after)}
    if cmd.lot_number is not None or cmd.product_code is not None:
        lot = await c.reads.lot(dose.site_id, after.lot_id)
        assert lot is not None, "the corrected lot was found moments ago"
        fields["expiry_date"] = lot.expiry_date.isoformat()
    entry = _entry("correction", cmd.staff, now, cmd.reason, str(event.correction_id))
    entry |= {"before": vaccination_document(dose.vaccination), "after": fields["vaccination"]}
    await _apply(dose, fields, entry, c.outbox(event, cmd.correlation_id, now), now, c)
    return await _reloaded(dose.dose_id, c)


async def void_dose(cmd: VoidDose, c: Components) -> StoredDose:
    """Void the record with DoseVoided in one update of the dose document."""
    dose = await _changeable(cmd.staff, cmd.dose_id, c)
    now = c.now()
    event = DoseVoided(
        dose_id=dose.dose_id,
        citizen_id=dose.citizen_id,
        site_id=dose.site_id,
        reason=cmd.reason,
        vaccination=dose.vaccination,
        voided_by=staff_uuid(cmd.staff.subject),
    )
    entry = _entry("void", cmd.staff, now, cmd.note, None) | {"void_reason": cmd.reason.value}
    fields: Document = {"status": VOIDED, "void": entry}
    await _apply(dose, fields, entry, c.outbox(event, cmd.correlation_id, now), now, c)
    return await _reloaded(dose.dose_id, c)


async def _changeable(staff: Principal, dose_id: UUID, c: Components) -> StoredDose:
    dose = await c.doses.get(dose_id)
    if dose is None or not await covers_site(staff, dose.site_id, c):
        raise NotFound
    if dose.voided:
        raise Refused.one(
            "dose_voided", "dose", "The record is voided; it cannot be changed.", status=409
        )
    return dose


async def _changes(cmd: CorrectDose, dose: StoredDose, c: Components) -> Changes:
    chosen = None
    if cmd.product_code is not None:
        chosen = product(cmd.product_code)
        if chosen is None:
            raise Refused.one("unknown_product", "body.product_code", "No such vaccine product.")
    lot = None
    if cmd.product_code is not None or cmd.lot_number is not None:
        lot = await _lot(cmd, dose, c)
    at = cmd.administered_at
    return Changes(
        product=chosen,
        lot=lot,
        administered_at=at,
        administered_on=c.local_date(at) if at else None,
        dose_number=cmd.dose_number,
        dose_kind=cmd.dose_kind,
    )


async def _lot(cmd: CorrectDose, dose: StoredDose, c: Components) -> SiteLot:
    code = cmd.product_code or dose.vaccination.product_code
    number = (cmd.lot_number or dose.vaccination.lot_number).strip().upper()
    lot = await c.reads.lot(dose.site_id, lot_id_for(code, number))
    if lot is None:
        raise Refused.one(
            "lot_not_at_site",
            "body.lot_number",
            "The site has received no lot of this product with this number.",
        )
    return lot


def _entry(kind: str, staff: Principal, at: datetime, reason: str, ref: str | None) -> Document:
    return {
        "kind": kind,
        "id": ref,
        "by": staff.subject,
        "role": staff.role,
        "at": at,
        "reason": reason,
    }


async def _apply(
    dose: StoredDose,
    fields: Document,
    entry: Document,
    event: Document,
    now: datetime,
    c: Components,
) -> None:
    if await c.doses.change(dose, fields, entry, [event], now):
        c.events_written()
        return
    current = await c.doses.get(dose.dose_id)
    if current is not None and current.voided:
        raise Refused.one(
            "dose_voided", "dose", "The record is voided; it cannot be changed.", status=409
        )
    raise Refused.one(
        "changed_concurrently",
        "dose",
        "The record was changed at the same time; read it again and repeat.",
        status=409,
    )


async def _reloaded(dose_id: UUID, c: Components) -> StoredDose:
    dose = await c.doses.get(dose_id)
    assert dose is not None, "a changed dose disappeared"
    return dose
