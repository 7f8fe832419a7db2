"""Injection sites: where they are (administrative unit codes), when open, how many they serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from vaxflow_scheduling.domain.errors import RuleViolation


class SiteKind(StrEnum):
    """A fixed site (health station, school, stadium) or a mobile team."""

    FIXED = "fixed"
    MOBILE = "mobile"


@dataclass(frozen=True, slots=True)
class Area:
    """Administrative unit codes of a site (the 2021 three-level units: district required)."""

    province_code: str
    district_code: str
    ward_code: str


@dataclass(frozen=True, slots=True)
class Site:
    """An injection site."""

    site_id: str
    name: str
    kind: SiteKind
    area: Area
    address: str | None
    opens: time
    closes: time
    slot_minutes: int
    daily_capacity: int
    latitude: float | None
    longitude: float | None
    created_at: datetime

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise RuleViolation(
                "closes", "closes_after_opens", "The site must close after it opens."
            )
        if self.slot_minutes > self.open_minutes:
            raise RuleViolation(
                "slot_minutes", "slot_fits_opening", "A slot must fit in the opening hours."
            )

    @property
    def label(self) -> str:
        """What the site is called and where, as messages and dashboards show it."""
        text = f"{self.name}, {self.address}" if self.address else self.name
        return text[:200]

    @property
    def open_minutes(self) -> int:
        """Minutes the site is open in a day."""
        return _minutes(self.closes) - _minutes(self.opens)

    def slot_starts(self) -> list[time]:
        """Local start times of the day's slots: whole slots from opening to closing."""
        count = self.open_minutes // self.slot_minutes
        first = _minutes(self.opens)
        return [_time(first + i * self.slot_minutes) for i in range(count)]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
