"""Availability served from Redis follows bookings and cancellations at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.integration.scheduling.conftest import AZ, Scheduling
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _free(s: Scheduling, **query: str) -> list[dict[str, Any]]:
    response = await s.client.get("/api/v1/availability", params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_availability_shows_free_places_per_slot_and_follows_bookings(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=3)
    day = session["date"]
    account, citizen = await scheduling.known_citizen()

    before = await _free(scheduling, district="760", date=day, product=AZ)
    booked = await scheduling.client.post(
        "/api/v1/appointments",
        json={"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"},
        headers=scheduling.citizen(account),
    )
    after = await _free(scheduling, site_id=site["site_id"])

    [item] = before
    assert item["session_id"] == session["session_id"]
    assert item["free"] == 12
    assert booked.status_code == 201
    [item] = after
    assert item["slots"][0] == item["slots"][0] | {"slot": "s0730", "free": 2, "capacity": 3}
    assert item["free"] == 11
    assert item["computed_at"]
    assert await _free(scheduling, district="770", date=day) == []
    assert await _free(scheduling, site_id=site["site_id"], product="BBIBP-CorV") == []


async def test_availability_refuses_past_dates_and_heals_a_lost_redis_entry(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    yesterday = scheduling.components.today() - timedelta(days=1)
    prefix = scheduling.settings.redis_prefix
    availability = scheduling.components.availability
    assert availability is not None

    past = await scheduling.client.get("/api/v1/availability", params={"date": str(yesterday)})
    await availability._redis.delete(f"{prefix}:avail:{session['date']}")

    healed = await poll_until(
        lambda: _free(scheduling, site_id=site["site_id"]), what="refreshed availability"
    )

    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "query.date"
    assert healed[0]["session_id"] == session["session_id"]


async def test_cowin_shaped_availability_for_slot_finder_apps(scheduling: Scheduling) -> None:
    site = await scheduling.site(address="29 Nguyễn Thị Minh Khai", latitude=10.78, longitude=106.7)
    session = await scheduling.session(site["site_id"], slot_capacity=3)
    day = "-".join(reversed(session["date"].split("-")))
    await poll_until(
        lambda: _free(scheduling, site_id=site["site_id"]), what="session in availability"
    )

    states = await scheduling.client.get("/api/v2/admin/location/states")
    districts = await scheduling.client.get("/api/v2/admin/location/districts/79")
    by_district = await scheduling.client.get(
        "/api/v2/appointment/sessions/public/findByDistrict",
        params={"district_id": "760", "date": day},
    )
    by_pin = await scheduling.client.get(
        "/api/v2/appointment/sessions/public/calendarByPin",
        params={"pincode": "26734", "date": day},
    )
    bad_date = await scheduling.client.get(
        "/api/v2/appointment/sessions/public/findByDistrict",
        params={"district_id": "760", "date": "2026-11-27"},
    )

    assert {"state_id": 79, "state_name": "Thành phố Hồ Chí Minh"} in states.json()["states"]
    assert {"district_id": 760, "district_name": "Quận 1"} in districts.json()["districts"]
    [found] = by_district.json()["sessions"]
    assert found["session_id"] == session["session_id"]
    assert (found["available_capacity"], found["available_capacity_dose1"]) == (12, 12)
    assert (found["pincode"], found["lat"], found["long"], found["fee_type"]) == (
        26734,
        10,
        106,
        "Free",
    )
    assert found["vaccine"] == "VAXZEVRIA"
    assert found["slots"][0] == "07:30AM-08:30AM"
    assert found["date"] == day
    [center] = by_pin.json()["centers"]
    assert center["name"] == site["name"]
    assert [s["session_id"] for s in center["sessions"]] == [session["session_id"]]
    assert bad_date.status_code == 400
    assert bad_date.json() == {"errorCode": "APPOIN0018", "error": "Invalid date"}
