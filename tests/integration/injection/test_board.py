"""The site board (GET /doses/board/{site_id}): one site's day as every device of it sees it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tests.integration.injection.conftest import OTHER_SITE, SITE, Injection

pytestmark = pytest.mark.stack

BOARD = f"/api/v1/doses/board/{SITE}"


async def test_a_second_device_sees_who_waits_for_the_dose_who_is_observed_and_who_is_done(
    injection: Injection,
) -> None:
    first_device, second_device = injection.staff(), injection.staff("site_manager")
    dosed = await injection.ready_citizen()
    waiting = await injection.ready_citizen()
    dose = (await injection.dose(dosed, headers=first_device)).json()

    board = (await injection.client.get(BOARD, headers=second_device)).json()

    assert [s["citizen_id"] for s in board["screened"]] == [str(waiting)]
    assert board["screened"][0]["outcome"] == "eligible"
    assert board["screened"][0]["cleared"] is True
    assert board["screened"][0]["queue_number"] == 7
    assert board["doses_total"] == 1
    assert board["doses"] == [
        {
            "dose_id": dose["dose_id"],
            "citizen_id": str(dosed),
            "queue_number": 7,  # given at check-in (CitizenCheckedIn)
            "product_code": "EU/1/20/1528",
            "lot_number": "FF2587",
            "dose_number": 1,
            "administered_at": dose["administered_at"],
            "observation": "open",
        }
    ]
    (observed,) = board["observations_open"]
    assert (observed["dose_id"], observed["queue_number"]) == (dose["dose_id"], 7)
    started = datetime.fromisoformat(observed["started_at"])
    assert datetime.fromisoformat(observed["due_at"]) - started == timedelta(minutes=30)
    assert board["observations_closed"] == []

    closing = {
        "dose_id": dose["dose_id"],
        "observed_minutes": 30,
        "reactions": [{"code": "fever", "severity": "mild", "onset_minutes": 12}],
    }
    closed = await injection.client.post(
        "/api/v1/observations", json=closing, headers=second_device
    )
    assert closed.status_code == 201, closed.text
    after = (await injection.client.get(BOARD, headers=first_device)).json()

    assert after["observations_open"] == []
    assert after["observations_open_total"] == 0
    (done,) = after["observations_closed"]
    assert (done["citizen_id"], done["reactions"], done["serious"]) == (
        str(dosed),
        ["fever"],
        False,
    )
    assert after["doses"][0]["observation"] == "closed"


async def test_a_voided_dose_leaves_the_board_and_a_postponed_person_shows_as_not_cleared(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    dose_id = (await injection.dose(citizen_id)).json()["dose_id"]
    voided = await injection.client.post(
        f"/api/v1/doses/{dose_id}/void",
        json={"reason": "wrong_citizen", "note": "Recorded on the wrong person."},
        headers=injection.staff("site_manager"),
    )
    assert voided.status_code == 200, voided.text
    feverish = await injection.register()
    await injection.check_in(feverish)
    vitals = {
        "temperature_c": 38.6,
        "pulse_per_min": 90,
        "systolic_mmhg": 120,
        "diastolic_mmhg": 80,
    }
    screened = await injection.screen(feverish, vitals=vitals)
    assert screened.status_code == 201, screened.text

    board = (await injection.client.get(BOARD, headers=injection.staff())).json()

    assert board["doses_total"] == 0
    assert board["observations_open"] == []
    by_citizen = {s["citizen_id"]: s for s in board["screened"]}
    assert by_citizen[str(feverish)]["outcome"] == "postpone"
    assert by_citizen[str(feverish)]["cleared"] is False
    # The voided dose's person is back among the screened: their dose is to be given again.
    assert by_citizen[str(citizen_id)]["cleared"] is True


async def test_lists_are_bounded_by_limit_and_the_totals_count_the_day(
    injection: Injection,
) -> None:
    for _ in range(3):
        citizen_id = await injection.ready_citizen()
        assert (await injection.dose(citizen_id)).status_code == 201

    board = await injection.client.get(BOARD, params={"limit": 2}, headers=injection.staff())
    too_many = await injection.client.get(BOARD, params={"limit": 501}, headers=injection.staff())

    assert board.status_code == 200
    body = board.json()
    assert (len(body["doses"]), body["doses_total"]) == (2, 3)
    assert (len(body["observations_open"]), body["observations_open_total"]) == (2, 3)
    newest_first = [d["administered_at"] for d in body["doses"]]
    assert newest_first == sorted(newest_first, reverse=True)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "query.limit"


async def test_only_staff_of_the_site_read_it_and_another_site_looks_unknown(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    assert (await injection.dose(citizen_id)).status_code == 201
    other_site_staff = injection.staff("vaccinator", site_id=str(OTHER_SITE))

    theirs = await injection.client.get(BOARD, headers=other_site_staff)
    unknown = await injection.client.get(
        f"/api/v1/doses/board/{uuid.uuid4()}", headers=injection.staff()
    )
    district = await injection.client.get(
        BOARD, headers=injection.staff("district_admin", district="760")
    )
    citizen = await injection.client.get(
        BOARD, headers=injection.issuer.bearer(subject="acc_x", role="citizen")
    )
    anonymous = await injection.client.get(BOARD)

    assert theirs.status_code == unknown.status_code == 404
    same = ("type", "status", "title", "detail")
    assert {k: theirs.json().get(k) for k in same} == {k: unknown.json().get(k) for k in same}
    assert str(citizen_id) not in theirs.text
    assert district.status_code == citizen.status_code == 403
    assert anonymous.status_code == 401
