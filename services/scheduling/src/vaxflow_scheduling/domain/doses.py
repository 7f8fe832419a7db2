"""A citizen's dose history and what follows from it: the next dose, its kind and due window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from vaxflow_scheduling.domain.products import Product, product


class DoseSlot(StrEnum):
    """Which doses a session serves: first dose, a later primary dose, or a booster."""

    FIRST = "first"
    SECOND = "second"
    BOOSTER = "booster"


@dataclass(frozen=True, slots=True)
class PastDose:
    """A dose the citizen received (from DoseAdministered, as corrected)."""

    dose_id: str
    product_code: str
    administered_on: date
    voided: bool = False


@dataclass(frozen=True, slots=True)
class NextDose:
    """The dose a citizen is due next, and from when (and until when, for a primary dose)."""

    number: int
    booster: bool
    product_code: str | None
    due_from: date | None
    due_until: date | None

    @property
    def slot(self) -> DoseSlot:
        """Which kind of session serves this dose."""
        if self.booster:
            return DoseSlot.BOOSTER
        return DoseSlot.FIRST if self.number == 1 else DoseSlot.SECOND

    def is_due_on(self, day: date) -> bool:
        """True when the dose may be given on `day` (the minimum interval has passed)."""
        return self.due_from is None or day >= self.due_from


def next_dose(history: list[PastDose]) -> NextDose:
    """The next dose from the (non-voided) history, with the interval rules of its product."""
    given = sorted((d for d in history if not d.voided), key=lambda d: d.administered_on)
    if not given:
        return NextDose(1, False, None, None, None)
    last = given[-1]
    rules = product(given[0].product_code) or product(last.product_code)
    if rules is None:  # a product scheduling does not know: no interval rule to apply
        return NextDose(len(given) + 1, False, None, None, None)
    return _after(rules, len(given), last.administered_on)


def _after(rules: Product, count: int, last_on: date) -> NextDose:
    if count < rules.series_doses:
        return NextDose(
            count + 1,
            False,
            rules.code,
            last_on + timedelta(days=rules.min_interval_days),
            last_on + timedelta(days=rules.max_interval_days),
        )
    return NextDose(count + 1, True, None, last_on + timedelta(days=rules.booster_after_days), None)
