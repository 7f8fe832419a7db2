"""Availability read from the Redis cache: free places per site, session and slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.problems import invalid_field
from vaxflow_scheduling.store.availability import SessionAvailability
from vaxflow_servicekit.problems import ProblemError


@dataclass(frozen=True)
class AvailabilityQuery:
    """Filters, each optional."""

    district: str | None = None
    site_id: str | None = None
    day: date | None = None
    product: str | None = None


def days_of(query: AvailabilityQuery, c: Components) -> list[date]:
    """The day asked for, or every day of the availability window from today."""
    today = c.today()
    if query.day is not None:
        if query.day < today:
            raise invalid_field(
                "date", "not_in_past", "Availability is for today on.", location="query"
            )
        return [query.day]
    return [today + timedelta(days=i) for i in range(c.settings.availability_days)]


async def available(query: AvailabilityQuery, c: Components) -> list[SessionAvailability]:
    """Sessions matching the filters with their free places, by date, site and session."""
    return await _available(query, days_of(query, c), c)


def cached_answer(key: Any, c: Components) -> bytes | None:
    """A rendered answer of this process younger than `availability_cache_s`, if any.

    Reusing an answer for a quarter of a second (the default) keeps every figure within a
    second of the database, as each session's `computed_at` shows.
    """
    cached = c.read_cache.get(key)
    if cached is not None and cached[0] > c.clock().timestamp():
        body: bytes = cached[1]
        return body
    return None


def keep_answer(key: Any, body: bytes, c: Components) -> None:
    """Keep a rendered answer for `availability_cache_s`."""
    if c.settings.availability_cache_s <= 0:
        return
    if len(c.read_cache) > 1000:
        c.read_cache.clear()
    c.read_cache[key] = (c.clock().timestamp() + c.settings.availability_cache_s, body)


async def _available(
    query: AvailabilityQuery, days: list[date], c: Components
) -> list[SessionAvailability]:
    if c.availability is None:
        raise ProblemError(
            503, "Availability is not served right now.", slug="availability-unavailable"
        )
    found = await c.availability.of_days(days)
    kept = [a for a in found if _matches(a.session, query)]
    return sorted(
        kept, key=lambda a: (a.session["date"], a.session["site_id"], a.session["session_id"])
    )


def _matches(session: dict[str, Any], q: AvailabilityQuery) -> bool:
    return (
        (q.district is None or session["area"].get("district_code") == q.district)
        and (q.site_id is None or session["site_id"] == q.site_id)
        and (q.product is None or session["product_code"] == q.product)
    )
