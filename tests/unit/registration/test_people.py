"""Names (split and ICAO transliteration), birth dates, phones, insurance numbers, addresses."""

from __future__ import annotations

from datetime import date

import pytest
from vaxflow_registration.domain import areas
from vaxflow_registration.domain.errors import RuleViolation
from vaxflow_registration.domain.people import (
    check_birth_date,
    icao,
    normalise_health_insurance,
    normalise_phone,
    parse_name,
)
from vaxflow_registration.domain.priority_groups import priority_groups


def test_a_name_keeps_its_diacritics_and_splits_family_name_first() -> None:
    name = parse_name("  Nguyễn   Văn  An ")

    assert (name.full_name, name.family_name, name.given_name) == (
        "Nguyễn Văn An",
        "Nguyễn",
        "Văn An",
    )
    assert (name.family_name_icao, name.given_name_icao) == ("NGUYEN", "VAN<AN")


def test_decomposed_input_is_stored_composed() -> None:
    assert parse_name("Nguye\u0302\u0303n An").full_name == "Nguyễn An"


@pytest.mark.parametrize(
    ("name", "transliterated"),
    [
        ("Đặng Thị Ánh Tuyết", "DANG<THI<ANH<TUYET"),
        ("Ông Ích Khiêm", "ONG<ICH<KHIEM"),
        ("Müller-Lüdenscheidt", "MULLER<LUDENSCHEIDT"),
        ("Søren Ærø", "SOEREN<AEROE"),
    ],
)
def test_icao_transliteration_is_a_to_z_and_chevrons(name: str, transliterated: str) -> None:
    assert icao(name) == transliterated


def test_a_single_word_name_has_no_given_name() -> None:
    name = parse_name("Thảo")
    assert (name.given_name, name.given_name_icao) == (None, None)


@pytest.mark.parametrize("raw", ["", "   ", "Nguyễn V4n An", "<script>", "李小龍", "x" * 81])
def test_names_without_letters_or_with_symbols_are_refused(raw: str) -> None:
    with pytest.raises(RuleViolation):
        parse_name(raw)


def test_birth_dates_are_not_in_the_future_nor_implausibly_old() -> None:
    today = date(2021, 8, 10)
    assert check_birth_date(date(2021, 8, 10), today) == date(2021, 8, 10)
    for born in (date(2021, 8, 11), date(1890, 1, 1)):
        with pytest.raises(RuleViolation):
            check_birth_date(born, today)


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("038.123.4567", "+84381234567"),
    ],
)
def test_vietnamese_mobiles_are_kept_as_e164(raw: str, phone: str) -> None:
    assert normalise_phone(raw) == phone


@pytest.mark.parametrize("raw", ["0212345678", "091234567", "+8491234567", "84912345678"])
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(RuleViolation):
        normalise_phone(raw)


def test_health_insurance_numbers_are_card_codes_or_ten_digits() -> None:
    assert normalise_health_insurance("dn 4797912345678") == "DN4797912345678"
    assert normalise_health_insurance("7912345678") == "7912345678"
    with pytest.raises(RuleViolation):
        normalise_health_insurance("DN9797912345678")


def test_addresses_use_current_codes_and_the_ward_must_be_in_the_province() -> None:
    assert areas.check_province("79") == "79"
    assert areas.check_ward("79", "26743") == "26743"
    assert areas.check_ward("1", "70") == "00070"
    assert areas.ward_name("26743") == "Phường Bến Thành"
    with pytest.raises(RuleViolation, match="not in that province"):
        areas.check_ward("79", "00070")
    for province in ("02", "x"):  # Hà Giang merged into Tuyên Quang in 2025
        with pytest.raises(RuleViolation):
            areas.check_province(province)


def test_the_sixteen_priority_groups_are_data_with_their_source() -> None:
    groups = priority_groups()

    assert [g.number for g in groups.groups] == list(range(1, 17))
    assert "3355/QĐ-BYT" in groups.source
    assert groups.check(16) == 16
    with pytest.raises(RuleViolation):
        groups.check(17)
