"""Addresses as administrative unit codes from the official lists (`vietnam-provinces`).

Registration accepts the current units: since 1 July 2025, 34 provinces and, under each, its
wards and communes (two levels, no district). Codes are given as in the official list, and
stored zero-padded (province 2 digits, ward 5 digits) as the event contracts expect.
"""

from __future__ import annotations

from vietnam_provinces import Province, Ward
from vietnam_provinces.lookup import PROVINCE_MAPPING, WARD_MAPPING

from vaxflow_registration.domain.errors import RuleViolation


def check_province(code: str) -> str:
    """A current province code, as 2 digits."""
    if not code.isdigit() or int(code) not in PROVINCE_MAPPING:
        raise RuleViolation("province_unknown", "Not a province code of the official list")
    return f"{int(code):02d}"


def check_ward(province_code: str, ward_code: str) -> str:
    """A current ward or commune code of that province, as 5 digits."""
    ward: Ward | None = WARD_MAPPING.get(int(ward_code)) if ward_code.isdigit() else None
    if ward is None:
        raise RuleViolation("ward_unknown", "Not a ward or commune code of the official list")
    if int(ward.province_code) != int(province_code):
        raise RuleViolation("ward_not_in_province", "The ward or commune is not in that province")
    return f"{int(ward_code):05d}"


def province_name(code: str) -> str:
    """The province's official name."""
    province: Province = PROVINCE_MAPPING[int(code)]
    return province.name


def ward_name(code: str) -> str:
    """The ward's or commune's official name."""
    ward: Ward = WARD_MAPPING[int(code)]
    return ward.name
