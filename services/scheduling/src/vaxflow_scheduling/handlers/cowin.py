"""CoWIN-compatible public availability, from the same Redis cache as `/api/v1/availability`."""

from __future__ import annotations

from datetime import date
from typing import Any

from vaxflow_scheduling.domain.cowin import (
    area_names,
    center_json,
    district_name,
    province_name,
    session_json,
    week_from,
)
from vaxflow_scheduling.handlers.components import Components
from vaxflow_servicekit.problems import ProblemError


def _cache(c: Components) -> Any:
    if c.availability is None:
        raise ProblemError(
            503, "Availability is not served right now.", slug="availability-unavailable"
        )
    return c.availability


async def states(c: Components) -> dict[str, Any]:
    """Provinces with sites (and the named ones), as CoWIN states."""
    codes = {s["area"]["province_code"] for s in (await _cache(c).sites()).values()}
    codes |= set(area_names()["provinces"])
    listed = [{"state_id": int(code), "state_name": province_name(code)} for code in sorted(codes)]
    return {"states": listed, "ttl": 24}


async def districts(state_id: int, c: Components) -> dict[str, Any]:
    """A province's district-level units with sites, as CoWIN districts."""
    province = f"{state_id:02d}"
    codes = {
        s["area"]["district_code"]
        for s in (await _cache(c).sites()).values()
        if s["area"]["province_code"] == province and s["area"].get("district_code")
    }
    listed = [{"district_id": int(d), "district_name": district_name(d)} for d in sorted(codes)]
    return {"districts": listed, "ttl": 24}


async def centers(
    days: list[date], c: Components, *, field: str, value: str
) -> list[dict[str, Any]]:
    """Centers whose area `field` is `value`, each with its sessions on these days."""
    cache = _cache(c)
    sites = await cache.sites()
    found = await cache.of_days(days)
    by_site: dict[str, list[dict[str, Any]]] = {}
    for a in found:
        if a.session["area"].get(field) == value:
            by_site.setdefault(a.session["site_id"], []).append(
                session_json(a.session, a.free, c.zone)
            )
    result = []
    for site_id, sessions in sorted(by_site.items()):
        if site_id in sites:
            sessions.sort(key=lambda s: s["date"][6:] + s["date"][3:5] + s["date"][:2])
            result.append(center_json(sites[site_id]) | {"sessions": sessions})
    return result


async def find(day: date, c: Components, *, field: str, value: str) -> dict[str, Any]:
    """CoWIN's `findBy*`: the flat list of one day's sessions, each with its center's fields."""
    listed = []
    for center in await centers([day], c, field=field, value=value):
        for session in center["sessions"]:
            listed.append(
                {k: v for k, v in center.items() if k != "sessions"} | session | {"fee": "0"}
            )
    return {"sessions": listed}


async def calendar(day: date, c: Components, *, field: str, value: str) -> dict[str, Any]:
    """CoWIN's `calendarBy*`: centers with their sessions over 7 days from `day`."""
    return {"centers": await centers(week_from(day), c, field=field, value=value)}
