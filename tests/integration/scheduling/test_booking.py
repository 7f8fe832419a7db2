"""Booking and cancelling on the real stack: the capacity rule under concurrency, and its events."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from vaxflow_scheduling.handlers.booking import BookPlace, book_place
from vaxflow_scheduling.store.citizens import details_of

from tests.integration.scheduling.conftest import Scheduling, read_topic
from vaxflow_servicekit.problems import ProblemError

pytestmark = pytest.mark.stack


async def _book(
    s: Scheduling, account: str, citizen: str, session: dict[str, Any], slot: str = "s0730"
) -> Any:
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": slot}
    return await s.client.post("/api/v1/appointments", json=body, headers=s.citizen(account))


async def test_booking_takes_a_place_and_publishes_appointment_booked_with_the_site_area(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()

    response = await _book(scheduling, account, citizen, session)

    assert response.status_code == 201, response.text
    appointment = response.json()
    assert (appointment["dose_number"], appointment["dose_kind"]) == (1, "primary")
    assert len(appointment["check_in_token"]) == 35
    after = await scheduling.client.get(
        f"/api/v1/sessions/{session['session_id']}", headers=scheduling.citizen(account)
    )
    slots = {s["slot"]: s["free"] for s in after.json()["slots"]}
    assert slots["s0730"] == 9
    assert slots["s0830"] == 10
    [message] = await read_topic(scheduling.kafka, scheduling.topics.appointment, 1)
    assert message.event_type == "AppointmentBooked"
    assert str(message.payload.appointment_id) == appointment["appointment_id"]
    assert message.payload.site_area.district_code == "760"
    assert message.payload.session_capacity == 40


async def test_a_thousand_concurrent_bookings_for_the_last_ten_places_give_exactly_ten(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=12)
    for _ in range(2):
        account, citizen = await scheduling.known_citizen()
        assert (await _book(scheduling, account, citizen, session)).status_code == 201
    people = [(f"acc_{i}", str(uuid.uuid4())) for i in range(1000)]
    details = [details_of(a, __import__("datetime").date(1990, 1, 1), None, {}) for a, _ in people]
    await scheduling.db["citizens"].insert_many(
        [{"_id": c, **d, "registered": True} for (_, c), d in zip(people, details, strict=True)]
    )
    c = scheduling.components

    async def attempt(account: str, citizen: str) -> str:
        try:
            await book_place(BookPlace(account, citizen, session["session_id"], "s0730", "t"), c)
        except ProblemError as error:
            return error.slug
        return "booked"

    outcomes = await asyncio.gather(*(attempt(a, cid) for a, cid in people))

    assert outcomes.count("booked") == 10
    assert outcomes.count("slot-full") == 990
    stored = await scheduling.db["sessions"].find_one({"_id": session["session_id"]})
    assert stored is not None
    assert (stored["free"]["s0730"], stored["booked"]["s0730"]) == (0, 12)
    assert await scheduling.db["appointments"].count_documents({"slot_key": "s0730"}) == 12
    assert await scheduling.db["appointment_claims"].count_documents({}) == 12


async def test_one_active_appointment_per_dose_even_when_requests_race(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()

    responses = await asyncio.gather(
        *(_book(scheduling, account, citizen, session, slot) for slot in ["s0730", "s0830"] * 5)
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["type"].endswith("/already-booked")
    assert refused["dose_number"] == 1
    stored = await scheduling.db["sessions"].find_one({"_id": session["session_id"]})
    assert stored is not None
    assert sum(stored["booked"].values()) == 1


async def test_a_full_slot_answers_409_naming_session_and_slot(scheduling: Scheduling) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=1)
    first = await scheduling.known_citizen()
    second = await scheduling.known_citizen()
    assert (await _book(scheduling, *first, session)).status_code == 201

    response = await _book(scheduling, *second, session)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/slot-full")
    assert (problem["session_id"], problem["slot"]) == (session["session_id"], "s0730")


async def test_cancelling_frees_the_place_and_publishes_appointment_cancelled(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=1)
    first = await scheduling.known_citizen()
    second = await scheduling.known_citizen()
    booked = (await _book(scheduling, *first, session)).json()

    cancelled = await scheduling.client.delete(
        f"/api/v1/appointments/{booked['appointment_id']}", headers=scheduling.citizen(first[0])
    )
    again = await scheduling.client.delete(
        f"/api/v1/appointments/{booked['appointment_id']}", headers=scheduling.citizen(first[0])
    )
    other = await _book(scheduling, *second, session)
    rebooked_elsewhere = await _book(scheduling, *first, session, "s0830")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert other.status_code == 201
    assert rebooked_elsewhere.status_code == 201
    messages = await read_topic(scheduling.kafka, scheduling.topics.appointment, 4)
    assert sorted(m.event_type for m in messages) == [
        "AppointmentBooked",
        "AppointmentBooked",
        "AppointmentBooked",
        "AppointmentCancelled",
    ]


async def test_concurrent_cancel_and_bookings_never_overbook(scheduling: Scheduling) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=3)
    holders = [await scheduling.known_citizen() for _ in range(3)]
    booked = [(await _book(scheduling, *h, session)).json() for h in holders]
    waiting = [await scheduling.known_citizen() for _ in range(6)]

    cancel = scheduling.client.delete(
        f"/api/v1/appointments/{booked[0]['appointment_id']}",
        headers=scheduling.citizen(holders[0][0]),
    )
    results = await asyncio.gather(cancel, *(_book(scheduling, *w, session) for w in waiting))

    assert results[0].status_code == 200
    assert sum(r.status_code == 201 for r in results[1:]) <= 1
    stored = await scheduling.db["sessions"].find_one({"_id": session["session_id"]})
    assert stored is not None
    active = await scheduling.db["appointments"].count_documents({"status": "booked"})
    assert stored["booked"]["s0730"] == active <= 3
    assert stored["free"]["s0730"] == 3 - active


async def test_bad_bookings_are_refused_and_change_nothing(scheduling: Scheduling) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    booster_only = await scheduling.session(site["site_id"], doses=["booster"])
    account, citizen = await scheduling.known_citizen()

    unknown_session = await scheduling.client.post(
        "/api/v1/appointments",
        json={"citizen_id": citizen, "session_id": str(uuid.uuid4()), "slot": "s0730"},
        headers=scheduling.citizen(account),
    )
    unknown_slot = await _book(scheduling, account, citizen, session, "s0745")
    wrong_dose = await _book(scheduling, account, citizen, booster_only)
    unknown_citizen = await _book(scheduling, account, str(uuid.uuid4()), session)
    someone_else = await _book(scheduling, "acc_other", citizen, session)
    bad_body = await scheduling.client.post(
        "/api/v1/appointments",
        json={"citizen_id": citizen, "session_id": session["session_id"], "slot": 7},
        headers=scheduling.citizen(account),
    )

    assert unknown_session.status_code == 422
    assert unknown_session.json()["errors"][0]["field"] == "body.session_id"
    assert unknown_slot.json()["errors"][0]["rule"] == "known_slot"
    assert wrong_dose.status_code == 422
    assert wrong_dose.json()["errors"][0]["rule"] == "serves_dose"
    assert unknown_citizen.status_code == 422
    assert unknown_citizen.json()["errors"][0]["rule"] == "registered_citizen"
    assert someone_else.status_code == 422  # as for an unknown citizen: no existence oracle
    assert someone_else.json()["errors"] == unknown_citizen.json()["errors"]
    assert bad_body.status_code == 422
    assert bad_body.json()["errors"][0]["field"] == "body.slot"
    assert await scheduling.db["appointments"].count_documents({}) == 0
    assert await scheduling.db["appointment_claims"].count_documents({}) == 0
