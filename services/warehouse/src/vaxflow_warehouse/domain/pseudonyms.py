"""Pseudonymisation: a keyed hash for citizen ids, an age band for a date of birth."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from uuid import UUID

# Bands of the campaign's age rules (children 5-11 and 12-17 vaccinated separately, older
# adults first); the population file uses the same bands.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 4, "0-4"),
    (5, 11, "5-11"),
    (12, 17, "12-17"),
    (18, 49, "18-49"),
    (50, 64, "50-64"),
    (65, None, "65+"),
)


class Pseudonymiser:
    """Turns citizen ids into keyed hashes: the same person joins, nobody can reverse it."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self._cache: dict[str, str] = {}

    def citizen_key(self, citizen_id: UUID | str) -> str:
        """HMAC-SHA256 of the canonical id, hex; the warehouse's only citizen identifier."""
        text = str(citizen_id).lower()
        cached = self._cache.get(text)
        if cached is None:
            cached = hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[text] = cached
        return cached


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on a date."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return max(on.year - date_of_birth.year - before_birthday, 0)


def age_band(date_of_birth: date, on: date) -> str:
    """The age band of a person born on `date_of_birth`, on the date `on`."""
    age = age_on(date_of_birth, on)
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise AssertionError("age bands cover every age")  # pragma: no cover
