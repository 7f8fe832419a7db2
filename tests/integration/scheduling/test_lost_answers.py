"""Bookings and cancellations whose answer was lost never book twice nor free a place twice.

The fault suite found a citizen holding two appointments after an acknowledged booking: the
appointment's insert reached the database but its answer was lost (FerretDB killed mid-reply),
the handler undid the place and the claim the appointment held, answered 503, and the retry
booked again. These tests make the store fail after or before the write, as a crash or a lost
connection does, and retry as the app would.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo.errors import AutoReconnect
from vaxflow_scheduling.domain.appointments import claim_key

from tests.integration.scheduling.conftest import Scheduling
from tests.integration.scheduling.test_booking import _book

pytestmark = pytest.mark.stack


async def _booked(s: Scheduling, session: dict[str, Any]) -> int:
    stored = await s.db["sessions"].find_one({"_id": session["session_id"]})
    assert stored is not None
    return int(sum(stored["booked"].values()))


async def _appointments(s: Scheduling, citizen: str) -> int:
    return await s.db["appointments"].count_documents({"citizen_id": citizen})


def _lose_answer(store: Any, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's `method` does its write, then fails as a connection lost mid-reply."""
    real = getattr(store, method)

    async def written_then_lost(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise AutoReconnect("connection closed")

    monkeypatch.setattr(store, method, written_then_lost)


async def test_a_booking_written_before_its_answer_was_lost_is_acknowledged_once(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()
    _lose_answer(scheduling.components.appointments, "add", monkeypatch)

    first = await _book(scheduling, account, citizen, session)
    monkeypatch.undo()
    retried = await _book(scheduling, account, citizen, session, "s0830")

    assert first.status_code == 201, first.text
    assert retried.status_code == 409
    assert retried.json()["type"].endswith("/already-booked")
    assert await _appointments(scheduling, citizen) == 1
    assert await _booked(scheduling, session) == 1


async def test_a_booking_whose_outcome_cannot_be_read_keeps_its_place_and_claim(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()
    store = scheduling.components.appointments
    _lose_answer(store, "add", monkeypatch)

    async def unreachable(appointment_id: str) -> None:
        raise AutoReconnect("connection refused")

    monkeypatch.setattr(store, "get", unreachable)

    first = await _book(scheduling, account, citizen, session)
    monkeypatch.undo()
    retried = await _book(scheduling, account, citizen, session, "s0830")

    assert first.status_code == 503
    assert first.json()["dependency"] == "database"
    assert retried.status_code == 409
    assert await _appointments(scheduling, citizen) == 1
    assert await _booked(scheduling, session) == 1


async def test_a_booking_that_was_not_written_gives_its_place_and_claim_back(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=1)
    account, citizen = await scheduling.known_citizen()

    async def refused(*args: Any) -> None:
        raise AutoReconnect("connection refused")

    monkeypatch.setattr(scheduling.components.appointments, "add", refused)
    first = await _book(scheduling, account, citizen, session)
    monkeypatch.undo()
    retried = await _book(scheduling, account, citizen, session)

    assert first.status_code == 503
    assert retried.status_code == 201, retried.text
    assert await _appointments(scheduling, citizen) == 1
    assert await _booked(scheduling, session) == 1


async def test_an_abandoned_claim_is_taken_over_and_its_place_given_back(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=2)
    account, citizen = await scheduling.known_citizen()
    # What a process killed between the claim and the appointment leaves: the place taken, the
    # claim written, no appointment; older than the stale limit.
    assert await scheduling.components.sessions.take_place(session["session_id"], "s0730")
    stale = scheduling.components.now() - timedelta(seconds=scheduling.settings.claim_stale_after_s)
    await scheduling.db["appointment_claims"].insert_one(
        {
            "_id": claim_key(citizen, 1),
            "appointment_id": "never-written",
            "at": stale - timedelta(seconds=1),
            "session_id": session["session_id"],
            "slot": "s0730",
        }
    )

    booked = await _book(scheduling, account, citizen, session)

    assert booked.status_code == 201, booked.text
    assert await _booked(scheduling, session) == 1  # the abandoned place came back, then this one


async def test_a_cancel_retried_after_its_answer_was_lost_frees_the_place_once(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=2)
    account, citizen = await scheduling.known_citizen()
    other = await scheduling.known_citizen()
    booked = (await _book(scheduling, account, citizen, session)).json()
    assert (await _book(scheduling, *other, session)).status_code == 201
    path = f"/api/v1/appointments/{booked['appointment_id']}"
    _lose_answer(scheduling.components.appointments, "settle", monkeypatch)

    lost = await scheduling.client.delete(path, headers=scheduling.citizen(account))
    monkeypatch.undo()
    retried = await scheduling.client.delete(path, headers=scheduling.citizen(account))
    again = await scheduling.client.delete(path, headers=scheduling.citizen(account))
    rebooked = await _book(scheduling, account, citizen, session, "s0830")

    assert lost.status_code == 503
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert rebooked.status_code == 201, rebooked.text
    assert await _booked(scheduling, session) == 2  # the other citizen's and the rebooking
