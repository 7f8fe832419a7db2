"""A QR code kept from an appointment of an earlier day is refused at check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.scheduling.conftest import Scheduling

pytestmark = pytest.mark.stack


async def test_a_token_of_an_earlier_days_appointment_is_refused_naming_the_rule(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"], slot_capacity=5)
    account, citizen = await scheduling.known_citizen()
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"}
    booked = await scheduling.client.post(
        "/api/v1/appointments", json=body, headers=scheduling.citizen(account)
    )
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    # The citizen did not come: the appointment is now in the past, still booked.
    stored = await scheduling.db["appointments"].find_one({"_id": appointment["appointment_id"]})
    assert stored is not None
    await scheduling.db["appointments"].update_one(
        {"_id": appointment["appointment_id"]},
        {
            "$set": {
                "slot_start": stored["slot_start"] - timedelta(days=3),
                "slot_end": stored["slot_end"] - timedelta(days=3),
            }
        },
    )
    staff = scheduling.staff("vaccinator", site_id=site["site_id"])

    response = await scheduling.client.post(
        "/api/v1/check-ins",
        json={"site_id": site["site_id"], "token": appointment["check_in_token"]},
        headers=staff,
    )
    queue = await scheduling.client.get(f"/api/v1/sites/{site['site_id']}/queue", headers=staff)

    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("body.token", "appointment_day")
    assert queue.json()["waiting"] == 0
