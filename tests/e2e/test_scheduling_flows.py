"""Scheduling end to end: through the gateway, with real tokens, real topics and the demo campaign.

A citizen registers with registration, scheduling learns them from `registration.citizen.v1`,
the citizen books a place of the seeded demo campaign, and a vaccinator of the demo site checks
them in with the QR token; public availability and its CoWIN shape follow the booking.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import STACK, gateway_client, seeded_staff
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.registration.people import person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, once identity, registration and scheduling answer behind it."""
    async with gateway_client("registration", "scheduling", request_timeout_s=30) as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def vaccinator() -> dict[str, str]:
    """The seeded vaccinator of the main demo site (after the seed, demo campaign included)."""
    return next(
        e
        for e in await seeded_staff()
        if e["role"] == "vaccinator" and e["site_id"] == DEMO_SITE.site_id
    )


def _tomorrow() -> str:
    return (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)).isoformat()


def _learnt(response: httpx.Response) -> bool:
    if response.status_code != 422:
        return True
    return bool(response.json()["errors"][0]["rule"] != "registered_citizen")


async def _free_at_demo_site(gateway: httpx.AsyncClient, day: str) -> list[dict[str, Any]]:
    response = await gateway.get(
        "/availability", params={"site_id": DEMO_SITE.site_id, "date": day}
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_registered_citizen_books_the_demo_campaign_and_is_checked_in(
    gateway: httpx.AsyncClient, vaccinator: dict[str, str]
) -> None:
    citizen = await citizen_headers(gateway)
    registered = await gateway.post("/citizens", json=person(relationship="self"), headers=citizen)
    assert registered.status_code == 201, registered.text
    citizen_id = registered.json()["citizen_id"]
    day = (await gateway.get("/sites/" + DEMO_SITE.site_id, headers=citizen)).status_code
    assert day == 200
    [session] = await poll_until(
        lambda: _free_at_demo_site(gateway, _tomorrow()), what="tomorrow's demo session"
    )
    # The latest slot with a free place: a demo stack that has run this test often fills up.
    slot = next(slot for slot in reversed(session["slots"]) if slot["free"] > 0)
    body = {"citizen_id": citizen_id, "session_id": session["session_id"], "slot": slot["slot"]}

    booked = await poll_until(
        lambda: gateway.post("/appointments", json=body, headers=citizen),
        accept=_learnt,
        timeout_s=30,
        what="scheduling to learn the citizen from registration.citizen.v1",
    )
    assert booked.status_code == 201, booked.text
    check_in = await gateway.post(
        "/check-ins",
        json={"site_id": DEMO_SITE.site_id, "token": booked.json()["check_in_token"]},
        headers=await staff_headers(gateway, vaccinator),
    )

    async def free_in_slot() -> int:
        [now] = await _free_at_demo_site(gateway, _tomorrow())
        return int(next(s["free"] for s in now["slots"] if s["slot"] == slot["slot"]))

    # Availability is exact to within a second: each process reuses its answer for a moment.
    free = await poll_until(
        free_in_slot, accept=lambda n: n < slot["free"], timeout_s=5, what="the place taken"
    )

    assert check_in.status_code == 201, check_in.text
    assert check_in.json()["method"] == "qr_code"
    assert free == slot["free"] - 1


async def test_cowin_clients_find_the_demo_sessions_through_the_gateway(
    gateway: httpx.AsyncClient, vaccinator: dict[str, str]
) -> None:
    day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d-%m-%Y")

    found = await gateway.get(
        f"{STACK.gateway_url}/api/v2/appointment/sessions/public/calendarByDistrict",
        params={"district_id": DEMO_SITE.district, "date": day},
    )
    states = await gateway.get(f"{STACK.gateway_url}/api/v2/admin/location/states")

    assert found.status_code == 200, found.text
    centers = {c["center_id"]: c for c in found.json()["centers"]}
    assert len(centers) >= 1
    center = next(iter(centers.values()))
    assert center["district_name"] == "Quận 1"
    assert len(center["sessions"]) >= 1
    assert any(s["state_id"] == 79 for s in states.json()["states"])
