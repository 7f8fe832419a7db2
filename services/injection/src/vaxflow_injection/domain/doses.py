"""Recording a dose: the checks, the dose number from the citizen's history, and the dose's slot.

A dose's id is derived from its place in the citizen's history (the position among the doses
that stand, and how many records at that position were voided). Two vaccinators recording the
same dose at once see the same history, derive the same id, and the store's unique `_id` keeps
one record. A voided record frees its position for the next one, under a new id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5

from vaxflow_events import DoseKind, ScreeningOutcome
from vaxflow_injection.domain.errors import Refused, Violation
from vaxflow_injection.domain.products import Product, product
from vaxflow_injection.domain.screening import CLEARING

DOSE_NAMESPACE = UUID("0f9c3b6e-7d2a-4c1e-9a57-3e8b1d4c6f20")


def dose_id_for(citizen_id: UUID, position: int, generation: int) -> UUID:
    """The id of the record at a position of a citizen's history (after `generation` voids)."""
    return uuid5(DOSE_NAMESPACE, f"{citizen_id}:{position}:{generation}")


@dataclass(frozen=True, slots=True)
class PastDose:
    """A record of the citizen's history, as it stands after corrections."""

    dose_id: UUID
    position: int
    voided: bool
    product_code: str
    dose_number: int
    administered_at: datetime
    administered_on: date
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class SiteLot:
    """A lot the site received (from scheduling's stock events)."""

    product_code: str
    manufacturer_code: str
    lot_number: str
    expiry_date: date


@dataclass(frozen=True, slots=True)
class ScreeningSeen:
    """The citizen's latest screening of the day, as far as a dose needs it."""

    screening_id: UUID
    outcome: ScreeningOutcome
    product_code: str | None
    contraindicated_products: tuple[str, ...]

    def clears(self, product_code: str) -> bool:
        """True when the screening lets the citizen receive this product."""
        return (
            self.outcome in CLEARING
            and self.product_code in (None, product_code)
            and product_code not in self.contraindicated_products
        )


@dataclass(frozen=True, slots=True)
class DoseRequest:
    """What the vaccinator records: who, what, which lot, when (site-local date included)."""

    citizen_id: UUID
    site_id: UUID
    product_code: str
    lot_number: str
    administered_at: datetime
    administered_on: date


@dataclass(frozen=True, slots=True)
class Circumstances:
    """What the service knows, from its read models, about the request's citizen, site and lot."""

    citizen_known: bool
    site_area_known: bool
    checked_in: bool
    screening: ScreeningSeen | None
    lot: SiteLot | None
    lot_suspended: bool
    history: Sequence[PastDose]


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """A dose that passed every check: its id, number, kind and the lot it comes from."""

    dose_id: UUID
    position: int
    generation: int
    product: Product
    lot: SiteLot
    screening_id: UUID
    dose_number: int
    series_doses: int
    dose_kind: DoseKind


def standing(history: Sequence[PastDose]) -> list[PastDose]:
    """The records that stand (not voided), in the order the doses were given."""
    return sorted((d for d in history if not d.voided), key=lambda d: d.administered_at)


def plan_dose(request: DoseRequest, seen: Circumstances) -> PlannedDose:
    """Check every rule at once; the planned dose, or a refusal naming each rule broken."""
    chosen = product(request.product_code)
    violations = [
        *_who_and_where(seen),
        *_screening_violations(request, seen.screening),
        *_lot_violations(request, chosen, seen),
    ]
    numbering = _numbering(request, chosen, seen.history) if chosen else None
    if numbering is not None and isinstance(numbering, Violation):
        violations.append(numbering)
    if violations:
        raise Refused(violations)
    assert chosen is not None
    assert seen.lot is not None
    assert seen.screening is not None
    assert isinstance(numbering, _Numbering)
    return PlannedDose(
        dose_id=dose_id_for(request.citizen_id, numbering.position, numbering.generation),
        position=numbering.position,
        generation=numbering.generation,
        product=chosen,
        lot=seen.lot,
        screening_id=seen.screening.screening_id,
        dose_number=numbering.dose_number,
        series_doses=numbering.series_doses,
        dose_kind=numbering.kind,
    )


def _who_and_where(seen: Circumstances) -> list[Violation]:
    violations = []
    if not seen.citizen_known:
        violations.append(
            Violation("citizen_unknown", "body.citizen_id", "No registered citizen has this id.")
        )
    if not seen.checked_in:
        violations.append(
            Violation(
                "not_checked_in",
                "body.citizen_id",
                "The citizen is not checked in at this site on the day of the dose "
                "(walk-ins are checked in as walk-ins first).",
            )
        )
    if not seen.site_area_known:
        violations.append(
            Violation(
                "site_area_unknown",
                "body.site_id",
                "The site's administrative area is not known yet (it comes with scheduling's "
                "check-ins and bookings).",
            )
        )
    return violations


def _screening_violations(request: DoseRequest, screening: ScreeningSeen | None) -> list[Violation]:
    if screening is None:
        return [
            Violation(
                "no_screening",
                "body.citizen_id",
                "The citizen has no screening on the day of the dose.",
            )
        ]
    if not screening.clears(request.product_code):
        return [
            Violation(
                "not_cleared_by_screening",
                "body.product_code",
                f"The day's screening ({screening.outcome.value}) does not clear the citizen "
                "for this product.",
            )
        ]
    return []


def _lot_violations(
    request: DoseRequest, chosen: Product | None, seen: Circumstances
) -> list[Violation]:
    if chosen is None:
        return [Violation("unknown_product", "body.product_code", "No such vaccine product.")]
    if seen.lot is None:
        return [
            Violation(
                "lot_not_at_site",
                "body.lot_number",
                "The site has received no lot of this product with this number.",
            )
        ]
    violations = []
    if request.administered_on > seen.lot.expiry_date:
        violations.append(
            Violation(
                "lot_expired",
                "body.lot_number",
                f"The lot expired on {seen.lot.expiry_date.isoformat()}.",
            )
        )
    if seen.lot_suspended:
        violations.append(
            Violation("lot_suspended", "body.lot_number", "The lot is suspended; do not use it.")
        )
    return violations


@dataclass(frozen=True, slots=True)
class _Numbering:
    position: int
    generation: int
    dose_number: int
    series_doses: int
    kind: DoseKind


def _numbering(
    request: DoseRequest, chosen: Product, history: Sequence[PastDose]
) -> _Numbering | Violation:
    given = standing(history)
    position = len(given) + 1
    generation = sum(1 for d in history if d.voided and d.position == position)
    series = (product(given[0].product_code) if given else None) or chosen
    number = max((d.dose_number for d in given), default=0) + 1
    kind = DoseKind.PRIMARY if number <= series.series_doses else DoseKind.BOOSTER
    if given:
        wait = series.min_interval_days if kind is DoseKind.PRIMARY else series.booster_after_days
        due = given[-1].administered_on + timedelta(days=wait)
        if request.administered_on < due:
            return Violation(
                "interval_not_met",
                "body.administered_at",
                f"Dose {number} may be given from {due.isoformat()} ({wait} days after the "
                "previous dose).",
            )
    return _Numbering(position, generation, number, series.series_doses, kind)
