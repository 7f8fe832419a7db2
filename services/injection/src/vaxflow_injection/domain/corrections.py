"""Corrections of a dose record: a new fact that changes product, lot, date or attribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from vaxflow_events import DoseKind, Vaccination, lot_id_for
from vaxflow_injection.domain.doses import SiteLot
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.domain.products import Product


@dataclass(frozen=True, slots=True)
class Changes:
    """What a correction changes; None leaves a field as it is."""

    product: Product | None = None
    lot: SiteLot | None = None
    administered_at: datetime | None = None
    administered_on: date | None = None
    dose_number: int | None = None
    dose_kind: DoseKind | None = None


def corrected(current: Vaccination, changes: Changes) -> Vaccination:
    """The record after the changes; refused when it would not change anything."""
    update: dict[str, object] = {}
    if changes.product is not None:
        update |= {
            "product_code": changes.product.code,
            "vaccine_type_code": changes.product.vaccine_type,
            "target_disease_code": changes.product.target_disease,
            "series_doses": changes.product.series_doses,
        }
    if changes.lot is not None:
        update |= {
            "manufacturer_code": changes.lot.manufacturer_code,
            "lot_number": changes.lot.lot_number,
            "lot_id": lot_id_for(changes.lot.product_code, changes.lot.lot_number),
        }
    if changes.administered_at is not None and changes.administered_on is not None:
        update |= {"administered_at": changes.administered_at}
        update |= {"administered_on": changes.administered_on}
    if changes.dose_number is not None:
        update["dose_number"] = changes.dose_number
    if changes.dose_kind is not None:
        update["dose_kind"] = changes.dose_kind
    after = Vaccination.model_validate({**current.model_dump(), **update})
    if after == current:
        raise Refused.one(
            "correction_changes_nothing", "body", "The correction would not change the record."
        )
    return after
