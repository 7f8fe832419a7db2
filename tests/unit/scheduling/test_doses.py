"""The next dose and its due window follow from the history and the product's interval rules."""

from __future__ import annotations

from datetime import date

from vaxflow_scheduling.domain.doses import DoseSlot, PastDose, next_dose
from vaxflow_scheduling.domain.products import catalogue

AZ = "EU/1/21/1529"
PFIZER = "EU/1/20/1528"


def test_nobody_vaccinated_is_due_a_first_dose_of_any_product_now() -> None:
    dose = next_dose([])

    assert (dose.number, dose.slot, dose.product_code, dose.due_from) == (
        1,
        DoseSlot.FIRST,
        None,
        None,
    )


def test_second_dose_is_due_after_the_products_minimum_interval() -> None:
    dose = next_dose([PastDose("d1", PFIZER, date(2021, 8, 1))])

    assert (dose.number, dose.slot, dose.product_code) == (2, DoseSlot.SECOND, PFIZER)
    assert dose.due_from == date(2021, 8, 22)
    assert dose.due_until == date(2021, 8, 29)
    assert not dose.is_due_on(date(2021, 8, 21))
    assert dose.is_due_on(date(2021, 8, 22))


def test_after_the_primary_series_comes_a_booster_months_later() -> None:
    history = [PastDose("d1", AZ, date(2021, 8, 1)), PastDose("d2", AZ, date(2021, 9, 1))]

    dose = next_dose(history)

    assert (dose.number, dose.booster, dose.slot) == (3, True, DoseSlot.BOOSTER)
    assert dose.due_from == date(2021, 11, 30)


def test_a_voided_dose_does_not_count() -> None:
    history = [PastDose("d1", AZ, date(2021, 8, 1)), PastDose("d2", AZ, date(2021, 9, 1), True)]

    assert next_dose(history).number == 2


def test_abdala_has_three_primary_doses_fourteen_days_apart() -> None:
    history = [
        PastDose("d1", "Abdala", date(2021, 8, 1)),
        PastDose("d2", "Abdala", date(2021, 8, 15)),
    ]

    dose = next_dose(history)

    assert (dose.number, dose.booster, dose.due_from) == (3, False, date(2021, 8, 29))


def test_every_product_has_coherent_intervals() -> None:
    for product in catalogue().values():
        assert 0 < product.min_interval_days <= product.max_interval_days
        assert product.series_doses >= 1
        assert product.doses_per_vial >= 1
