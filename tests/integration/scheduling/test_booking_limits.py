"""Booking changes per identity: a phone account that keeps booking and cancelling is refused
(429 with Retry-After) once over the limit; refused attempts do not count; other accounts and
staff keep their own budgets."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.scheduling.conftest import Scheduling

pytestmark = pytest.mark.stack


async def _book(s: Scheduling, account: str, citizen: str, session: dict[str, Any]) -> Any:
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"}
    return await s.client.post("/api/v1/appointments", json=body, headers=s.citizen(account))


async def _book_and_cancel(
    s: Scheduling, account: str, citizen: str, session: dict[str, Any], times: int
) -> list[int]:
    answers = []
    for _ in range(times):
        booked = await _book(s, account, citizen, session)
        answers.append(booked.status_code)
        if booked.status_code != 201:
            break
        cancelled = await s.client.delete(
            f"/api/v1/appointments/{booked.json()['appointment_id']}", headers=s.citizen(account)
        )
        answers.append(cancelled.status_code)
    return answers


async def test_an_account_over_its_booking_changes_is_refused_and_others_are_not(
    scheduling: Scheduling,
) -> None:
    limit = scheduling.settings.booking_changes_per_citizen
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    bot, bots_person = await scheduling.known_citizen()
    other, their_person = await scheduling.known_citizen()

    answers = await _book_and_cancel(scheduling, bot, bots_person, session, limit // 2)
    over = await _book(scheduling, bot, bots_person, session)
    theirs = await _book(scheduling, other, their_person, session)

    assert answers == [201, 200] * (limit // 2)
    assert over.status_code == 429, over.text
    assert over.json()["type"].endswith("/too-many-booking-changes")
    assert 0 < int(over.headers["Retry-After"]) <= scheduling.settings.booking_changes_window_s
    assert theirs.status_code == 201, theirs.text
    stored = await scheduling.db["appointments"].count_documents(
        {"citizen_id": bots_person, "status": "booked"}
    )
    assert stored == 0  # the refused booking took no place


async def test_refused_attempts_do_not_count(scheduling: Scheduling) -> None:
    limit = scheduling.settings.booking_changes_per_citizen
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()
    unknown = str(uuid.uuid4())  # scheduling does not know this person (yet)

    refused = [
        (await _book(scheduling, account, unknown, session)).status_code for _ in range(limit + 5)
    ]
    booked = await _book(scheduling, account, citizen, session)

    assert set(refused) == {422}
    assert booked.status_code == 201, booked.text


async def test_staff_cancel_with_a_budget_of_their_own(scheduling: Scheduling) -> None:
    limit = scheduling.settings.booking_changes_per_citizen
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    account, citizen = await scheduling.known_citizen()
    other_account, other_citizen = await scheduling.known_citizen()
    appointment = (await _book(scheduling, other_account, other_citizen, session)).json()
    await _book_and_cancel(scheduling, account, citizen, session, limit // 2)
    manager = scheduling.staff("site_manager", site_id=site["site_id"])

    by_account = await _book(scheduling, account, citizen, session)
    by_staff = await scheduling.client.delete(
        f"/api/v1/appointments/{appointment['appointment_id']}", headers=manager
    )

    assert by_account.status_code == 429
    assert by_staff.status_code == 200, by_staff.text
