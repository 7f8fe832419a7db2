"""Lot signals and suspensions on the real stack."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.monitoring.conftest import Monitoring
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def test_serious_cases_crossing_a_rule_raise_one_signal_per_episode(
    monitoring: Monitoring,
) -> None:
    await monitoring.receive("SIG1")
    doses = [
        await monitoring.dose(await monitoring.register(f"acc_{uuid.uuid4().hex}"), "SIG1")
        for _ in range(3)
    ]
    lot_id = doses[0].vaccination.lot_id

    # Two serious cases cross the test's cluster rule (2 in 7 days); the third raises nothing new.
    await monitoring.publish(*(monitoring.serious_observation(d) for d in doses))

    async def signals() -> list[dict[str, Any]]:
        page = await monitoring.client.get(
            "/api/v1/signals", params={"lot_id": str(lot_id)}, headers=monitoring.staff()
        )
        return list(page.json()["items"])

    [signal] = await poll_until(signals, accept=lambda s: len(s) == 1, what="the signal")
    assert signal["rule"] == "serious_cases_in_window"
    assert signal["serious_cases"] >= 2
    assert signal["doses_administered"] == 3
    await poll_until(
        lambda: monitoring.db["aefi_cases"].count_documents({"lot_id": str(lot_id)}),
        accept=lambda n: n == 3,
        what="three cases",
    )
    [raised] = await monitoring.published(monitoring.topics.lot, 1)
    assert raised.event_type == "LotSignalRaised"
    assert str(raised.payload.signal_id) == signal["signal_id"]
    # The rate rule needs 50 doses: three say nothing, however many cases.
    assert await monitoring.db["lot_signals"].count_documents({"lot_id": str(lot_id)}) == 1


async def test_a_lot_is_suspended_once_and_released(monitoring: Monitoring) -> None:
    lot_id = await monitoring.receive("SUS1")
    operator = monitoring.staff()
    path = f"/api/v1/lots/{lot_id}"
    body = {"reason": "quality_defect", "note": "Particles seen in vials."}

    by_vaccinator = await monitoring.client.post(
        f"{path}/suspend", json=body, headers=monitoring.staff("vaccinator")
    )
    suspended = await monitoring.client.post(f"{path}/suspend", json=body, headers=operator)
    again = await monitoring.client.post(f"{path}/suspend", json=body, headers=operator)
    bad_reason = await monitoring.client.post(
        f"{path}/release", json={"reason": "because", "note": "why not"}, headers=operator
    )
    released = await monitoring.client.post(
        f"{path}/release",
        json={"reason": "investigation_cleared", "note": "Vials fine."},
        headers=operator,
    )
    unknown = await monitoring.client.post(
        f"/api/v1/lots/{uuid.uuid4()}/suspend", json=body, headers=operator
    )

    assert by_vaccinator.status_code == 403
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspension"]["reason"] == "quality_defect"
    assert again.status_code == 409
    assert again.json()["errors"][0]["rule"] == "lot_already_suspended"
    assert bad_reason.status_code == 422
    assert released.json()["status"] == "in_use"
    assert unknown.status_code == 404
    events = await monitoring.published(monitoring.topics.lot, 2)
    assert [e.event_type for e in events] == ["LotSuspended", "LotReleased"]
    assert events[0].payload.lot_number == "SUS1"
    read = await monitoring.client.get(
        path, headers=monitoring.staff("district_admin", district="760")
    )
    assert read.json()["status"] == "in_use"
