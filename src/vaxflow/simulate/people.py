"""Realistic citizens to register: valid CCCD numbers agreeing with birth year and sex."""

from __future__ import annotations

import random
from typing import Any

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
GIVEN_NAMES = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hoa", "Đức Huy", "Ngọc Lan")
HCM_WARDS = ("26743", "26740", "26737")


def cccd(year: int, sex: str, serial: int, province: str = "079") -> str:
    """A CCCD number that agrees with the birth year and sex."""
    century = (year - 1900) // 100 * 2 + (1 if sex == "female" else 0)
    return f"{province}{century}{year % 100:02d}{serial % 10**6:06d}"


class People:
    """Fresh people for one run: numbers and phones drawn from a run-specific random stream."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._serials: set[int] = set()

    def _serial(self) -> int:
        while True:
            serial = self._rng.randrange(10**8)
            if serial not in self._serials:
                self._serials.add(serial)
                return serial

    def phone(self) -> str:
        """A mobile number (09 and eight digits) not used before in this run."""
        return f"09{self._serial():08d}"

    def person(self, phone: str) -> dict[str, Any]:
        """A registration body for the account holder with this phone."""
        rng = self._rng
        year = rng.randrange(1950, 2006)
        sex = rng.choice(("male", "female"))
        return {
            "relationship": "self",
            "id_type": "cccd",
            "national_id": cccd(year, sex, self._serial()),
            "full_name": f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
            "date_of_birth": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "sex": sex,
            "phone": phone,
            "address": {"province_code": "79", "ward_code": rng.choice(HCM_WARDS), "line": None},
            "priority_group": rng.randrange(1, 17),
            "consent": True,
        }
