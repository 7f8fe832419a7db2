"""Realistic people to register: valid CCCDs consistent with their birth date and sex."""

from __future__ import annotations

import itertools
import random
from typing import Any

_SERIAL = itertools.count(random.randrange(10**5))  # differs between runs and tests
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
GIVEN_NAMES = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hoa", "Đức Huy", "Ngọc Lan")
WARDS = (("79", "26743"), ("79", "26740"), ("79", "26737"), ("01", "00070"), ("48", "20242"))


def cccd(year: int, sex: str, serial: int, province: str = "079") -> str:
    """A CCCD number that agrees with the birth year and sex."""
    century = (year - 1900) // 100 * 2 + (1 if sex == "female" else 0)
    return f"{province}{century}{year % 100:02d}{serial % 10**6:06d}"


def person(**overrides: Any) -> dict[str, Any]:
    """A registration body for a new, valid person (a fresh national ID each call)."""
    serial = next(_SERIAL) * 7919 + random.randrange(7919)
    year = 1950 + serial % 60
    sex = ("male", "female")[serial % 2]
    province, ward = WARDS[serial % len(WARDS)]
    body = {
        "relationship": "family_member",
        "id_type": "cccd",
        "national_id": cccd(year, sex, serial),
        "full_name": f"{FAMILY_NAMES[serial % 10]} {GIVEN_NAMES[serial % 7]}",
        "date_of_birth": f"{year}-{serial % 12 + 1:02d}-{serial % 28 + 1:02d}",
        "sex": sex,
        "phone": f"09{serial % 10**8:08d}",
        "address": {"province_code": province, "ward_code": ward, "line": "12 Lê Lợi"},
        "priority_group": serial % 16 + 1,
        "consent": True,
    }
    return body | overrides


CSV_HEADER = (
    "id_type,national_id,passport_country,full_name,date_of_birth,sex,phone,province_code,"
    "ward_code,address_line,priority_group,health_insurance_number,consent"
)


def csv_row(body: dict[str, Any]) -> str:
    """One CSV line for a registration body (the line address is quoted: it may hold commas)."""
    address = body["address"]
    cells = [
        body["id_type"],
        body["national_id"],
        body.get("passport_country") or "",
        body["full_name"],
        body["date_of_birth"],
        body["sex"],
        body["phone"],
        address["province_code"],
        address["ward_code"],
        f'"{address.get("line") or ""}"',
        str(body.get("priority_group") or ""),
        body.get("health_insurance_number") or "",
        "yes" if body["consent"] else "no",
    ]
    return ",".join(cells)


def csv_file(bodies: list[dict[str, Any]], *, bom: bool = False) -> bytes:
    """A CSV import file of these people, CRLF line ends as spreadsheets write them."""
    text = "\r\n".join([CSV_HEADER, *(csv_row(b) for b in bodies)]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()
