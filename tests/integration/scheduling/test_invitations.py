"""Invitations in priority order and waitlists, through the same capacity rule as self-booking."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from vaxflow_scheduling.store.citizens import details_of

from tests.integration.scheduling.conftest import Scheduling
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _citizen(s: Scheduling, priority: int | None) -> str:
    citizen = str(uuid.uuid4())
    residence = {"province_code": "79", "ward_code": "26734"}
    details = details_of(f"acc_{citizen[:8]}", date(1960, 1, 1), priority, residence)
    await s.components.citizens.learn(citizen, details)
    return citizen


async def test_invitations_fill_free_places_in_priority_order(scheduling: Scheduling) -> None:
    site = await scheduling.site(opens="07:30", closes="08:30")
    session = await scheduling.session(site["site_id"], slot_capacity=2)
    ordinary, elderly, health_worker = (
        await _citizen(scheduling, None),
        await _citizen(scheduling, 10),
        await _citizen(scheduling, 1),
    )
    manager = scheduling.staff("site_manager", site_id=site["site_id"])

    response = await scheduling.client.post(
        "/api/v1/invitations",
        json={"session_id": session["session_id"], "count": 5},
        headers=manager,
    )
    other_site = await scheduling.client.post(
        "/api/v1/invitations",
        json={"session_id": session["session_id"], "count": 5},
        headers=scheduling.staff("site_manager", site_id=str(uuid.uuid4())),
    )

    assert response.status_code == 201, response.text
    invited = [a["citizen_id"] for a in response.json()["appointments"]]
    assert invited == [health_worker, elderly]
    assert ordinary not in invited
    assert {a["channel"] for a in response.json()["appointments"]} == {"invitation"}
    assert other_site.status_code == 403


async def test_a_freed_place_goes_to_the_first_person_waiting(scheduling: Scheduling) -> None:
    site = await scheduling.site(opens="07:30", closes="08:30")
    session = await scheduling.session(site["site_id"], slot_capacity=1)
    first = await scheduling.known_citizen()
    second = await scheduling.known_citizen()
    body = {"citizen_id": first[1], "session_id": session["session_id"], "slot": "s0730"}
    booked = await scheduling.client.post(
        "/api/v1/appointments", json=body, headers=scheduling.citizen(first[0])
    )
    joined = await scheduling.client.post(
        f"/api/v1/sessions/{session['session_id']}/waitlist",
        json={"citizen_id": second[1]},
        headers=scheduling.citizen(second[0]),
    )
    again = await scheduling.client.post(
        f"/api/v1/sessions/{session['session_id']}/waitlist",
        json={"citizen_id": second[1]},
        headers=scheduling.citizen(second[0]),
    )

    await scheduling.client.delete(
        f"/api/v1/appointments/{booked.json()['appointment_id']}",
        headers=scheduling.citizen(first[0]),
    )

    assert joined.status_code == 201
    assert joined.json()["waiting"] == 1
    assert again.status_code == 409
    placed = await poll_until(
        lambda: scheduling.db["appointments"].find_one({"citizen_id": second[1]}),
        what="waitlisted appointment",
    )
    assert placed["channel"] == "waitlist"
    assert placed["status"] == "booked"
    stored = await scheduling.db["sessions"].find_one({"_id": session["session_id"]})
    assert stored is not None
    assert stored["free"]["s0730"] == 0
