"""Bulk registration files: the CSV header organisations and wards fill in, and row checking.

The header (first line; names case-insensitive, any order):

    id_type,national_id,passport_country,full_name,date_of_birth,sex,phone,
    province_code,ward_code,address_line,priority_group,health_insurance_number,consent

`passport_country`, `address_line`, `priority_group` and `health_insurance_number` may be left
out; every other column is required. Values are as in `POST /api/v1/citizens`, and also:
`date_of_birth` as `YYYY-MM-DD` or `DD/MM/YYYY`; `sex` as `male`/`female`/`unspecified` or
`nam`/`nữ`; `consent` as `yes`/`true`/`có` (anything else refuses the row).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from vaxflow_events import Sex
from vaxflow_registration.domain.citizen import (
    InvalidPerson,
    NationalId,
    PersonDetails,
    PersonInput,
    validate_person,
)
from vaxflow_registration.domain.errors import Violation
from vaxflow_registration.domain.national_id import IdType

REQUIRED_COLUMNS = (
    "id_type",
    "national_id",
    "full_name",
    "date_of_birth",
    "sex",
    "phone",
    "province_code",
    "ward_code",
    "consent",
)
OPTIONAL_COLUMNS = ("passport_country", "address_line", "priority_group", "health_insurance_number")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
HEADER_EXAMPLE = ",".join(
    (
        *REQUIRED_COLUMNS[:2],
        "passport_country",
        *REQUIRED_COLUMNS[2:8],
        *("address_line", "priority_group", "health_insurance_number", "consent"),
    )
)
_SEX = {
    "male": Sex.MALE,
    "nam": Sex.MALE,
    "female": Sex.FEMALE,
    "nữ": Sex.FEMALE,
    "nu": Sex.FEMALE,
    "unspecified": Sex.UNSPECIFIED,
}
T = TypeVar("T")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{2})/(\d{2})/(\d{4})")
_YES = frozenset({"yes", "true", "có", "co", "1"})


class HeaderProblem(ValueError):
    """The first line is not a usable header; the whole file is refused."""


def check_header(cells: Sequence[str]) -> tuple[str, ...]:
    """The normalised column names of a header line, or HeaderProblem saying what is wrong."""
    names = tuple(cell.strip().lower() for cell in cells)
    unknown = [n for n in names if n not in COLUMNS]
    missing = [n for n in REQUIRED_COLUMNS if n not in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if unknown or missing or repeated:
        parts = [
            f"{label}: {', '.join(items)}"
            for label, items in (("unknown", unknown), ("missing", missing), ("repeated", repeated))
            if items
        ]
        raise HeaderProblem("Header columns " + "; ".join(parts) + f". Expected: {HEADER_EXAMPLE}")
    return names


@dataclass(frozen=True)
class Issue:
    """One line of the import report."""

    line: int
    field: str
    rule: str
    reason: str


def parse_row(
    row: Mapping[str, str], line: int, today: date
) -> tuple[NationalId, PersonDetails] | list[Issue]:
    """The checked person of one row, or the issues that refuse it."""
    violations: list[Violation] = []
    converted = _convert(row, violations)
    if converted is not None and not violations:
        try:
            return validate_person(converted, today)
        except InvalidPerson as invalid:
            violations = invalid.violations
    return [Issue(line, v.field, v.rule, v.message) for v in violations]


def _convert(row: Mapping[str, str], violations: list[Violation]) -> PersonInput | None:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    id_type = _choice("id_type", get("id_type").lower(), {t.value: t for t in IdType}, violations)
    sex = _choice("sex", get("sex").lower(), _SEX, violations)
    born = _date(get("date_of_birth"), violations)
    group = _int_or_none("priority_group", get("priority_group"), violations)
    if get("consent").lower() not in _YES:
        violations.append(Violation("consent", "consent_required", "Consent must be yes"))
    if id_type is None or sex is None or born is None:
        return None
    return PersonInput(
        id_type=id_type,
        national_id=get("national_id"),
        passport_country=get("passport_country").upper() or None,
        full_name=get("full_name"),
        date_of_birth=born,
        sex=sex,
        phone=get("phone"),
        province_code=get("province_code"),
        ward_code=get("ward_code"),
        address_line=get("address_line") or None,
        priority_group=group,
        health_insurance_number=get("health_insurance_number") or None,
    )


def _choice(field: str, value: str, choices: Mapping[str, T], out: list[Violation]) -> T | None:
    if value in choices:
        return choices[value]
    out.append(Violation(field, f"{field}_unknown", "One of: " + ", ".join(choices)))
    return None


def _date(value: str, out: list[Violation]) -> date | None:
    match = _DATE.fullmatch(value)
    if match:
        year, month, day = match.group(1, 2, 3) if match[1] else match.group(6, 5, 4)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    out.append(Violation("date_of_birth", "date_format", "A date as YYYY-MM-DD or DD/MM/YYYY"))
    return None


def _int_or_none(field: str, value: str, out: list[Violation]) -> int | None:
    if not value:
        return None
    if value.isdigit():
        return int(value)
    out.append(Violation(field, f"{field}_format", "A whole number"))
    return None
