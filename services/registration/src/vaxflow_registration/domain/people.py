"""A person's name, birth date, phone and health-insurance number: normalised and checked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from vaxflow_registration.domain.errors import RuleViolation

MAX_NAME_CHARS = 80
OLDEST_PLAUSIBLE_AGE = 130
_SPACES = re.compile(r"\s+")
_NAME_PUNCTUATION = frozenset(" -'.")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# 0 or +84, then a mobile prefix (3, 5, 7, 8, 9), then 8 more digits (as identity reads them).
_MOBILE = re.compile(r"(?:0|\+84)([35789]\d{8})")
# The 15-character card code (2 letters, benefit level 1-5, 12 digits) or, on cards issued
# since 2021, the 10-digit social insurance number alone.
_HEALTH_INSURANCE = re.compile(r"[A-Z]{2}[1-5]\d{12}|\d{10}")
# ICAO 9303 transliterations that are not just "drop the accent".
_ICAO_SPECIAL = {"Đ": "D", "Æ": "AE", "Ø": "OE", "Œ": "OE", "ß": "SS", "Þ": "TH", "Ł": "L"}


@dataclass(frozen=True)
class PersonName:
    """A full name split in Vietnamese order: family name first, then middle and given names."""

    full_name: str
    family_name: str
    given_name: str | None

    @cached_property
    def family_name_icao(self) -> str:
        """ICAO 9303 transliteration of the family name (DCC `fnt`)."""
        return icao(self.family_name)

    @cached_property
    def given_name_icao(self) -> str | None:
        """ICAO 9303 transliteration of the middle and given names (DCC `gnt`), or None."""
        return icao(self.given_name) if self.given_name else None


def parse_name(raw: str) -> PersonName:
    """Normalise a full name (NFC, single spaces, diacritics kept) and split it."""
    full = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()
    if not full:
        raise RuleViolation("name_missing", "A full name is required")
    if len(full) > MAX_NAME_CHARS:
        raise RuleViolation("name_too_long", f"A full name has at most {MAX_NAME_CHARS} characters")
    if not all(c.isalpha() or c in _NAME_PUNCTUATION for c in full) or not full[0].isalpha():
        raise RuleViolation("name_characters", "A name has letters, spaces, - ' and . only")
    family, _, given = full.partition(" ")
    name = PersonName(full, family, given or None)
    if not name.family_name_icao.strip("<"):
        raise RuleViolation("name_not_latin", "The name cannot be written in Latin letters")
    return name


def icao(name: str) -> str:
    """Upper-case A-Z with `<` for spaces and hyphens: "Nguyễn Văn An" gives "NGUYEN<VAN<AN"."""
    out: list[str] = []
    for char in name.upper():
        special = _ICAO_SPECIAL.get(char)
        if special is not None:
            out.append(special)
        elif char in " -":
            out.append("<")
        else:
            base = unicodedata.normalize("NFKD", char)[0]
            out.append(base if "A" <= base <= "Z" else "")
    return "".join(out)[:MAX_NAME_CHARS]


def check_birth_date(born: date, today: date) -> date:
    """A birth date that is neither in the future nor beyond a plausible age."""
    if born > today:
        raise RuleViolation("date_of_birth_future", "The date of birth is in the future")
    if today.year - born.year > OLDEST_PLAUSIBLE_AGE:
        raise RuleViolation(
            "date_of_birth_implausible",
            f"The date of birth is more than {OLDEST_PLAUSIBLE_AGE} years ago",
        )
    return born


def normalise_phone(raw: str) -> str:
    """A Vietnamese mobile number as +84 and 9 digits; spaces, dots and hyphens are ignored."""
    match = _MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", raw))
    if match is None:
        raise RuleViolation(
            "phone_format",
            "A Vietnamese mobile number: 0 and 9 digits (03, 05, 07, 08, 09) or +84 and 9 digits",
        )
    return "+84" + match.group(1)


def normalise_health_insurance(raw: str) -> str:
    """A health-insurance number: the 15-character card code or the 10-digit number."""
    number = raw.replace(" ", "").upper()
    if not _HEALTH_INSURANCE.fullmatch(number):
        raise RuleViolation(
            "health_insurance_format",
            "A health-insurance number is 2 letters, a digit 1-5 and 12 digits, or 10 digits",
        )
    return number
