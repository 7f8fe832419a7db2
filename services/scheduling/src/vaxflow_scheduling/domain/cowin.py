"""The CoWIN public API's shapes, so that slot-finder applications work against VaxFlow.

Mapping (documented in the README): a Vietnamese province is a CoWIN state (`state_id` = the
2-digit province code as an integer), a district-level unit is a CoWIN district (`district_id`
= the 3-digit district code), a ward is a "pincode" (`pincode` = the 5-digit ward code as an
integer) and its `block_name`; a site is a center (`center_id` = the first 8 hex digits of the
site id as an integer). Dates are DD-MM-YYYY; times are the sites' local time.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from vaxflow_scheduling.domain.products import product


class CowinError(ValueError):
    """A request CoWIN would refuse with 400, `errorCode` and `error`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@cache
def area_names() -> dict[str, dict[str, str]]:
    """Province and district names by code."""
    text = resources.files("vaxflow_scheduling.data").joinpath("areas.toml").read_text("utf-8")
    data: dict[str, dict[str, str]] = tomllib.loads(text)
    return data


def province_name(code: str) -> str:
    """A province's name, or its code."""
    return area_names()["provinces"].get(code, code)


def district_name(code: str) -> str:
    """A district's name, or its code."""
    return area_names()["districts"].get(code, code)


def parse_date(text: str | None) -> date:
    """A CoWIN date (DD-MM-YYYY)."""
    if not text:
        raise CowinError("USRRES0001", "Input parameter missing")
    try:
        return datetime.strptime(text, "%d-%m-%Y").date()
    except ValueError:
        raise CowinError("APPOIN0018", "Invalid date") from None


def parse_number(text: str | None, digits: int, code: str, what: str) -> str:
    """A district id or pincode as our zero-padded code."""
    if not text:
        raise CowinError("USRRES0001", "Input parameter missing")
    if not text.isdigit() or len(text) > digits:
        raise CowinError(code, f"Please enter valid {what}")
    return text.zfill(digits)


def center_id(site_id: str) -> int:
    """The integer a CoWIN client sees for a site."""
    return int(site_id.replace("-", "")[:8], 16)


def session_json(session: dict[str, Any], free: dict[str, int], zone: ZoneInfo) -> dict[str, Any]:
    """A session as CoWIN's `centers[].sessions[]`."""
    available = sum(free.get(s["key"], s["capacity"]) for s in session["slots"])
    doses = set(session["doses"])
    rules = product(session["product_code"])
    return {
        "session_id": session["session_id"],
        "date": date.fromisoformat(session["date"]).strftime("%d-%m-%Y"),
        "available_capacity": available,
        "available_capacity_dose1": available if "first" in doses else 0,
        "available_capacity_dose2": available if "second" in doses else 0,
        "min_age_limit": session["min_age"],
        "vaccine": (rules.name.split(" (")[0] if rules else session["product_code"]).upper(),
        "slots": [_slot(s, zone) for s in session["slots"]],
    }


def _slot(slot: dict[str, Any], zone: ZoneInfo) -> str:
    start = datetime.fromisoformat(slot["start"]).astimezone(zone)
    end = datetime.fromisoformat(slot["end"]).astimezone(zone)
    return f"{start:%I:%M%p}-{end:%I:%M%p}"


def center_json(site: dict[str, Any]) -> dict[str, Any]:
    """A site as a CoWIN center (without sessions)."""
    area = site["area"]
    return {
        "center_id": center_id(site["site_id"]),
        "name": site["name"],
        "address": site.get("address") or "",
        "state_name": province_name(area["province_code"]),
        "district_name": district_name(area.get("district_code") or ""),
        "block_name": area["ward_code"],
        "pincode": int(area["ward_code"]),
        "lat": int(site.get("latitude") or 0),
        "long": int(site.get("longitude") or 0),
        "from": f"{site['opens']}:00",
        "to": f"{site['closes']}:00",
        "fee_type": "Free",
    }


def week_from(day: date) -> list[date]:
    """The 7 days a calendar covers."""
    return [day + timedelta(days=i) for i in range(7)]
