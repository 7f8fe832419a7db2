"""A session lists the lots its site may use that day: suspended and expired lots are left out,
and the session's appointments stay booked."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.scheduling.conftest import AZ, Scheduling
from vaxflow_events import LotSuspended, lot_id_for
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _receive(s: Scheduling, site_id: str, lot_number: str, expiry: str) -> None:
    receipt = {
        "receipt_id": str(uuid.uuid4()),
        "site_id": site_id,
        "product_code": AZ,
        "lot_number": lot_number,
        "expiry_date": expiry,
        "doses_per_vial": 10,
        "doses_received": 100,
    }
    response = await s.client.post("/api/v1/stock/receipts", json=receipt, headers=s.admin)
    assert response.status_code == 201, response.text


async def _session(s: Scheduling, session_id: str) -> dict[str, Any]:
    response = await s.client.get(f"/api/v1/sessions/{session_id}", headers=s.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_suspended_lots_and_lots_expired_by_the_session_day_are_left_out(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    site_id = site["site_id"]
    today = scheduling.components.today()
    session = await scheduling.session(site_id, days_ahead=3)
    good, suspended, short = (
        f"{name}{uuid.uuid4().hex[:6].upper()}" for name in ("OK", "SUS", "EXP")
    )
    await _receive(scheduling, site_id, good, (today + timedelta(days=90)).isoformat())
    await _receive(scheduling, site_id, suspended, (today + timedelta(days=90)).isoformat())
    # Usable today, expired by the session's day.
    await _receive(scheduling, site_id, short, (today + timedelta(days=1)).isoformat())
    account, citizen = await scheduling.known_citizen()
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"}
    booked = await scheduling.client.post(
        "/api/v1/appointments", json=body, headers=scheduling.citizen(account)
    )
    assert booked.status_code == 201, booked.text
    before = await _session(scheduling, session["session_id"])
    example = EXAMPLES["LotSuspended"]
    assert isinstance(example, LotSuspended)

    await scheduling.publish(
        [example.model_copy(update={"lot_id": lot_id_for(AZ, suspended), "product_code": AZ})]
    )

    after = await poll_until(
        lambda: _session(scheduling, session["session_id"]),
        accept=lambda s: len(s["lots"]) == 1,
        what="the suspended lot left out of the session",
    )
    assert sorted(lot["lot_number"] for lot in before["lots"]) == sorted([good, suspended])
    assert [lot["lot_number"] for lot in after["lots"]] == [good]
    assert after["lots"][0]["on_hand"] == 100
    appointment = await scheduling.client.get(
        f"/api/v1/appointments/{booked.json()['appointment_id']}",
        headers=scheduling.citizen(account),
    )
    assert appointment.json()["status"] == "booked"
    listed = await scheduling.client.get(
        f"/api/v1/sites/{site_id}/sessions", headers=scheduling.admin
    )
    [listed_session] = [
        s for s in listed.json()["items"] if s["session_id"] == session["session_id"]
    ]
    assert [lot["lot_number"] for lot in listed_session["lots"]] == [good]
