"""Pseudonymisation: age bands at the event date and keyed hashes of citizen ids."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from vaxflow_warehouse.domain.pseudonyms import AGE_BANDS, Pseudonymiser, age_band, age_on

CITIZEN = uuid.UUID("6f1f1b9e-6a63-4b8c-9f51-3c1b8f0f5a10")


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(2009, 8, 11), date(2021, 8, 10), "5-11"),  # 12 tomorrow
        (date(2009, 8, 10), date(2021, 8, 10), "12-17"),  # 12 today
        (date(2003, 8, 10), date(2021, 8, 10), "18-49"),
        (date(1971, 8, 11), date(2021, 8, 10), "18-49"),  # 50 tomorrow
        (date(1956, 8, 10), date(2021, 8, 10), "65+"),
        (date(2021, 1, 1), date(2021, 8, 10), "0-4"),
    ],
)
def test_the_age_band_is_the_age_on_the_day_of_the_event(born: date, on: date, band: str) -> None:
    assert age_band(born, on) == band


def test_a_birthday_on_29_february_counts_from_1_march_in_other_years() -> None:
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


def test_age_bands_cover_every_age_once() -> None:
    for age in range(0, 120):
        matching = [b for lo, hi, b in AGE_BANDS if age >= lo and (hi is None or age <= hi)]
        assert len(matching) == 1, age


def test_a_citizen_gets_the_same_key_every_time_and_never_their_id() -> None:
    pseudonyms = Pseudonymiser(b"k" * 32)

    key = pseudonyms.citizen_key(CITIZEN)

    assert key == pseudonyms.citizen_key(str(CITIZEN).upper())
    assert len(key) == 64
    assert str(CITIZEN) not in key
    assert CITIZEN.hex not in key


def test_another_key_gives_unrelated_pseudonyms() -> None:
    first = Pseudonymiser(b"a" * 32).citizen_key(CITIZEN)
    second = Pseudonymiser(b"b" * 32).citizen_key(CITIZEN)

    assert first != second


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonymiser(b"short")
