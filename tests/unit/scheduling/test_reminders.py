"""Who is owed a reminder of a next dose, and what happens to it when its day comes."""

from __future__ import annotations

from datetime import date, time

import pytest
from vaxflow_scheduling.domain import doses
from vaxflow_scheduling.domain.doses import PastDose, next_dose
from vaxflow_scheduling.domain.products import Product
from vaxflow_scheduling.domain.reminders import (
    Announce,
    Drop,
    PutOff,
    decide,
    reminder_after,
    texting_hours,
)

AZ = "EU/1/21/1529"
TODAY = date(2021, 9, 1)
CITIZEN = "7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"


def _after(*given: date, product: str = AZ) -> doses.NextDose:
    return next_dose([PastDose(f"d{i}", product, day) for i, day in enumerate(given)])


def test_a_first_dose_owes_a_reminder_of_the_second_on_its_first_due_day() -> None:
    reminder = reminder_after(CITIZEN, _after(date(2021, 8, 4)), TODAY)

    assert reminder is not None
    assert (reminder.dose_number, reminder.product_code) == (2, AZ)
    assert (reminder.due_from, reminder.due_until) == (date(2021, 9, 1), date(2021, 10, 27))
    assert reminder.remind_on == date(2021, 9, 1)
    assert reminder.key == f"{CITIZEN}#2"


def test_a_dose_recorded_late_is_reminded_today_not_in_the_past() -> None:
    reminder = reminder_after(CITIZEN, _after(date(2021, 6, 1)), TODAY)

    assert reminder is not None
    assert reminder.due_from == date(2021, 6, 29)
    assert reminder.remind_on == TODAY


def test_the_last_dose_of_a_series_owes_no_reminder() -> None:
    assert reminder_after(CITIZEN, _after(date(2021, 6, 1), date(2021, 8, 1)), TODAY) is None


def test_a_single_dose_product_owes_no_reminder(monkeypatch: pytest.MonkeyPatch) -> None:
    single = Product("EU/1/20/1525", "Janssen", "ORG-100001417", 1, 1, 1, 60, 5)
    monkeypatch.setattr(doses, "product", lambda code: single if code == single.code else None)

    owed = reminder_after(CITIZEN, _after(date(2021, 8, 4), product=single.code), TODAY)

    assert owed is None


def test_a_product_scheduling_does_not_know_owes_no_reminder() -> None:
    assert reminder_after(CITIZEN, _after(date(2021, 8, 4), product="Unknown"), TODAY) is None


def test_the_same_citizen_and_dose_is_always_the_same_reminder_id() -> None:
    first = reminder_after(CITIZEN, _after(date(2021, 8, 4)), TODAY)
    again = reminder_after(CITIZEN, _after(date(2021, 8, 5)), date(2021, 9, 3))

    assert first is not None
    assert again is not None
    assert first.reminder_id == again.reminder_id


def test_a_due_reminder_without_an_appointment_is_announced() -> None:
    now_next = _after(date(2021, 8, 4))
    reminder = reminder_after(CITIZEN, now_next, TODAY)
    assert reminder is not None

    assert decide(reminder, now_next, None, TODAY) == Announce()
    assert decide(reminder, now_next, date(2021, 8, 30), TODAY) == Announce()  # a missed one


def test_a_booked_appointment_puts_the_reminder_off_to_the_day_after_it() -> None:
    now_next = _after(date(2021, 8, 4))
    reminder = reminder_after(CITIZEN, now_next, TODAY)
    assert reminder is not None

    assert decide(reminder, now_next, date(2021, 9, 5), TODAY) == PutOff(date(2021, 9, 6))
    assert decide(reminder, now_next, TODAY, TODAY) == PutOff(date(2021, 9, 2))


def test_a_dose_received_since_or_a_void_drops_the_reminder() -> None:
    reminder = reminder_after(CITIZEN, _after(date(2021, 8, 4)), TODAY)
    assert reminder is not None

    received = _after(date(2021, 8, 4), date(2021, 9, 1))
    voided = next_dose([])

    assert decide(reminder, received, None, TODAY) == Drop("dose_changed")
    assert decide(reminder, voided, None, TODAY) == Drop("dose_changed")


def test_a_corrected_dose_date_moves_the_reminder_to_the_new_first_due_day() -> None:
    reminder = reminder_after(CITIZEN, _after(date(2021, 8, 4)), TODAY)
    assert reminder is not None

    corrected = _after(date(2021, 8, 20))

    assert decide(reminder, corrected, None, TODAY) == PutOff(date(2021, 9, 17))


def test_reminders_are_texted_in_the_day_only() -> None:
    assert not texting_hours(time(6, 59), 7, 21)
    assert texting_hours(time(7, 0), 7, 21)
    assert texting_hours(time(20, 59), 7, 21)
    assert not texting_hours(time(21, 0), 7, 21)
