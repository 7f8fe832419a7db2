"""Sessions: a site, a day, a product, the doses served, and a capacity per time slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vaxflow_scheduling.domain.doses import DoseSlot
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.products import product
from vaxflow_scheduling.domain.sites import Site


@dataclass(frozen=True, slots=True)
class Slot:
    """One time slot of a session: its key (`s0930`), start and end (aware), and capacity."""

    key: str
    start: datetime
    end: datetime
    capacity: int


@dataclass(frozen=True, slots=True)
class Session:
    """A site's vaccination session on one day."""

    session_id: str
    site_id: str
    day: date
    product_code: str
    doses: tuple[DoseSlot, ...]
    slots: tuple[Slot, ...]
    campaign_id: str | None
    min_age: int

    @property
    def capacity(self) -> int:
        """Places over all slots."""
        return sum(s.capacity for s in self.slots)

    def slot(self, key: str) -> Slot | None:
        """The slot of a key, or None."""
        return next((s for s in self.slots if s.key == key), None)


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """What staff ask for when creating a session (already shape-checked by the API)."""

    day: date
    product_code: str
    doses: tuple[DoseSlot, ...]
    slot_capacity: int | None
    campaign_id: str | None
    min_age: int


def slot_key(start: time) -> str:
    """The key of a slot starting at a local time: `s0930`."""
    return f"s{start.hour:02d}{start.minute:02d}"


def plan_session(
    session_id: str, site: Site, plan: SessionPlan, *, today: date, max_days_ahead: int, tz: str
) -> Session:
    """A session of `site` following `plan`, or RuleViolation naming the field that is wrong."""
    _check_plan(plan, today=today, max_days_ahead=max_days_ahead)
    starts = site.slot_starts()
    capacities = _spread(plan.slot_capacity, site.daily_capacity, len(starts))
    zone = ZoneInfo(tz)
    slots = tuple(
        Slot(slot_key(t), _at(plan.day, t, zone), _at(plan.day, t, zone) + _len(site), cap)
        for t, cap in zip(starts, capacities, strict=True)
    )
    return Session(
        session_id,
        site.site_id,
        plan.day,
        plan.product_code,
        plan.doses,
        slots,
        plan.campaign_id,
        plan.min_age,
    )


def _check_plan(plan: SessionPlan, *, today: date, max_days_ahead: int) -> None:
    if plan.day < today:
        raise RuleViolation("date", "not_in_past", "A session cannot be in the past.")
    if plan.day > today + timedelta(days=max_days_ahead):
        raise RuleViolation(
            "date", "within_horizon", f"A session can be at most {max_days_ahead} days ahead."
        )
    if product(plan.product_code) is None:
        raise RuleViolation(
            "product_code", "known_product", "Scheduling does not offer this product."
        )
    if not plan.doses:
        raise RuleViolation("doses", "not_empty", "A session serves at least one dose.")


def _spread(per_slot: int | None, daily: int, count: int) -> list[int]:
    """Capacity per slot: as asked, else the daily capacity spread evenly (remainder first)."""
    if per_slot is not None:
        return [per_slot] * count
    base, extra = divmod(daily, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _at(day: date, t: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, t, tzinfo=zone)


def _len(site: Site) -> timedelta:
    return timedelta(minutes=site.slot_minutes)
