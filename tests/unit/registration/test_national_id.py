"""CCCD, CMND and passport rules: structure, province code, consistency with birth and sex."""

from __future__ import annotations

from datetime import date

import pytest
from vaxflow_registration.domain.errors import RuleViolation
from vaxflow_registration.domain.national_id import (
    IdType,
    cccd_province_codes,
    check_cccd_matches,
    check_country,
    masked,
    normalise_number,
)
from vietnam_provinces.lookup import PROVINCE_MAPPING

from vaxflow_events import Sex


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("079090001234", "079090001234"),
        ("079 090 001 234", "079090001234"),
        ("001-2-05-123456", "001205123456"),
    ],
)
def test_a_cccd_is_12_digits_spaces_and_dashes_ignored(raw: str, number: str) -> None:
    assert normalise_number(IdType.CCCD, raw) == number


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("07909000123", "cccd_format"),
        ("0790900012345", "cccd_format"),
        ("07909000123A", "cccd_format"),
        ("003090001234", "cccd_province"),  # 03 is no province code
        ("099090001234", "cccd_province"),
    ],
)
def test_a_malformed_cccd_is_refused_by_its_rule(raw: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        normalise_number(IdType.CCCD, raw)
    assert refused.value.rule == rule


def test_cccd_province_codes_are_the_63_and_cover_the_34_current_provinces() -> None:
    codes = cccd_province_codes()
    assert len(codes) == 63
    assert {f"{int(code):02d}" for code in PROVINCE_MAPPING} <= set(codes)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("079090001234", date(1990, 4, 30), Sex.MALE),
        ("079190001234", date(1990, 4, 30), Sex.FEMALE),
        ("001205123456", date(2005, 1, 1), Sex.MALE),
        ("001305123456", date(2005, 1, 1), Sex.FEMALE),
        ("001305123456", date(2005, 1, 1), Sex.UNSPECIFIED),
    ],
)
def test_a_cccd_agreeing_with_birth_and_sex_is_accepted(number: str, born: date, sex: Sex) -> None:
    check_cccd_matches(number, born, sex)


@pytest.mark.parametrize(
    ("number", "born", "sex", "rule"),
    [
        ("079090001234", date(1991, 4, 30), Sex.MALE, "cccd_birth_year"),
        ("079090001234", date(2090, 4, 30), Sex.MALE, "cccd_century"),
        ("079290001234", date(1990, 4, 30), Sex.MALE, "cccd_century"),
        ("079090001234", date(1990, 4, 30), Sex.FEMALE, "cccd_sex"),
        ("001305123456", date(2005, 1, 1), Sex.MALE, "cccd_sex"),
    ],
)
def test_a_cccd_disagreeing_with_birth_or_sex_is_refused(
    number: str, born: date, sex: Sex, rule: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_cccd_matches(number, born, sex)
    assert refused.value.rule == rule


def test_cmnd_is_nine_digits_and_passport_six_to_twelve_letters_or_digits() -> None:
    assert normalise_number(IdType.CMND, "025 123 456") == "025123456"
    assert normalise_number(IdType.PASSPORT, "c1234567") == "C1234567"
    for id_type, raw in ((IdType.CMND, "0251234567"), (IdType.PASSPORT, "AB12")):
        with pytest.raises(RuleViolation):
            normalise_number(id_type, raw)


def test_a_passport_needs_its_issuing_country_and_a_card_has_none() -> None:
    assert check_country(IdType.PASSPORT, "KOR") == "KOR"
    assert check_country(IdType.CCCD, None) is None
    with pytest.raises(RuleViolation):
        check_country(IdType.PASSPORT, None)
    with pytest.raises(RuleViolation):
        check_country(IdType.CCCD, "KOR")


def test_masking_shows_only_the_last_four_characters() -> None:
    assert masked(IdType.CCCD, "1234") == "********1234"
    assert masked(IdType.CMND, "3456") == "*****3456"
