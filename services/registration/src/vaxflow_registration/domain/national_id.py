"""National identity documents: CCCD (12 digits), the older CMND (9 digits), foreign passports.

A CCCD reads `PPP G YY NNNNNN`: `PPP` the province where the birth was registered ("0" and the
two-digit province code), `G` sex and century of birth (0/1 male/female 1900-1999, 2/3
2000-2099, 4/5 2100-2199, ...), `YY` the last two digits of the birth year. It is checked for
structure and for consistency with the date of birth and sex given with it.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources

from vaxflow_events import Sex
from vaxflow_registration.domain.errors import RuleViolation

_CCCD = re.compile(r"\d{12}")
_CMND = re.compile(r"\d{9}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,12}")
_COUNTRY = re.compile(r"[A-Z]{3}")
_SEPARATORS = re.compile(r"[\s.-]")
_FIRST_CENTURY = 1900


class IdType(StrEnum):
    """Which document the national ID number comes from."""

    CCCD = "cccd"
    CMND = "cmnd"
    PASSPORT = "passport"


@cache
def cccd_province_codes() -> dict[str, str]:
    """Province codes a CCCD may open with (two digits) and their names, from the data file."""
    text = resources.files("vaxflow_registration.data").joinpath("cccd_provinces.toml")
    codes: dict[str, str] = tomllib.loads(text.read_text(encoding="utf-8"))["codes"]
    return codes


def normalise_number(id_type: IdType, raw: str) -> str:
    """The document number without spaces, dots or dashes, upper-cased; or RuleViolation."""
    number = _SEPARATORS.sub("", raw).upper()
    pattern, rule, message = _FORMATS[id_type]
    if not pattern.fullmatch(number):
        raise RuleViolation(rule, message)
    if id_type is IdType.CCCD and number[1:3] not in cccd_province_codes():
        raise RuleViolation(
            "cccd_province", "The first three digits are not a province code of birth registration"
        )
    return number


_FORMATS: dict[IdType, tuple[re.Pattern[str], str, str]] = {
    IdType.CCCD: (_CCCD, "cccd_format", "A CCCD number has exactly 12 digits"),
    IdType.CMND: (_CMND, "cmnd_format", "A CMND number has exactly 9 digits"),
    IdType.PASSPORT: (
        _PASSPORT,
        "passport_format",
        "A passport number has 6 to 12 letters (A-Z) or digits",
    ),
}


def check_country(id_type: IdType, country: str | None) -> str | None:
    """The issuing country a passport needs (ISO 3166-1 alpha-3); none for Vietnamese cards."""
    if id_type is not IdType.PASSPORT:
        if country not in (None, "", "VNM"):
            raise RuleViolation("country_not_applicable", "Only a passport has an issuing country")
        return None
    if country is None or not _COUNTRY.fullmatch(country):
        raise RuleViolation(
            "passport_country", "A passport needs its issuing country as 3 letters (ISO 3166-1)"
        )
    return country


def check_cccd_matches(number: str, date_of_birth: date, sex: Sex) -> None:
    """Refuse a CCCD whose sex/century digit or year digits disagree with the person."""
    digit = int(number[3])
    century = _FIRST_CENTURY + 100 * (digit // 2)
    if not century <= date_of_birth.year < century + 100:
        raise RuleViolation(
            "cccd_century", "The 4th digit does not match the century of the date of birth"
        )
    if number[4:6] != f"{date_of_birth.year % 100:02d}":
        raise RuleViolation(
            "cccd_birth_year", "Digits 5 and 6 do not match the year of the date of birth"
        )
    if sex is not Sex.UNSPECIFIED and (digit % 2 == 1) != (sex is Sex.FEMALE):
        raise RuleViolation("cccd_sex", "The 4th digit does not match the sex")


def last_four(number: str) -> str:
    """The part of a document number that may be shown to anyone who may see the citizen."""
    return number[-4:]


_LENGTHS = {IdType.CCCD: 12, IdType.CMND: 9, IdType.PASSPORT: 9}


def masked(id_type: IdType, last4: str) -> str:
    """The number as others see it: asterisks, then the last four characters."""
    return "*" * (_LENGTHS[id_type] - len(last4)) + last4
